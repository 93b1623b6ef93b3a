package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

type tagImportDoc struct {
	Imports []struct {
		File       string         `json:"file"`
		Dataset    string         `json:"dataset"`
		Rows       int            `json:"rows"`
		Tags       int            `json:"tags"`
		Actors     int            `json:"actors"`
		Confidence map[string]int `json:"confidence"`
		Unchanged  bool           `json:"unchanged"`
	} `json:"imports"`
}

type tagShowDoc struct {
	Address string `json:"address"`
	Tags    []struct {
		Network    string `json:"network"`
		Label      string `json:"label"`
		Confidence string `json:"confidence"`
		Level      int    `json:"confidence_level"`
		Actor      string `json:"actor"`
		Dataset    string `json:"dataset"`
		File       string `json:"file"`
		Line       int    `json:"line"`
	} `json:"tags"`
}

// TestTagsCLIContract runs `interdict tags` as a user would: import real
// packs and label sets (.gz included), counts per file, re-import without
// duplicates, a bad file refused with exit 65 and file:line, show, actors,
// and an export that re-imports to the same tags.
func TestTagsCLIContract(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "error"}}
	packs := sharedtest.Path(t, "tags", "graphsense-tagpacks", "packs")
	lazarus, lazarus2 := filepath.Join(packs, "lazarus.yaml"), filepath.Join(packs, "lazarus2.yaml")
	ofacPack, binance := filepath.Join(packs, "ofac.yaml"), filepath.Join(packs, "exchange-wallets-binance.yaml")
	ransomware := filepath.Join(packs, "ransomware.yaml.gz")
	forta := sharedtest.Path(t, "tags", "forta-labelled-datasets", "labels", "1", "etherscan_malicious_labels.csv.gz")

	var doc tagImportDoc
	c.json(&doc, "tags", "import", lazarus, lazarus2, ofacPack, binance, ransomware, forta)
	want := []struct {
		tags       int
		confidence string
	}{{21, "authority_data"}, {6, "authority_data"}, {572, "unknown"}, {86, "service_data"}, {7178, "forensic"}, {7272, "web_crawl"}}
	if len(doc.Imports) != len(want) {
		t.Fatalf("%d imports, want %d", len(doc.Imports), len(want))
	}
	for i, w := range want {
		if got := doc.Imports[i]; got.Tags != w.tags || got.Confidence[w.confidence] != w.tags {
			t.Errorf("import %d (%s): %+v, want %d %s tags", i, got.File, got, w.tags, w.confidence)
		}
	}

	t.Run("re-importing a file duplicates nothing", func(t *testing.T) {
		var again tagImportDoc
		c.json(&again, "tags", "import", lazarus)
		if len(again.Imports) != 1 || !again.Imports[0].Unchanged || again.Imports[0].Tags != 21 {
			t.Fatalf("%+v", again)
		}
		var show tagShowDoc
		c.json(&show, "tags", "show", "134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak")
		if len(show.Tags) != 2 { // lazarus.yaml and ofac.yaml
			t.Fatalf("show: %+v", show)
		}
	})
	t.Run("show finds an EVM address in any case, strongest first, with provenance", func(t *testing.T) {
		var show tagShowDoc
		c.json(&show, "tags", "show", "0x098B716B8AAF21512996DC57EB0615E2383E2F96")
		if show.Address != "0x098b716b8aaf21512996dc57eb0615e2383e2f96" || len(show.Tags) < 2 {
			t.Fatalf("show: %+v", show)
		}
		first := show.Tags[0]
		if first.Level != 60 || first.Actor != "lazarusgroup" || !strings.HasSuffix(first.File, "lazarus.yaml") || first.Line != 53 {
			t.Errorf("first tag %+v", first)
		}
	})
	t.Run("a bad file exits 65 with file:line and stores nothing of it", func(t *testing.T) {
		bad := filepath.Join("..", "..", "internal", "sources", "tagpacks", "testdata", "bad", "no_address.yaml")
		_, errOut, code := c.run("tags", "import", bad)
		if code != exitMalformed || !strings.Contains(errOut, "no_address.yaml:9: tag has no address") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var show tagShowDoc
		c.json(&show, "tags", "show", "1NDyJtNTjmwk5xPNhjgAMu4HDHigtobu1s")
		if len(show.Tags) != 0 {
			t.Errorf("the bad file's first tag was stored: %+v", show)
		}
		_, errOut, code = c.run("tags", "import", sharedtest.Path(t, "tags", "cryptoscamdb-blacklist", "uris.yaml"))
		if code != exitMalformed || !strings.Contains(errOut, "uris.yaml:25:") {
			t.Errorf("uris.yaml: exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("actors: Lazarus Group by an alias, clusters only when asked", func(t *testing.T) {
		var actor struct {
			Actor struct {
				ID      string   `json:"id"`
				Aliases []string `json:"aliases"`
			} `json:"actor"`
			SameAs  []string `json:"same_as"`
			Cluster []string `json:"cluster"`
			Tags    []any    `json:"tags"`
		}
		c.json(&actor, "tags", "actors", "Diamond Sleet")
		if actor.Actor.ID != "lazarusgroup" || len(actor.SameAs) != 1 || len(actor.Cluster) != 1 || len(actor.Tags) != 27 {
			t.Fatalf("%+v", actor)
		}
		c.json(&actor, "tags", "actors", "lazarusgroup", "--associated")
		if len(actor.Cluster) != 4 {
			t.Errorf("cluster with --associated: %v", actor.Cluster)
		}
		if _, _, code := c.run("tags", "actors", "nobody"); code != exitNotFound {
			t.Errorf("unknown actor: exit %d, want %d", code, exitNotFound)
		}
		var all struct {
			Actors []any `json:"actors"`
		}
		c.json(&all, "tags", "actors")
		if len(all.Actors) != 4 {
			t.Errorf("%d actors, want the 4 curated ones", len(all.Actors))
		}
	})
	t.Run("export --format tagpack re-imports to the same tags", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "export.yaml")
		c.ok("tags", "export", "--format", "tagpack", "--dataset", "tagpack:packs/lazarus.yaml,tagpack:packs/exchange-wallets-binance.yaml", "--out", out)
		data, err := os.ReadFile(out)
		if err != nil || !strings.HasPrefix(string(data), "title: Interdict tag export\n") {
			t.Fatalf("export: %v\n%.200s", err, data)
		}
		var back tagImportDoc
		c.json(&back, "tags", "import", "--dataset", "roundtrip", out)
		if back.Imports[0].Tags != 21+86 || back.Imports[0].Confidence["authority_data"] != 21 || back.Imports[0].Confidence["service_data"] != 86 {
			t.Fatalf("re-import: %+v", back)
		}
		var show tagShowDoc
		c.json(&show, "tags", "show", "0xbe0eb53f46cd790cd13851d5eff43d12404d33e8")
		n := map[string]int{}
		for _, tg := range show.Tags {
			n[tg.Dataset]++
		}
		if n["roundtrip"] != n["tagpack:packs/exchange-wallets-binance.yaml"] || n["roundtrip"] != 4 {
			t.Errorf("tags per dataset on a Binance wallet: %v", n)
		}
		if _, _, code := c.run("tags", "export", "--format", "csv"); code != exitUsage {
			t.Errorf("--format csv: exit %d, want %d", code, exitUsage)
		}
	})
	t.Run("--sanctions turns the stored OFAC list's addresses into tags with their actor", func(t *testing.T) {
		c.ok("lists", "load", "--source", "ofac", filepath.Join("..", "..", "internal", "sources", "sanctions", "ofac", "testdata", "sdn_advanced_sample.xml"))
		var doc tagImportDoc
		c.json(&doc, "tags", "import", "--sanctions")
		if len(doc.Imports) != 1 || doc.Imports[0].Dataset != "sanctions:ofac" || doc.Imports[0].Confidence["authority_data"] != doc.Imports[0].Tags || doc.Imports[0].Tags == 0 {
			t.Fatalf("%+v", doc)
		}
		var actor struct {
			Tags []struct {
				Dataset string `json:"dataset"`
			} `json:"tags"`
		}
		c.json(&actor, "tags", "actors", "lazarusgroup")
		n := 0
		for _, tg := range actor.Tags {
			if tg.Dataset == "sanctions:ofac" {
				n++
			}
		}
		if n != 8 {
			t.Errorf("%d OFAC tags on lazarusgroup, want Lazarus Group's 8 ETH addresses", n)
		}
	})
	t.Run("an actor pack that would merge two actors exits 65 unless --allow-merge", func(t *testing.T) {
		pack := filepath.Join(t.TempDir(), "wrong.actorpack.yaml")
		if err := os.WriteFile(pack, []byte("title: t\ncreator: c\nactors:\n- id: apt38\n  label: APT38\n  aliases: [HIDDEN COBRA]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := c.run("tags", "import", pack)
		if code != exitMalformed || !strings.Contains(errOut, `wrong.actorpack.yaml:4: actor "apt38" gives name "HIDDEN COBRA", which already names actor "lazarusgroup"`) {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		out := c.ok("tags", "import", "--allow-merge", pack)
		if !strings.Contains(out, "merged: apt38 same_as lazarusgroup") {
			t.Errorf("table output %q", out)
		}
	})
	t.Run("find lists a category at a minimum confidence", func(t *testing.T) {
		var found struct {
			MinLevel int `json:"min_level"`
			Tags     []struct {
				Level int `json:"confidence_level"`
			} `json:"tags"`
		}
		c.json(&found, "tags", "find", "--category", "exchange", "--min-confidence", "service_data", "--limit", "0")
		if found.MinLevel != 50 || len(found.Tags) < 86 {
			t.Fatalf("min level %d, %d tags", found.MinLevel, len(found.Tags))
		}
		c.json(&found, "tags", "find", "--category", "sanction", "--min-confidence", "61")
		if len(found.Tags) != 0 {
			t.Errorf("%d sanction tags above 60", len(found.Tags))
		}
		if _, _, code := c.run("tags", "find", "--category", "exchange", "--min-confidence", "very"); code != exitUsage {
			t.Errorf("bad --min-confidence: exit %d", code)
		}
	})
}
