package tagpacks

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// TestRealPacks parses every GraphSense pack of the shared data: 63 files,
// 26176 tags, as the data README counts them.
func TestRealPacks(t *testing.T) {
	dir := sharedtest.Path(t, "tags", "graphsense-tagpacks", "packs")
	tax := taxonomy(t)
	files, tags := 0, 0
	perFile := map[string]int{}
	warned := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".yaml") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		p, err := ParsePack(bytes.NewReader(sharedtest.ReadAll(t, "tags", "graphsense-tagpacks", "packs", rel)), rel)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		ws, err := Check(p, tax, false)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
		}
		for _, w := range ws {
			if w.Line > 0 {
				warned[rel] = true
			}
		}
		files++
		tags += len(p.Tags)
		perFile[rel] = len(p.Tags)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 63 || tags != 26176 {
		t.Errorf("parsed %d files with %d tags, want 63 and 26176", files, tags)
	}
	for f, n := range map[string]int{"lazarus.yaml": 21, "lazarus2.yaml": 6, "ofac.yaml": 572, "binance.yaml": 2, "exchange-wallets-binance.yaml": 86, "ronin_bridge.yaml": 6, "ransomware.yaml.gz": 7178} {
		if perFile[f] != n {
			t.Errorf("%s has %d tags, want %d", f, perFile[f], n)
		}
	}
	// Only the USDT blacklist uses a category outside the taxonomy.
	if len(warned) != 1 || !warned["usdt_blacklist.yaml"] {
		t.Errorf("packs with taxonomy warnings: %v, want only usdt_blacklist.yaml", warned)
	}
}

func TestRealActorPack(t *testing.T) {
	data := sharedtest.ReadAll(t, "tags", "graphsense-tagpacks", "actors", "graphsense.actorpack.yaml.gz")
	p, err := ParseActorPack(bytes.NewReader(data), "graphsense.actorpack.yaml.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actors) != 3813 || p.LastMod != "2023-02-17" {
		t.Fatalf("%d actors, lastmod %s; want 3813, 2023-02-17", len(p.Actors), p.LastMod)
	}
	aliases := 0
	var lazarus *Actor
	for i, a := range p.Actors {
		if len(a.Aliases) > 0 {
			aliases++
		}
		if a.ID == "lazarusgroup" {
			lazarus = &p.Actors[i]
		}
	}
	// 361 entries have the field; one of them is an empty list.
	if aliases != 360 {
		t.Errorf("%d actors with aliases, want 360", aliases)
	}
	if lazarus == nil || lazarus.Label != "Lazarus Group" || len(lazarus.Categories) != 4 || !strings.Contains(lazarus.Context, "Hidden Cobra") {
		t.Errorf("lazarusgroup = %+v", lazarus)
	}
	ws, err := CheckActors(p, taxonomy(t), false)
	if err != nil {
		t.Fatal(err)
	}
	// defi_derivative is the concept's id but the taxonomy's key is
	// defi_derivatives; the id is what counts, so no warning for it.
	for _, w := range ws {
		if strings.Contains(w.Msg, "defi_derivative") {
			t.Errorf("unexpected warning %s", w)
		}
	}
}
