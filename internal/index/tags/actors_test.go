package tags_test

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
)

func registry(t *testing.T, im *tags.Importer) *tags.Registry {
	t.Helper()
	reg, err := im.Registry(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCuratedActors(t *testing.T) {
	im, _ := newImporter(t)
	reg := registry(t, im)
	t.Run("aliases resolve to the one actor they name", func(t *testing.T) {
		for name, want := range map[string]string{
			"Lazarus Group": "lazarusgroup", "HIDDEN COBRA": "lazarusgroup", "diamond  sleet": "lazarusgroup", "ZINC": "lazarusgroup",
			"APT38": "apt38", "BlueNoroff": "apt38", "TraderTraitor": "tradertraitor", "Jade Sleet": "tradertraitor",
			"UNC4899": "tradertraitor", "AppleJeus": "applejeus", "Citrine Sleet": "applejeus",
		} {
			if got, ok := reg.Resolve(name); !ok || got != want {
				t.Errorf("Resolve(%q) = %q, %v; want %q", name, got, ok, want)
			}
		}
		if got, ok := reg.Resolve("Kimsuky"); ok {
			t.Errorf("Resolve(Kimsuky) = %q, want no actor", got)
		}
	})
	t.Run("attributed clusters are not the same actor", func(t *testing.T) {
		if got := reg.SameAs("lazarusgroup"); !reflect.DeepEqual(got, []string{"lazarusgroup"}) {
			t.Errorf("SameAs(lazarusgroup) = %v", got)
		}
		if got := reg.Cluster("lazarusgroup", false); !reflect.DeepEqual(got, []string{"lazarusgroup"}) {
			t.Errorf("Cluster(lazarusgroup, false) = %v", got)
		}
		want := []string{"applejeus", "apt38", "lazarusgroup", "tradertraitor"}
		if got := reg.Cluster("lazarusgroup", true); !reflect.DeepEqual(got, want) {
			t.Errorf("Cluster(lazarusgroup, true) = %v, want %v", got, want)
		}
		// Attribution points up, not down: APT38's clusters do not include
		// Lazarus Group, but TraderTraitor is associated with APT38.
		if got := reg.Cluster("apt38", true); !reflect.DeepEqual(got, []string{"apt38", "tradertraitor"}) {
			t.Errorf("Cluster(apt38, true) = %v", got)
		}
	})
}

const conflictingPack = `title: A wrong merge
creator: someone
actors:
- id: apt38
  label: APT38
  aliases: [Lazarus Group]
`

func TestActorConflicts(t *testing.T) {
	t.Run("an alias that names another actor is refused with file and line", func(t *testing.T) {
		im, st := newImporter(t)
		_, err := im.ImportFile(t.Context(), "wrong.yaml", strings.NewReader(conflictingPack), tags.Options{})
		if !errors.Is(err, tags.ErrActorConflict) || !errors.Is(err, tags.ErrMalformed) ||
			!strings.Contains(err.Error(), `wrong.yaml:4: actor "apt38" gives name "Lazarus Group", which already names actor "lazarusgroup"`) {
			t.Fatalf("error %v", err)
		}
		if ds, _ := st.TagDatasets(t.Context()); len(ds) != 1 {
			t.Errorf("%d datasets after a refused import, want 1", len(ds))
		}
		if got := registry(t, im).SameAs("apt38"); len(got) != 1 {
			t.Errorf("SameAs(apt38) = %v after a refused merge", got)
		}
	})
	t.Run("a merge asked for is recorded as same_as", func(t *testing.T) {
		im, _ := newImporter(t)
		r, err := im.ImportFile(t.Context(), "wrong.yaml", strings.NewReader(conflictingPack), tags.Options{AllowMerge: true})
		if err != nil || len(r.Merged) != 1 || r.Merged[0].Kind != tags.SameAs || r.Merged[0].From != "apt38" || r.Merged[0].To != "lazarusgroup" {
			t.Fatalf("result %+v, %v", r, err)
		}
		if got := registry(t, im).SameAs("apt38"); !reflect.DeepEqual(got, []string{"apt38", "lazarusgroup"}) {
			t.Errorf("SameAs(apt38) = %v", got)
		}
	})
	t.Run("a declared same_as is no conflict", func(t *testing.T) {
		im, _ := newImporter(t)
		pack := conflictingPack + "  relations:\n  - {type: same_as, actor: lazarusgroup, source: test}\n"
		if _, err := im.ImportFile(t.Context(), "declared.yaml", strings.NewReader(pack), tags.Options{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the GraphSense actor pack: 3813 actors, one alias claimed by two of them", func(t *testing.T) {
		im, _ := newImporter(t)
		_, err := importShared(t, im, tags.Options{}, "graphsense-tagpacks", "actors", "graphsense.actorpack.yaml.gz")
		if !errors.Is(err, tags.ErrActorConflict) || !strings.Contains(err.Error(), `graphsense.actorpack.yaml.gz:49233: actor "tombswapfantom" gives name "tombfinance", which already names actor "tombswap"`) {
			t.Fatalf("error %v", err)
		}
		r, err := importShared(t, im, tags.Options{AllowMerge: true}, "graphsense-tagpacks", "actors", "graphsense.actorpack.yaml.gz")
		if err != nil || r.Actors != 3813 || len(r.Merged) != 1 {
			t.Fatalf("with merging: %+v, %v", r, err)
		}
		reg := registry(t, im)
		if a, ok := reg.Actor("lazarusgroup"); !ok || a.Label != "Lazarus Group" || !strings.Contains(a.Context, "refs") || len(a.Aliases) != 7 {
			t.Errorf("merged lazarusgroup = %+v", a)
		}
		if got := reg.Cluster("lazarusgroup", false); !reflect.DeepEqual(got, []string{"lazarusgroup"}) {
			t.Errorf("Cluster(lazarusgroup) after the GraphSense pack = %v", got)
		}
		if len(reg.Actors()) != 3813+3 { // apt38, tradertraitor, applejeus are not in the pack
			t.Errorf("%d actors", len(reg.Actors()))
		}
	})
}

func TestActorTags(t *testing.T) {
	im, st := newImporter(t)
	mustImport(t, im, "graphsense-tagpacks", "packs", "lazarus.yaml")
	mustImport(t, im, "graphsense-tagpacks", "packs", "lazarus2.yaml")
	const cluster = `title: TraderTraitor addresses
creator: test
source: https://example.org/aa22-108a
currency: ETH
label: TraderTraitor
confidence: forensic_investigation
abuse: service_hack
actor: Jade Sleet
tags:
- address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
`
	if _, err := im.ImportFile(t.Context(), "tt.yaml", strings.NewReader(cluster), tags.Options{}); err != nil {
		t.Fatal(err)
	}
	reg := registry(t, im)
	for _, c := range []struct {
		name       string
		associated bool
		want       int
	}{
		{"lazarusgroup", false, 27},
		{"HIDDEN COBRA", false, 27},
		{"lazarusgroup", true, 28},
		{"tradertraitor", false, 1},
		{"UNC4899", true, 1},
	} {
		ts, ids, err := tags.ActorTags(t.Context(), st, reg, c.name, c.associated)
		if err != nil || len(ts) != c.want {
			t.Errorf("ActorTags(%q, associated %v) = %d tags for %v, %v; want %d", c.name, c.associated, len(ts), ids, err, c.want)
		}
	}
	if _, _, err := tags.ActorTags(t.Context(), st, reg, "nobody", false); !errors.Is(err, tags.ErrNotFound) {
		t.Errorf("unknown actor: %v", err)
	}
}

// TestSanctionsTags imports the OFAC sample (ten real SDN parties, three with
// addresses) as tags: Lazarus Group's 8 ETH addresses get the actor.
func TestSanctionsTags(t *testing.T) {
	im, st := newImporter(t)
	f, err := os.Open("../../sources/sanctions/ofac/testdata/sdn_advanced_sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ofac.Parse(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := im.ImportSanctions(t.Context(), sanctions.SourceOFAC, "ofac-2025-11-19-sample", l.Published, l.Entities)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range l.Entities {
		want += len(e.Addresses)
	}
	if r.Tags != want || r.Confidence[tags.SanctionsConfidence] != want {
		t.Fatalf("result %+v, want %d authority_data tags", r, want)
	}
	ts, err := st.TagsByConcept(t.Context(), "sanction", 60, 0)
	if err != nil || len(ts) != want {
		t.Fatalf("sanction tags: %d, %v", len(ts), err)
	}
	byActor := map[string]int{}
	networks := map[string]int{}
	for _, tg := range ts {
		byActor[tg.Actor]++
		networks[tg.Network]++
	}
	if byActor["lazarusgroup"] != 8 {
		t.Errorf("tags by actor %v, want 8 for lazarusgroup", byActor)
	}
	t.Logf("OFAC sample: %d tags, networks %v, actors %v", want, networks, byActor)
	again, err := im.ImportSanctions(t.Context(), sanctions.SourceOFAC, "ofac-2025-11-19-sample", l.Published, l.Entities)
	if err != nil || !again.Unchanged {
		t.Errorf("second import %+v, %v", again, err)
	}
}

// TestExportRoundTrip exports stored tags as a TagPack and imports it again:
// the same tags come back, provenance aside.
func TestExportRoundTrip(t *testing.T) {
	im, st := newImporter(t)
	var orig []tags.Tag
	for _, p := range []string{"lazarus.yaml", "exchange-wallets-binance.yaml", "usdt_blacklist.yaml", "etherscan-wordcloud-exchange.yaml"} {
		r := mustImport(t, im, "graphsense-tagpacks", "packs", p)
		ts, err := st.TagsByDataset(t.Context(), r.Dataset)
		if err != nil {
			t.Fatal(err)
		}
		orig = append(orig, ts...)
	}
	r := mustImport(t, im, "mew-ethereum-lists", "addresses-darklist.json")
	ts, _ := st.TagsByDataset(t.Context(), r.Dataset)
	orig = append(orig, ts...)

	var buf bytes.Buffer
	if err := tags.ExportPack(&buf, "Interdict export", "interdict", "", orig); err != nil {
		t.Fatal(err)
	}
	back, err := im.ImportFile(t.Context(), "export.yaml", bytes.NewReader(buf.Bytes()), tags.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.TagsByDataset(t.Context(), back.Dataset)
	if len(got) != len(orig) {
		t.Fatalf("re-imported %d tags, exported %d", len(got), len(orig))
	}
	for i := range got {
		a, b := got[i], orig[i]
		for _, x := range []*tags.Tag{&a, &b} {
			x.Dataset, x.File, x.Line, x.PackTitle, x.IsPublic, x.TLP = "", "", 0, "", false, ""
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("tag %d:\n got %+v\nwant %+v", i, a, b)
		}
	}
}
