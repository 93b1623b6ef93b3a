package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Scenario is a heist replayed as a fixture: the victim's configuration as
// publicly reported (facts not reported take the hardened value, so the
// scenario isolates what the heist exploited), the events of the attack, and
// the checks it must fail.
type Scenario struct {
	Heist   string          `json:"heist"`
	Sources []string        `json:"sources"`
	Note    string          `json:"note,omitempty"`
	Config  json.RawMessage `json:"config"`
	Events  []Event         `json:"events"`
	// ExpectFailed are the checks the scenario must fail, no more, no less.
	ExpectFailed []string `json:"expect_failed"`
}

// Event is one step of a heist and the checks whose absence it exploited.
type Event struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Detail   string    `json:"detail"`
	Exploits []string  `json:"exploits,omitempty"`
}

// DecodeScenario reads a scenario fixture.
func DecodeScenario(b []byte) (*Scenario, Config, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, Config{}, fmt.Errorf("%w: scenario: %v", ErrInvalid, err)
	}
	if s.Heist == "" || len(s.Config) == 0 {
		return nil, Config{}, fmt.Errorf("%w: scenario needs a heist and a config", ErrInvalid)
	}
	cfg, err := DecodeConfig(s.Config)
	if err != nil {
		return nil, Config{}, fmt.Errorf("scenario %s: %w", s.Heist, err)
	}
	for i, e := range s.Events {
		if e.At.IsZero() || e.Kind == "" {
			return nil, Config{}, fmt.Errorf("%w: scenario %s: event %d needs a time and a kind", ErrInvalid, s.Heist, i)
		}
	}
	return &s, cfg, nil
}

// Replay evaluates a scenario's configuration and names its heist on every
// failing control (Finding.Heists keeps only that heist).
func (c *Catalogue) Replay(s *Scenario, cfg Config) (Evaluation, error) {
	if _, ok := c.Heist(s.Heist); !ok {
		return Evaluation{}, fmt.Errorf("%w: scenario names unknown heist %q", ErrInvalid, s.Heist)
	}
	ev, err := c.Evaluate(cfg)
	if err != nil {
		return Evaluation{}, err
	}
	for i := range ev.Failed {
		ev.Failed[i].Heists = []string{s.Heist}
	}
	return ev, nil
}
