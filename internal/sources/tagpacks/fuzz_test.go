package tagpacks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("title: t\ncreator: c\nsource: s\ncurrency: BTC\nlabel: l\ntags:\n- address: a\n"))
	f.Add([]byte("title: t\ncreator: c\nactors:\n- id: a\n  label: A\n  aliases: [b]\n  context: {x: [1]}\n"))
	f.Add([]byte("- [\n"))
}

// FuzzParsePack checks that no input makes ParsePack or Check panic, that every
// failure is ErrMalformed, and that every tag of a success has an address, a
// label and a line. Seeds: testdata/bad and testdata/fuzz/FuzzParsePack.
func FuzzParsePack(f *testing.F) {
	addSeeds(f)
	tax, err := DefaultTaxonomy()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePack(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, tg := range p.Tags {
			if tg.Address == "" || tg.Label == "" || tg.Line < 1 {
				t.Fatalf("bad tag %+v", tg)
			}
		}
		if _, err := Check(p, tax, true); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Check error %v is not ErrMalformed", err)
		}
	})
}

// FuzzParseActorPack is FuzzParsePack for ActorPacks.
func FuzzParseActorPack(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseActorPack(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		for _, a := range p.Actors {
			if a.ID == "" || a.Label == "" {
				t.Fatalf("bad actor %+v", a)
			}
		}
	})
}

// FuzzParseTaxonomy checks that no confidence or concepts file makes the
// taxonomy parsers panic and that every failure is ErrMalformed. Seeds: the
// embedded taxonomies and testdata/fuzz/FuzzParseTaxonomy.
func FuzzParseTaxonomy(f *testing.F) {
	f.Add(confidenceCSV, false)
	f.Add(conceptsYAML[:2000], true)
	f.Add([]byte("id,label,description,level\nx,y,z,101\n"), false)
	f.Add([]byte("a:\n  id: a\n  type: concept\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, concepts bool) {
		var err error
		if concepts {
			var cs []Concept
			cs, err = ParseConcepts(bytes.NewReader(data), "concepts.yaml")
			for _, c := range cs {
				if c.ID == "" {
					t.Fatalf("concept without id: %+v", c)
				}
			}
		} else {
			var cs []Confidence
			cs, err = ParseConfidence(bytes.NewReader(data), "confidence.csv")
			for _, c := range cs {
				if c.ID == "" || c.Level < 0 || c.Level > 100 {
					t.Fatalf("bad level %+v", c)
				}
			}
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v is not ErrMalformed", err)
		}
	})
}
