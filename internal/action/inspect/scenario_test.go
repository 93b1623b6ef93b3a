package inspect

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func loadScenario(t *testing.T, path string) (*Scenario, Config) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, cfg, err := DecodeScenario(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s, cfg
}

func hardened(t *testing.T) Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hardened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	cfg, err := DecodeConfig(doc.Config)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestHeistScenarios(t *testing.T) {
	c := loadCatalogue(t)
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	if err != nil || len(paths) != 7 {
		t.Fatalf("scenarios = %v, %v; want 7", paths, err)
	}
	covered := map[string]bool{}
	for _, p := range paths {
		s, cfg := loadScenario(t, p)
		covered[s.Heist] = true
		t.Run(s.Heist+" fails exactly the checks it exploited and names itself on each failing control", func(t *testing.T) {
			ev, err := c.Replay(s, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.FailedChecks(); !slices.Equal(got, s.ExpectFailed) {
				t.Errorf("failed checks = %v, want %v", got, s.ExpectFailed)
			}
			if len(ev.Unknown) != 0 {
				t.Errorf("undecided checks %v: a scenario declares every fact", ev.Unknown)
			}
			// checks.json must list the heist on exactly the checks it fails.
			for _, ch := range c.Checks {
				if want := slices.Contains(s.ExpectFailed, ch.ID); slices.Contains(ch.Heists, s.Heist) != want {
					t.Errorf("checks.json: %s lists %s = %v, scenario fails it = %v", ch.ID, s.Heist, !want, want)
				}
			}
			for _, f := range ev.Failed {
				if !slices.Equal(f.Heists, []string{s.Heist}) || len(f.Reasons) == 0 {
					t.Errorf("finding %+v does not name the heist or a reason", f)
				}
			}
			if len(ev.Failed) == 0 {
				t.Error("no failing controls")
			}
			for _, e := range s.Events {
				for _, x := range e.Exploits {
					if !slices.Contains(s.ExpectFailed, x) {
						t.Errorf("event %s exploits %s, which the scenario does not fail", e.Kind, x)
					}
				}
			}
		})
	}
	for _, h := range c.Heists {
		if !covered[h.ID] {
			t.Errorf("heist %s has no scenario", h.ID)
		}
	}
	t.Run("the hardened configuration passes every check", func(t *testing.T) {
		ev, err := c.Evaluate(hardened(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range ev.Outcomes {
			if o.Status != Implemented {
				t.Errorf("%s = %s: %s", o.Check, o.Status, o.Reason)
			}
		}
		if len(ev.Failed) != 0 {
			t.Errorf("failed controls %v", ev.FailedControls())
		}
	})
}

func TestEvaluate(t *testing.T) {
	c := loadCatalogue(t)
	t.Run("every check has a rule and every rule a check", func(t *testing.T) {
		ids := map[string]bool{}
		for _, ch := range c.Checks {
			ids[ch.ID] = true
			if rules[ch.ID] == nil {
				t.Errorf("check %s has no rule", ch.ID)
			}
		}
		for id := range rules {
			if !ids[id] {
				t.Errorf("rule %s has no check", id)
			}
		}
	})
	t.Run("an empty configuration is unknown everywhere: nothing passes and nothing fails", func(t *testing.T) {
		ev, err := c.Evaluate(Config{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Failed) != 0 || len(ev.Unknown) != len(c.Checks) {
			t.Fatalf("failed %v, unknown %v", ev.FailedControls(), ev.Unknown)
		}
	})
	for _, tc := range []struct {
		name, cfg, check string
		want             Status
	}{
		{"an N-of-N multisig fails the quorum", `{"multisig":{"signers":3,"threshold":3,"distinct_devices":true}}`, "multisig-quorum", NotImplemented},
		{"2-of-3 on distinct devices meets the quorum", `{"multisig":{"signers":3,"threshold":2,"distinct_devices":true}}`, "multisig-quorum", Implemented},
		{"a guard without a timelock fails", `{"multisig":{"guard":true,"timelock_hours":0}}`, "multisig-guard", NotImplemented},
		{"a guard with an undeclared timelock is unknown", `{"multisig":{"guard":true}}`, "multisig-guard", Unknown},
		{"hot wallets over their cap fail", `{"wallets":{"hot_share_bps":900,"hot_cap_bps":500}}`, "hot-cap", NotImplemented},
		{"no declared cap fails even without a share", `{"wallets":{"hot_cap_bps":0}}`, "hot-cap", NotImplemented},
		{"one false fact fails even when another is unknown", `{"hosts":{"dev_isolated":false}}`, "signing-environment", NotImplemented},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := DecodeConfig([]byte(tc.cfg))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := rules[tc.check](cfg)
			if got != tc.want {
				t.Fatalf("%s = %s, want %s", tc.check, got, tc.want)
			}
		})
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"a config with an unknown field", `{"signing":{"clear_sign":true}}`},
		{"a config with a negative threshold", `{"multisig":{"threshold":-1}}`},
		{"a config with trailing data", `{} {}`},
		{"a config of the wrong type", `{"multisig":{"signers":"five"}}`},
	} {
		t.Run(tc.name+" is ErrInvalid", func(t *testing.T) {
			if _, err := DecodeConfig([]byte(tc.in)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"a scenario without a heist", `{"config":{}}`},
		{"a scenario without a config", `{"heist":"x"}`},
		{"a scenario with an event without a time", `{"heist":"x","config":{},"events":[{"kind":"k"}]}`},
		{"a scenario that is not JSON", `{"heist":`},
		{"a scenario with a bad config", `{"heist":"x","config":{"nope":1}}`},
	} {
		t.Run(tc.name+" is ErrInvalid", func(t *testing.T) {
			if _, _, err := DecodeScenario([]byte(tc.in)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("a scenario naming an unknown heist cannot be replayed", func(t *testing.T) {
		s, cfg, err := DecodeScenario([]byte(`{"heist":"nope","config":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := loadCatalogue(t).Replay(s, cfg); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
}
