package inspect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Reading is what one automatic evidence collector read and established:
// where from, when, every item it read (calls, index keys, files, heights),
// what it found wrong with the evidence for each finding, and the facts it
// sets in a Config. Only the facts the collector decides are set; the rest
// stay unknown, so a reading never answers a question it did not read.
type Reading struct {
	Collector string    `json:"collector"`
	Label     string    `json:"label"`
	URI       string    `json:"uri,omitempty"`
	ReadAt    time.Time `json:"read_at"`
	// Read lists what was read, in order.
	Read []string `json:"read"`
	// Findings are what is wrong, each with the values that show it.
	Findings []string `json:"findings,omitempty"`
	Facts    Config   `json:"facts"`
	// Detail is the collector's own record (balances, fingerprints, ...).
	Detail any `json:"detail,omitempty"`
}

// Apply sets the facts the reading established in cfg, leaving every other
// fact as it was.
func (r Reading) Apply(cfg *Config) error {
	b, err := json.Marshal(r.Facts)
	if err != nil {
		return err
	}
	// Unset facts are omitted from the JSON, so decoding into cfg
	// overwrites only what the collector decided.
	if err := json.Unmarshal(b, cfg); err != nil {
		return fmt.Errorf("inspect: apply %s reading: %w", r.Collector, err)
	}
	return nil
}

// SHA256 is the hex SHA-256 of the reading's JSON: the content hash of the
// evidence item recording it.
func (r Reading) SHA256() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Bool returns a pointer to b, for setting facts.
func Bool(b bool) *bool { return &b }
