package storetest

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/tags"
)

// RunTags is the contract suite of tags.Store. open must return a fresh, empty
// store and arrange its closing with t.Cleanup.
func RunTags(t *testing.T, open func(t *testing.T) tags.Store) {
	cases := []struct {
		name string
		run  func(t *testing.T, s tags.Store)
	}{
		{"every tag field comes back as stored", tagsRoundTrip},
		{"replacing a dataset replaces its tags and keeps the others", tagsReplace},
		{"lookups by address are exact and strongest first", tagsByAddress},
		{"lookups by concept match category, abuse or concepts at a minimum level", tagsByConcept},
		{"lookups by actor match any of the names given", tagsByActor},
		{"actors of several datasets come back by dataset and file order", tagsActors},
		{"datasets are listed in first-import order with UTC times", tagsDatasets},
		{"a cancelled write changes nothing", tagsCancelled},
		{"imports of one dataset at once never duplicate", tagsConcurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

func tagDataset(id string, n int) tags.Dataset {
	return tags.Dataset{ID: id, Kind: "tagpack", Title: "pack " + id, File: "packs/" + id + ".yaml", SHA256: digest(id), ImportedAt: base, Tags: n}
}

func sampleTag(ds string, i int) tags.Tag {
	return tags.Tag{
		Address: fmt.Sprintf("0x%040x", i), Network: "eth", Currency: "ETH", Label: fmt.Sprintf("label %d", i),
		Source: "https://example.org/" + ds, Confidence: "forensic", Level: 50, Category: "exchange",
		Actor: "binance", Date: "2024-02-26", TLP: "AMBER", Dataset: ds, File: "packs/" + ds + ".yaml", Line: 10 + i, PackTitle: "pack " + ds,
	}
}

func replaceTags(t *testing.T, s tags.Store, d tags.Dataset, ts []tags.Tag) {
	t.Helper()
	must(t, "ReplaceTags "+d.ID, s.ReplaceTags(t.Context(), d, ts))
}

func tagsRoundTrip(t *testing.T, s tags.Store) {
	full := tags.Tag{
		Address: "bc1qm34lsc65zpw79lxes69zkqmk6ee3ewf0j77s3h", Network: "btc", Currency: "BTC", Label: "Lazarus “group” ünïcode",
		Source: "https://home.treasury.gov/x?y=1&z=%41", Confidence: "authority_data", Level: 60, Category: "user", Abuse: "sanction",
		Concepts: []string{"perpetrator", "service_hack"}, Actor: "lazarusgroup", Date: "2022-04-15", Context: `{"a":[1,"x"]}`,
		TagType: "actor", ClusterDefiner: true, IsPublic: true, TLP: "CLEAR", Dataset: "d", File: "packs/lazarus.yaml", Line: 14, PackTitle: "OFAC Tagpack",
	}
	bare := tags.Tag{Address: "x", Network: "unknown", Label: "l", Source: "s", Confidence: "unknown", Level: 5, Dataset: "d", File: "f"}
	replaceTags(t, s, tagDataset("d", 2), []tags.Tag{full, bare})
	got, err := s.TagsByDataset(t.Context(), "d")
	must(t, "TagsByDataset", err)
	if len(got) != 2 || !reflect.DeepEqual(got[0], full) || !reflect.DeepEqual(got[1], bare) {
		t.Fatalf("TagsByDataset =\n%+v\nwant\n%+v", got, []tags.Tag{full, bare})
	}
}

func tagsReplace(t *testing.T, s tags.Store) {
	ctx := t.Context()
	a := []tags.Tag{sampleTag("a", 1), sampleTag("a", 2), sampleTag("a", 3)}
	b := []tags.Tag{sampleTag("b", 1)}
	replaceTags(t, s, tagDataset("a", 3), a)
	replaceTags(t, s, tagDataset("b", 1), b)
	// The same import again, then a smaller version of a.
	replaceTags(t, s, tagDataset("a", 3), a)
	got, err := s.TagsByAddress(ctx, a[0].Address)
	must(t, "TagsByAddress", err)
	if len(got) != 2 {
		t.Fatalf("after re-import, %d tags on %s, want 2 (one per dataset)", len(got), a[0].Address)
	}
	replaceTags(t, s, tagDataset("a", 1), a[2:])
	if got, _ := s.TagsByDataset(ctx, "a"); len(got) != 1 || got[0].Line != a[2].Line {
		t.Errorf("after replacing a with one tag: %+v", got)
	}
	if got, _ := s.TagsByDataset(ctx, "b"); len(got) != 1 {
		t.Errorf("dataset b has %d tags after replacing a, want 1", len(got))
	}
	replaceTags(t, s, tagDataset("a", 0), nil)
	if got, _ := s.TagsByDataset(ctx, "a"); len(got) != 0 {
		t.Errorf("empty replacement left %d tags", len(got))
	}
}

func tagsByAddress(t *testing.T, s tags.Store) {
	weak, strong := sampleTag("a", 1), sampleTag("b", 1)
	weak.Confidence, weak.Level = "web_crawl", 20
	strong.Confidence, strong.Level = "authority_data", 60
	replaceTags(t, s, tagDataset("a", 1), []tags.Tag{weak})
	replaceTags(t, s, tagDataset("b", 1), []tags.Tag{strong})
	got, err := s.TagsByAddress(t.Context(), weak.Address)
	must(t, "TagsByAddress", err)
	if len(got) != 2 || got[0].Level != 60 || got[1].Level != 20 {
		t.Fatalf("TagsByAddress = %+v, want the level-60 tag then the level-20 one", got)
	}
	other := sampleTag("a", 2)
	replaceTags(t, s, tagDataset("a", 2), []tags.Tag{weak, other})
	many, err := s.TagsByAddresses(t.Context(), []string{weak.Address, other.Address, "0xnothing", weak.Address})
	must(t, "TagsByAddresses", err)
	if len(many) != 2 || len(many[weak.Address]) != 2 || many[weak.Address][0].Level != 60 || len(many[other.Address]) != 1 {
		t.Fatalf("TagsByAddresses = %+v", many)
	}
	if none, err := s.TagsByAddresses(t.Context(), nil); err != nil || len(none) != 0 {
		t.Errorf("TagsByAddresses(nil) = %v, %v", none, err)
	}
	for _, miss := range []string{"0x" + weak.Address[3:], weak.Address[:41], ""} {
		if got, err := s.TagsByAddress(t.Context(), miss); err != nil || len(got) != 0 {
			t.Errorf("TagsByAddress(%q) = %d tags, %v; want none", miss, len(got), err)
		}
	}
}

func tagsByConcept(t *testing.T, s tags.Store) {
	mk := func(i int, cat, abuse string, concepts []string, level int) tags.Tag {
		tg := sampleTag("a", i)
		tg.Category, tg.Abuse, tg.Concepts, tg.Level = cat, abuse, concepts, level
		return tg
	}
	ts := []tags.Tag{
		mk(1, "mixing_service", "", nil, 50),
		mk(2, "user", "mixing_service", nil, 20),
		mk(3, "", "", []string{"defi", "mixing_service"}, 100),
		mk(4, "mixingXservice", "", []string{"mixingXservice"}, 100), // _ must not be a wildcard
		mk(5, "exchange", "", nil, 60),
	}
	replaceTags(t, s, tagDataset("a", len(ts)), ts)
	for _, c := range []struct {
		concept    string
		min, limit int
		wantLines  []int
	}{
		{"mixing_service", 0, 0, []int{13, 11, 12}},
		{"mixing_service", 50, 0, []int{13, 11}},
		{"mixing_service", 0, 1, []int{13}},
		{"exchange", 60, 0, []int{15}},
		{"exchange", 61, 0, nil},
		{"mixing", 0, 0, nil},
	} {
		got, err := s.TagsByConcept(t.Context(), c.concept, c.min, c.limit)
		must(t, "TagsByConcept", err)
		var lines []int
		for _, g := range got {
			lines = append(lines, g.Line)
		}
		if !reflect.DeepEqual(lines, c.wantLines) {
			t.Errorf("TagsByConcept(%q, min %d, limit %d) = lines %v, want %v", c.concept, c.min, c.limit, lines, c.wantLines)
		}
	}
}

func tagsByActor(t *testing.T, s tags.Store) {
	ts := []tags.Tag{sampleTag("a", 1), sampleTag("a", 2), sampleTag("a", 3)}
	ts[0].Actor, ts[1].Actor, ts[2].Actor = "lazarusgroup", "Lazarus Group", "apt38"
	replaceTags(t, s, tagDataset("a", 3), ts)
	for _, c := range []struct {
		names []string
		want  int
	}{
		{[]string{"lazarusgroup"}, 1},
		{[]string{"lazarusgroup", "Lazarus Group"}, 2},
		{[]string{"lazarusgroup", "Lazarus Group", "apt38"}, 3},
		{[]string{"LAZARUSGROUP"}, 0},
		{nil, 0},
	} {
		got, err := s.TagsByActor(t.Context(), c.names)
		must(t, "TagsByActor", err)
		if len(got) != c.want {
			t.Errorf("TagsByActor(%q) = %d tags, want %d", c.names, len(got), c.want)
		}
	}
}

func tagsActors(t *testing.T, s tags.Store) {
	ctx := t.Context()
	laz := tags.Actor{ID: "lazarusgroup", Label: "Lazarus Group", URI: "https://attack.mitre.org/groups/G0032/",
		Aliases: []string{"HIDDEN COBRA", "ZINC"}, Categories: []string{"sanction"}, Jurisdictions: []string{"KP"},
		Context: `{"refs":["x"]}`, LastMod: "2025-11-25", Dataset: "cur", File: "dprk.yaml", Line: 40}
	apt := tags.Actor{ID: "apt38", Label: "APT38", Dataset: "cur", File: "dprk.yaml", Line: 60,
		Relations: []tags.Relation{{Kind: tags.AttributedTo, From: "apt38", To: "lazarusgroup", Source: "sm774", Line: 70}}}
	gs := tags.Actor{ID: "lazarusgroup", Label: "Lazarus Group", Categories: []string{"phishing"}, Dataset: "gs", File: "gs.yaml", Line: 3}
	cur := tags.Dataset{ID: "cur", Kind: "actorpack", File: "dprk.yaml", SHA256: digest("cur"), ImportedAt: base, Actors: 2}
	must(t, "ReplaceActors", s.ReplaceActors(ctx, cur, []tags.Actor{laz, apt}))
	must(t, "ReplaceActors", s.ReplaceActors(ctx, tags.Dataset{ID: "gs", Kind: "actorpack", File: "gs.yaml", ImportedAt: base, Actors: 1}, []tags.Actor{gs}))
	// Re-importing the first dataset keeps its place in the order.
	must(t, "ReplaceActors again", s.ReplaceActors(ctx, cur, []tags.Actor{laz, apt}))
	got, err := s.TagActors(ctx)
	must(t, "TagActors", err)
	want := []tags.Actor{laz, apt, gs}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("TagActors =\n%+v\nwant\n%+v", got, want)
	}
	must(t, "ReplaceActors smaller", s.ReplaceActors(ctx, cur, []tags.Actor{apt}))
	if got, _ := s.TagActors(ctx); len(got) != 2 || got[0].ID != "apt38" {
		t.Errorf("after replacing cur with apt38 only: %+v", got)
	}
}

func tagsDatasets(t *testing.T, s tags.Store) {
	ctx := t.Context()
	a, b := tagDataset("a", 1), tagDataset("b", 1)
	replaceTags(t, s, a, []tags.Tag{sampleTag("a", 1)})
	replaceTags(t, s, b, []tags.Tag{sampleTag("b", 1)})
	a2 := a
	a2.SHA256, a2.ImportedAt, a2.Tags = digest("a2"), base.Add(time.Hour), 2
	replaceTags(t, s, a2, []tags.Tag{sampleTag("a", 1), sampleTag("a", 2)})
	got, err := s.TagDatasets(ctx)
	must(t, "TagDatasets", err)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("TagDatasets = %+v, want a then b", got)
	}
	if got[0].SHA256 != a2.SHA256 || got[0].Tags != 2 || got[0].Title != a.Title || got[0].File != a.File || got[0].Kind != "tagpack" {
		t.Errorf("dataset a = %+v, want the second import's record", got[0])
	}
	checkTime(t, "ImportedAt", got[0].ImportedAt, a2.ImportedAt)
}

func tagsCancelled(t *testing.T, s tags.Store) {
	replaceTags(t, s, tagDataset("a", 1), []tags.Tag{sampleTag("a", 1)})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.ReplaceTags(ctx, tagDataset("a", 2), []tags.Tag{sampleTag("a", 2), sampleTag("a", 3)}); err == nil {
		t.Fatal("ReplaceTags on a cancelled context succeeded")
	}
	got, err := s.TagsByDataset(t.Context(), "a")
	must(t, "TagsByDataset", err)
	if len(got) != 1 || got[0].Line != 11 {
		t.Errorf("after a cancelled replacement, dataset a = %+v, want the first import", got)
	}
}

func tagsConcurrent(t *testing.T, s tags.Store) {
	const writers, rounds, size = 4, 5, 50
	ts := make([]tags.Tag, size)
	for i := range ts {
		ts[i] = sampleTag("a", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for range writers {
		wg.Go(func() {
			for range rounds {
				errs <- s.ReplaceTags(t.Context(), tagDataset("a", size), ts)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, "concurrent ReplaceTags", err)
	}
	got, err := s.TagsByDataset(t.Context(), "a")
	must(t, "TagsByDataset", err)
	if len(got) != size {
		t.Fatalf("after %d concurrent imports of %d tags, the dataset has %d", writers*rounds, size, len(got))
	}
}
