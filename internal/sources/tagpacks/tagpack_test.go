package tagpacks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func taxonomy(t testing.TB) *Taxonomy {
	t.Helper()
	tax, err := DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

func TestDefaultTaxonomy(t *testing.T) {
	tax := taxonomy(t)
	if len(tax.Confidence) != 14 || len(tax.Concepts) != 86 || len(tax.Countries) != 249 {
		t.Fatalf("taxonomy has %d confidence levels, %d concepts, %d countries; want 14, 86, 249",
			len(tax.Confidence), len(tax.Concepts), len(tax.Countries))
	}
	for id, want := range map[string]int{"override": 100, "authority_data": 60, "web_crawl": 20, "unknown": 5, "forensic": 50} {
		if got, ok := tax.ConfidenceLevel(id); !ok || got != want {
			t.Errorf("level of %s = %d, %v; want %d", id, got, ok, want)
		}
	}
	for _, c := range []string{"sanction", "mixing_service", "service_hack", "exchange", "defi_bridge"} {
		if _, ok := tax.Concepts[c]; !ok {
			t.Errorf("concept %s missing", c)
		}
	}
}

func TestParsePackInheritsHeaderFields(t *testing.T) {
	const pack = `title: Demo
creator: me
is_public: true
source: https://example.org/a
currency: BTC
label: header label
confidence: forensic
abuse: service_hack
actor: lazarusgroup
lastmod: 2023-08-16 12:18:52.619444
tags:
- address: 1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s
- address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
  currency: ETH
  label: own label
  context: '{"b": 1, "a": "x"}'
  concepts: [exchange]
`
	p, err := ParsePack(strings.NewReader(pack), "demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !p.IsPublic || p.Title != "Demo" || len(p.Tags) != 2 {
		t.Fatalf("pack = %+v", p)
	}
	a, b := p.Tags[0], p.Tags[1]
	if a.Line != 12 || a.Label != "header label" || a.Currency != "BTC" || a.Actor != "lazarusgroup" || a.LastMod != "2023-08-16" || a.Abuse != "service_hack" {
		t.Errorf("first tag = %+v", a)
	}
	if b.Line != 13 || b.Label != "own label" || b.Currency != "ETH" || b.Source != "https://example.org/a" || b.Context != `{"a":"x","b":1}` || b.Concepts[0] != "exchange" {
		t.Errorf("second tag = %+v", b)
	}
	if _, err := Check(p, taxonomy(t), true); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// TestBadFiles runs every file in testdata/bad and checks its error: the file
// and line, the sentinel and a phrase a person would need to fix it.
func TestBadFiles(t *testing.T) {
	tax := taxonomy(t)
	cases := []struct {
		file     string
		sentinel error
		want     string
	}{
		{"no_address.yaml", ErrMissingField, "no_address.yaml:9: tag has no address"},
		{"unknown_confidence.yaml", ErrUnknownConfidence, `unknown_confidence.yaml:7: tag 1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s: confidence "very_sure" is not in the taxonomy`},
		{"bad_yaml.yaml", ErrMalformed, "bad_yaml.yaml:5: bad YAML: mapping values are not allowed in this context"},
		{"unknown_field.yaml", ErrMalformed, `unknown_field.yaml:8: unknown tag field "lable"`},
		{"no_currency.yaml", ErrMissingField, "no_currency.yaml:6: tag 1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s has neither currency nor network"},
		{"bad_context.yaml", ErrMalformed, "bad_context.yaml:8: context is not valid JSON text"},
		{"no_tags.yaml", ErrMissingField, "no_tags.yaml:1: pack has no tags list"},
		{"bad_lastmod.yaml", ErrMalformed, `bad_lastmod.yaml:6: lastmod "last tuesday" is not a date`},
		{"strict_concept.yaml", ErrUnknownConcept, `strict_concept.yaml:9: tag 0x098b716b8aaf21512996dc57eb0615e2383e2f96: unknown concept "black_list"`},
		{"actor_dup.actorpack.yaml", ErrMalformed, `actor_dup.actorpack.yaml:8: actor id "a" repeated (first at line 4)`},
		{"actor_bad_relation.actorpack.yaml", ErrMalformed, `actor_bad_relation.actorpack.yaml:7: relation type "is_kind_of"`},
	}
	for _, c := range cases {
		t.Run(c.file+" is refused with its line", func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "bad", c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if strings.Contains(c.file, "actorpack") {
				_, err = ParseActorPack(f, c.file)
			} else {
				var p *Pack
				if p, err = ParsePack(f, c.file); err == nil {
					_, err = Check(p, tax, true)
				}
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, c.sentinel) || !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v is not %v and ErrMalformed", err, c.sentinel)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestLenientCheckWarnsOnceForUnknownConcepts(t *testing.T) {
	f, err := os.Open("testdata/bad/strict_concept.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ParsePack(f, "strict_concept.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Check(p, taxonomy(t), false)
	if err != nil || len(w) != 1 || !strings.Contains(w[0].String(), `strict_concept.yaml:9: unknown concept "black_list"`) {
		t.Fatalf("warnings %v, error %v", w, err)
	}
}
