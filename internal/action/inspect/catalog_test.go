package inspect

import (
	"errors"
	"slices"
	"testing"
	"testing/fstest"
)

func loadCatalogue(t testing.TB) *Catalogue {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// The counts are measured on the shipped files (and agree with
// ../shared/data/README.md for SEAL: 6 modules, 99 controls, 368 baselines).
func TestCatalogueCounts(t *testing.T) {
	c := loadCatalogue(t)
	type counts struct{ groups, controls, baselines, links, techniques int }
	want := map[string]counts{
		SEAL:   {6, 99, 368, 0, 0},
		CCSS:   {10, 37, 0, 0, 0},
		ATTACK: {1, 44, 0, 621, 305},
		FSA:    {1, 4, 0, 0, 0},
	}
	for _, f := range c.Frameworks {
		t.Run(f.ID+" has the measured numbers of groups, controls, baselines and technique links", func(t *testing.T) {
			var got counts
			got.groups, got.controls, got.techniques = len(f.Groups), len(f.Controls), len(f.Techniques)
			for _, ctl := range f.Controls {
				got.baselines += len(ctl.Baselines)
				if f.ID == ATTACK {
					got.links += len(ctl.Techniques)
				}
			}
			if got != want[f.ID] {
				t.Errorf("counts = %+v, want %+v", got, want[f.ID])
			}
			if f.License == "" || f.Attribution == "" || f.Source == "" {
				t.Errorf("provenance missing: %+v", f)
			}
		})
	}
	if len(c.Frameworks) != 4 {
		t.Fatalf("frameworks = %d, want 4", len(c.Frameworks))
	}
	t.Run("ATT&CK mitigations link 241 distinct DPRK techniques", func(t *testing.T) {
		f, _ := c.Framework(ATTACK)
		seen := map[string]bool{}
		for _, ctl := range f.Controls {
			for _, tech := range ctl.Techniques {
				seen[tech] = true
			}
		}
		if len(seen) != 241 {
			t.Errorf("linked techniques = %d, want 241", len(seen))
		}
	})
	t.Run("CCSS components start at level I, II or III", func(t *testing.T) {
		f, _ := c.Framework(CCSS)
		by := map[int]int{}
		for _, ctl := range f.Controls {
			by[ctl.MinLevel]++
		}
		if by[1] != 23 || by[2] != 7 || by[3] != 7 {
			t.Errorf("components by minimum level = %v, want 1:23 2:7 3:7", by)
		}
	})
	t.Run("SEAL control ms-4.1.1 keeps its text and links to the signing heists", func(t *testing.T) {
		ctl, ok := c.Control("seal-sfc:ms-4.1.1")
		if !ok || ctl.Title != "Transaction Handling Process" || ctl.Group != "sfc-multisig-ops" {
			t.Fatalf("ms-4.1.1 = %+v", ctl)
		}
		for _, h := range []string{"bybit-2025", "wazirx-2024", "radiant-2024"} {
			if !slices.Contains(ctl.Heists, h) {
				t.Errorf("heists %v lack %s", ctl.Heists, h)
			}
		}
		if !slices.Contains(ctl.Counters, "T1565.002") {
			t.Errorf("counters %v lack T1565.002", ctl.Counters)
		}
	})
	t.Run("the crosswalk relates FSA withdrawal allowlists to CCSS 1.4.6 and SEAL tro-4.1.1", func(t *testing.T) {
		got := c.Crosswalk("fsa-2024-09-26:fsa-3")
		for _, k := range []string{"ccss-2021:1.4.6", "seal-sfc:tro-4.1.1"} {
			if !slices.Contains(got, k) {
				t.Errorf("crosswalk %v lacks %s", got, k)
			}
		}
	})
	t.Run("every check names at least one control of two frameworks", func(t *testing.T) {
		for _, ch := range c.Checks {
			fw := map[string]bool{}
			for _, k := range ch.Controls {
				ctl, _ := c.Control(k)
				fw[ctl.Framework] = true
			}
			if len(fw) < 2 {
				t.Errorf("check %s links only %v", ch.ID, fw)
			}
		}
	})
}

func TestCatalogueRejectsBadFiles(t *testing.T) {
	good, err := fs2map()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, body string }{
		{"a framework file that is not JSON", "fsa-2024-09-26.json", "{"},
		{"a framework without a licence", "fsa-2024-09-26.json", `{"framework":"fsa-2024-09-26","source":"s","groups":[],"controls":[]}`},
		{"a control in an unknown group", "fsa-2024-09-26.json", `{"framework":"fsa-2024-09-26","source":"s","license":"l","groups":[{"id":"g"}],"controls":[{"id":"x","title":"t","group":"h"}]}`},
		{"a check naming an unknown control", "checks.json", `{"checks":[{"id":"c","controls":["seal-sfc:nope"]}]}`},
		{"a check naming a technique outside the subset", "checks.json", `{"checks":[{"id":"c","techniques":["T9999"]}]}`},
		{"a check naming an unknown heist", "checks.json", `{"checks":[{"id":"c","heists":["nope"]}]}`},
		{"a repeated check id", "checks.json", `{"checks":[{"id":"c"},{"id":"c"}]}`},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range good {
				fsys[k] = &fstest.MapFile{Data: v}
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(tc.body)}
			if _, err := LoadFS(fsys); !errors.Is(err, ErrCatalogue) {
				t.Fatalf("LoadFS error = %v, want ErrCatalogue", err)
			}
		})
	}
}

func fs2map() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, n := range append(slices.Clone(frameworkFiles), "checks.json") {
		b, err := dataFS.ReadFile("data/" + n)
		if err != nil {
			return nil, err
		}
		out[n] = b
	}
	return out, nil
}
