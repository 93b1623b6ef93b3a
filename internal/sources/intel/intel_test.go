package intel

import (
	"errors"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// sharedCatalog loads the DPRK ATT&CK subset with techniques and both MISP
// galaxies from the shared data folder.
func sharedCatalog(t testing.TB) *Catalog {
	t.Helper()
	c := NewCatalog()
	a, err := DecodeATTACK(sharedtest.Open(t, "stix", "mitre_attack_dprk_subset_with_techniques.stix21.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	c.AddATTACK(a)
	for _, f := range []string{"misp_galaxy_threat_actor_dprk.json", "misp_galaxy_malpedia_dprk.json.gz"} {
		g, err := DecodeGalaxy(sharedtest.Open(t, "stix", f))
		if err != nil {
			t.Fatal(err)
		}
		c.AddGalaxy(g)
	}
	return c
}

func TestDecodeSharedData(t *testing.T) {
	for _, c := range []struct {
		file                 string
		objects, rels, other int
	}{
		{"mitre_attack_dprk_subset.stix21.json", 78, 75, 2},
		{"mitre_attack_dprk_subset_with_techniques.stix21.json.gz", 383, 1611, 2},
	} {
		a, err := DecodeATTACK(sharedtest.Open(t, "stix", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Objects) != c.objects || len(a.Relationships) != c.rels || a.Other != c.other {
			t.Errorf("%s: %d objects, %d relationships, %d other; want %d, %d, %d", c.file, len(a.Objects), len(a.Relationships), a.Other, c.objects, c.rels, c.other)
		}
	}
	for _, c := range []struct {
		file, typ string
		values    int
	}{
		{"misp_galaxy_threat_actor_dprk.json", "threat-actor", 29},
		{"misp_galaxy_malpedia_dprk.json.gz", "malpedia", 177},
	} {
		g, err := DecodeGalaxy(sharedtest.Open(t, "stix", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if g.Type != c.typ || len(g.Clusters) != c.values {
			t.Errorf("%s: type %s with %d values, want %s with %d", c.file, g.Type, len(g.Clusters), c.typ, c.values)
		}
	}
}

func TestDecodeRejectsMalformedInput(t *testing.T) {
	for _, c := range []struct{ name, in, err string }{
		{"ATT&CK: not JSON", `{`, "ATT&CK bundle"},
		{"ATT&CK: not a bundle", `{"type":"indicator"}`, "not type"},
		{"ATT&CK: object without id", `{"type":"bundle","objects":[{"type":"malware","name":"x"}]}`, "no type or id"},
		{"ATT&CK: relationship without target", `{"type":"bundle","objects":[{"type":"relationship","id":"relationship--1","relationship_type":"uses","source_ref":"a"}]}`, "lacks"},
		{"ATT&CK: unnamed malware", `{"type":"bundle","objects":[{"type":"malware","id":"malware--1"}]}`, "no name"},
		{"ATT&CK: wrong field type", `{"type":"bundle","objects":[{"type":"malware","id":"malware--1","name":3}]}`, "object 0"},
		{"ATT&CK: duplicate id", `{"type":"bundle","objects":[{"type":"tool","id":"tool--1","name":"a"},{"type":"tool","id":"tool--1","name":"a"}]}`, "twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeATTACK(strings.NewReader(c.in))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("DecodeATTACK = %v, want ErrMalformed containing %q", err, c.err)
			}
		})
	}
	for _, c := range []struct{ name, in, err string }{
		{"MISP: not JSON", `[`, "MISP galaxy"},
		{"MISP: no values", `{"type":"threat-actor"}`, `"values"`},
		{"MISP: no type", `{"values":[]}`, "no type"},
		{"MISP: value without uuid", `{"type":"threat-actor","values":[{"value":"x"}]}`, "value 0"},
		{"MISP: synonyms not a list", `{"type":"threat-actor","values":[{"value":"x","uuid":"u","meta":{"synonyms":"y"}}]}`, "MISP galaxy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeGalaxy(strings.NewReader(c.in))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("DecodeGalaxy = %v, want ErrMalformed containing %q", err, c.err)
			}
		})
	}
}

func names(items []Item, via bool) []string {
	var out []string
	for _, it := range items {
		if (it.Via != "") == via {
			out = append(out, it.Name)
		}
	}
	return out
}

func TestProfiles(t *testing.T) {
	c := sharedCatalog(t)
	a, s, tech := c.Counts()
	t.Logf("catalogue: %d actors, %d software, %d techniques", a, s, tech)

	t.Run("TraderTraitor comes from MISP with its synonyms and Lazarus Group as a similar actor", func(t *testing.T) {
		p, ok := c.Profile("tradertraitor")
		if !ok {
			t.Fatal("unknown")
		}
		if len(p.Actors) != 1 || p.Actors[0].Source != SourceMISP || p.Actors[0].Country != "KP" {
			t.Fatalf("actors %+v", p.Actors)
		}
		if got := strings.Join(p.Aliases, ","); got != "Jade Sleet,Pukchong,UNC4899" {
			t.Errorf("aliases %s", got)
		}
		if len(p.Related) != 1 || p.Related[0].Name != "Lazarus Group" || p.Related[0].Kind != "similar, likely" {
			t.Errorf("related %+v", p.Related)
		}
		via := names(p.Software, true)
		if len(names(p.Software, false)) != 0 || !contains(via, "AppleJeus") {
			t.Errorf("software: direct %v, via Lazarus Group %v", names(p.Software, false), via)
		}
		if len(p.Techniques) == 0 || p.Techniques[0].Via == "" {
			t.Errorf("techniques should come via Lazarus Group: %v", p.Techniques[:min(3, len(p.Techniques))])
		}
		if !contains(names(p.CitedWith, false), "FastCash") {
			t.Errorf("cited with %v", names(p.CitedWith, false))
		}
	})
	t.Run("Lazarus Group is in both sources with its ATT&CK software and campaigns", func(t *testing.T) {
		p, _ := c.Profile("Lazarus Group")
		if len(p.Actors) != 2 {
			t.Fatalf("%d actors, want ATT&CK's and MISP's", len(p.Actors))
		}
		if !contains(names(p.Software, false), "AppleJeus") || !contains(names(p.Campaigns, false), "Operation Dream Job") {
			t.Errorf("software %v campaigns %v", names(p.Software, false), names(p.Campaigns, false))
		}
		if !contains(p.Aliases, "HIDDEN COBRA") && !contains(p.Aliases, "Hidden Cobra") || !contains(p.Aliases, "Diamond Sleet") {
			t.Errorf("aliases %v: want ATT&CK's and MISP's, one spelling each", p.Aliases)
		}
	})
	t.Run("an alias resolves to its actor and shared aliases are reported, not merged", func(t *testing.T) {
		p, ok := c.Profile("Citrine Sleet")
		if !ok {
			t.Fatal("unknown alias")
		}
		var srcs []string
		for _, a := range p.Actors {
			srcs = append(srcs, a.Name+"/"+a.Source)
		}
		if len(p.Actors) != 2 {
			t.Errorf("Citrine Sleet resolves to %v: want ATT&CK AppleJeus and MISP Lazarus Group side by side", srcs)
		}
	})
	t.Run("UNC4736 is MISP's actor and an ATT&CK alias of AppleJeus", func(t *testing.T) {
		p, _ := c.Profile("UNC4736")
		if len(p.Actors) != 1 || p.Actors[0].Source != SourceMISP || len(p.AliasOf) != 1 || p.AliasOf[0].Name != "AppleJeus" {
			t.Errorf("actors %v alias of %v", p.Actors, p.AliasOf)
		}
	})
	t.Run("an unknown name", func(t *testing.T) {
		if _, ok := c.Profile("Nobody Sleet"); ok {
			t.Error("found")
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
