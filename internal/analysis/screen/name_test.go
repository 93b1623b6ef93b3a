package screen

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// syntheticEntities is a small made-up list: a few targets among enough
// ordinary filler entities for word rarity to mean something.
func syntheticEntities() []sanctions.Entity {
	ents := []sanctions.Entity{
		{ID: "1", Type: sanctions.TypeIndividual, Programs: []string{"DPRK3"}, Nationalities: []string{"Korea, North"}, BirthDates: []string{"1984"},
			Names: []sanctions.Name{{Full: "Kim Jong Un", Primary: true}, {Full: "김정은", Script: "Hangul"}}},
		{ID: "2", Type: sanctions.TypeOrganization, Programs: []string{"DPRK3", "CYBER2"},
			Names: []sanctions.Name{{Full: "Lazarus Group", Primary: true}, {Full: "Hidden Cobra", LowQuality: true}, {Full: "Guardians of Peace", LowQuality: true}}},
		{ID: "3", Type: sanctions.TypeOrganization, Programs: []string{"DPRK2"},
			Names: []sanctions.Name{{Full: "CHEIL CREDIT BANK", Primary: true}, {Full: "First Credit Bank"}}},
		{ID: "4", Type: sanctions.TypeIndividual, Programs: []string{"DPRK"}, Reference: "KPi.066",
			Names: []sanctions.Name{{Full: "RI JONG CHOL", Primary: true}}},
		{ID: "5", Type: sanctions.TypeIndividual, Programs: []string{"SDGT"}, Nationalities: []string{"Yemen"}, BirthDates: []string{"1970-05-01"},
			Names: []sanctions.Name{{Full: "Mohammed Ali Hassan AL-MAQDISI", Primary: true}}},
		{ID: "6", Type: sanctions.TypeIndividual, Programs: []string{"RUSSIA-EO14024"}, Nationalities: []string{"Russia"}, BirthDates: []string{"1952-10-07"},
			Names: []sanctions.Name{{Full: "PUTIN Vladimir Vladimirovich", Primary: true}}},
		{ID: "7", Type: sanctions.TypeVessel, Programs: []string{"IRAN"},
			Names: []sanctions.Name{{Full: "STAR PRIDE", Primary: true}}},
		{ID: "8", Type: sanctions.TypeIndividual, Programs: []string{"SDNTK"}, Nationalities: []string{"Mexico"},
			Names: []sanctions.Name{{Full: "José Müller Ñúñez", Primary: true}}},
		{ID: "9", Type: sanctions.TypeIndividual, Programs: []string{"SDGT"},
			Names: []sanctions.Name{{Full: "LI Jong Chol", Primary: true}}},
	}
	// Filler: ordinary names so that "kim", "mohammed", "ali", "bank" and
	// "group" are common words, as on the real lists.
	given := []string{"Kim", "Mohammed", "Ali", "Hassan", "Ahmed", "Jose", "Maria", "Chol", "Jong"}
	for i := range 200 {
		ents = append(ents, sanctions.Entity{
			ID: fmt.Sprintf("f%d", i), Type: sanctions.TypeIndividual,
			Names: []sanctions.Name{{Full: fmt.Sprintf("%s %s Filler%03d", given[i%len(given)], given[(i/len(given)+1+i)%len(given)], i)}},
		})
		if i%4 == 0 {
			ents = append(ents, sanctions.Entity{ID: fmt.Sprintf("g%d", i), Type: sanctions.TypeOrganization,
				Names: []sanctions.Name{{Full: fmt.Sprintf("Trading%03d Bank Group", i)}}})
		}
	}
	return ents
}

func syntheticIndex(t testing.TB) *nameIndex {
	t.Helper()
	return newNameIndex([]Dataset{{Version: VersionRef{ID: "test-1", Source: sanctions.SourceOFAC}, Entities: syntheticEntities()}})
}

func TestNameSearchFindsVariantsOfListedNames(t *testing.T) {
	ix := syntheticIndex(t)
	tests := []struct {
		name, query, want string
		exact             bool
	}{
		{"the primary name matches exactly", "Kim Jong Un", "1", true},
		{"word order does not matter", "Jong Un Kim", "1", true},
		{"case and punctuation do not matter", "KIM, jong-un", "1", true},
		{"a given name written as one word matches", "Kim Jongun", "1", false},
		{"an honorific is ignored", "Mr. Kim Jong Un", "1", false},
		{"the original script matches", "김정은", "1", true},
		{"Hangul matches the romanised name", "김 정은", "1", true},
		{"an alias matches", "hidden cobra", "2", true},
		{"a legal form is ignored", "Cheil Credit Bank Ltd.", "3", false},
		{"a misspelling matches", "Cheil Credt Bank", "3", false},
		{"a Korean surname variant matches a Korea-linked entity", "Lee Jong Chol", "4", false},
		{"a Korean given-name variant matches", "Ri Jeong Cheol", "4", false},
		{"diacritics do not matter", "Jose Muller Nunez", "8", true},
		{"a missing patronymic is tolerated", "Vladimir Putin", "6", false},
		{"a transliteration from Cyrillic matches", "Владимир Путин", "6", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := ix.search(NameQuery{Name: tc.query})
			if len(ms) == 0 {
				t.Fatalf("%q: no hit, want entity %s", tc.query, tc.want)
			}
			top := ms[0]
			if top.EntityID != tc.want {
				t.Fatalf("%q: top hit %s (%q, %.3f), want %s", tc.query, top.EntityID, top.MatchedName, top.Score, tc.want)
			}
			if top.Score < DefaultThreshold || top.Score > 1 {
				t.Errorf("%q: score %.3f outside [threshold, 1]", tc.query, top.Score)
			}
			if tc.exact && top.Score != 1 {
				t.Errorf("%q: score %.3f, want 1 for the same words", tc.query, top.Score)
			}
			if len(top.Explanation) == 0 || top.MatchedName == "" {
				t.Errorf("%q: hit without explanation or matched name: %+v", tc.query, top)
			}
		})
	}
}

func TestNameSearchRejectsDifferentNames(t *testing.T) {
	ix := syntheticIndex(t)
	for _, q := range []string{
		"Mohammed",              // a common given name alone
		"Mohammed Ali",          // two common words of a four-word name
		"Kim",                   // a common surname alone
		"John Kim Jong Un Park", // the name inside a longer, different one
		"Lazarus Sawyer",        // a rare word plus an unknown one
		"Star Pride Logistics",  // a vessel name inside a company name
		"Jim Jong Un",           // a different surname
		"Credit Bank",           // generic words of a bank's name
		"Ri Jong Chol Hyon",     // an extra given name
		"Ltd",                   // only a legal form
		"",                      // nothing
		"...",                   // nothing after normalisation
	} {
		t.Run(fmt.Sprintf("%q has no hit", q), func(t *testing.T) {
			if ms := ix.search(NameQuery{Name: q}); len(ms) > 0 {
				t.Errorf("%q: hit %s %q via %q score %.3f %v", q, ms[0].EntityID, ms[0].Name, ms[0].MatchedName, ms[0].Score, ms[0].Explanation)
			}
		})
	}
}

func TestKoreanVariantsOnlyApplyToKoreaLinkedEntities(t *testing.T) {
	ix := syntheticIndex(t)
	// Entity 9 ("LI Jong Chol", SDGT, no Korean link) must not match "Ri"
	// through the Korean surname table; entity 4 ("RI JONG CHOL", DPRK) must.
	ms := ix.search(NameQuery{Name: "Ri Jong Chol", Limit: 5})
	ids := matchIDs(ms)
	if !slices.Contains(ids, "4") {
		t.Errorf("Ri Jong Chol: hits %v, want entity 4", ids)
	}
	if slices.Contains(ids, "9") {
		t.Errorf("Ri Jong Chol: hits %v, entity 9 is not Korea-linked", ids)
	}
}

func TestNameSearchReportsEachEntityOnceBestFirst(t *testing.T) {
	ix := syntheticIndex(t)
	ms := ix.search(NameQuery{Name: "Jong Chol", Threshold: 0.3, Limit: 50})
	seen := map[string]bool{}
	for i, m := range ms {
		if seen[m.EntityID] {
			t.Errorf("entity %s reported twice", m.EntityID)
		}
		seen[m.EntityID] = true
		if i > 0 && m.Score > ms[i-1].Score {
			t.Errorf("match %d (%.3f) ranks below a lower score (%.3f)", i, m.Score, ms[i-1].Score)
		}
		if m.Score < 0.3 {
			t.Errorf("match %s below the threshold: %.3f", m.EntityID, m.Score)
		}
	}
	if len(ms) < 2 {
		t.Fatalf("want several matches at threshold 0.3, got %d", len(ms))
	}
	if got := ix.search(NameQuery{Name: "Jong Chol", Threshold: 0.3, Limit: 1}); len(got) != 1 || got[0].EntityID != ms[0].EntityID {
		t.Errorf("Limit 1 gave %v, want only %s", matchIDs(got), ms[0].EntityID)
	}
}

func TestNameMatchCarriesTheListAndTheExplanation(t *testing.T) {
	ix := syntheticIndex(t)
	ms := ix.search(NameQuery{Name: "Guardians of Peace"})
	if len(ms) != 1 {
		t.Fatalf("got %d matches, want 1", len(ms))
	}
	m := ms[0]
	want := Match{List: "ofac", ListVersion: "test-1", EntityID: "2", Name: "Lazarus Group", Type: sanctions.TypeOrganization,
		Programs: []string{"DPRK3", "CYBER2"}, Score: 1, MatchedName: "Guardians of Peace"}
	expl := m.Explanation
	m.Explanation = nil
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("match\n got %+v\nwant %+v", m, want)
	}
	wantExpl := []TokenMatch{{"guardians", "guardians", 1}, {"of", "of", 1}, {"peace", "peace", 1}}
	if !slices.Equal(expl, wantExpl) {
		t.Errorf("explanation %v, want %v", expl, wantExpl)
	}

	ms = ix.search(NameQuery{Name: "Cheil Credt Bank Ltd"})
	if len(ms) == 0 {
		t.Fatal("no hit for a misspelling")
	}
	wantExpl = []TokenMatch{{"cheil", "cheil", 1}, {"credt", "credit", ms[0].Explanation[1].Score}, {"bank", "bank", 1}, {"ltd", "", 0}}
	if !slices.Equal(ms[0].Explanation, wantExpl) || wantExpl[1].Score >= 1 || wantExpl[1].Score < 0.84 {
		t.Errorf("explanation %v, want %v with credt~credit in [0.84,1)", ms[0].Explanation, wantExpl)
	}

	ms = ix.search(NameQuery{Name: "Vladimir Putin"})
	if len(ms) == 0 || ms[0].Explanation[len(ms[0].Explanation)-1] != (TokenMatch{Listed: "vladimirovich"}) {
		t.Errorf("explanation should end with the listed word nothing matched: %+v", ms)
	}
}

func TestNameSearchFilters(t *testing.T) {
	ix := syntheticIndex(t)
	tests := []struct {
		name  string
		q     NameQuery
		found bool
	}{
		{"a matching type keeps the hit", NameQuery{Types: []sanctions.EntityType{sanctions.TypeIndividual}}, true},
		{"another type drops it", NameQuery{Types: []sanctions.EntityType{sanctions.TypeVessel}}, false},
		{"a program matches case-insensitively", NameQuery{Programs: []string{"dprk3"}}, true},
		{"another program drops it", NameQuery{Programs: []string{"SDGT"}}, false},
		{"a country matches a part of the nationality", NameQuery{Country: "north"}, true},
		{"another country drops it", NameQuery{Country: "Iran"}, false},
		{"the birth year matches", NameQuery{BirthYear: 1984}, true},
		{"a year off is tolerated", NameQuery{BirthYear: 1983}, true},
		{"two years off drop it", NameQuery{BirthYear: 1982}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Name = "Kim Jong Un"
			if got := slices.Contains(matchIDs(ix.search(q)), "1"); got != tc.found {
				t.Errorf("found %v, want %v", got, tc.found)
			}
		})
	}
	t.Run("unknown facts never exclude", func(t *testing.T) {
		// Entity 2 has no nationality and no birth date.
		if ids := matchIDs(ix.search(NameQuery{Name: "Lazarus Group", Country: "Korea", BirthYear: 1950})); !slices.Contains(ids, "2") {
			t.Errorf("hits %v, want entity 2", ids)
		}
	})
}

func TestNameSearchOnAnEmptyIndex(t *testing.T) {
	ix := newNameIndex(nil)
	if ms := ix.search(NameQuery{Name: "Kim Jong Un"}); ms != nil {
		t.Errorf("got %v", ms)
	}
	if r := NewIndex().ScreenName(NameQuery{Name: "x"}); r.Hit || r.Matches == nil {
		t.Errorf("got %+v, want no hit and an empty list", r)
	}
}

func TestNameScoreIsBounded(t *testing.T) {
	for _, c := range [][4]float64{{0, 0, 0, 0}, {5, 5, 5, 5}, {5, 10, 1, 10}, {10, 10, 20, 30}, {1, 1, 0, 4}} {
		if s := nameScore(c[0], c[1], c[2], c[3]); s < 0 || s > 1 {
			t.Errorf("nameScore%v = %v", c, s)
		}
	}
}

func matchIDs(ms []Match) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.EntityID)
	}
	return ids
}

func TestNameVariantsUnpackListedNames(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"a plain name is itself", "Lazarus Group", []string{"Lazarus Group"}},
		{"an acronym in parentheses is dropped", "KOREA KWANGSON BANKING CORPORATION (KKBC)",
			[]string{"KOREA KWANGSON BANKING CORPORATION (KKBC)", "KOREA KWANGSON BANKING CORPORATION"}},
		{"a romanisation list after another script is unpacked", "أبو بكر (Abu Bakr; Abu Bakr al-Baghdadi)",
			[]string{"أبو بكر (Abu Bakr; Abu Bakr al-Baghdadi)", "أبو بكر", "Abu Bakr", "Abu Bakr al-Baghdadi"}},
		{"a place in parentheses is no name", "鴻祥海運(香港)有限公司", []string{"鴻祥海運(香港)有限公司", "鴻祥海運 有限公司"}},
		{"semicolons separate names", "Ali; Ali Hassan", []string{"Ali; Ali Hassan", "Ali", "Ali Hassan"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nameVariants(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("nameVariants(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestUpperBoundNeverDropsAHit checks mayReach against align on every name of
// the synthetic index: a name it rules out must score below the threshold.
func TestUpperBoundNeverDropsAHit(t *testing.T) {
	ix := syntheticIndex(t)
	for _, q := range []string{"Kim Jong Un", "Kim Jongun", "Jong Chol", "Lee Jong Chol", "Mohammed Ali", "Lazarus Grop", "Cheil Credit", "Trading001 Bank", "Vladimir Putin", "Jose Muller"} {
		t.Run(fmt.Sprintf("%q", q), func(t *testing.T) {
			sc := ix.scratch.Get().(*searchScratch)
			defer ix.scratch.Put(sc)
			sc.next()
			for i, w := range normalizeTokens(nil, q) {
				sc.qwords = append(sc.qwords, ix.lookupWord(sc, i, w))
			}
			for n := range ix.names {
				s, _ := ix.align(sc, int32(n), false)
				for _, th := range []float64{0.3, 0.6, DefaultThreshold} {
					if s >= th && !ix.mayReach(sc, int32(n), th) {
						t.Errorf("%q scores %.3f against %q but mayReach(%.2f) is false", q, s, ix.names[n].text, th)
					}
				}
			}
		})
	}
}

func TestNameSearchIsSafeForConcurrentUse(t *testing.T) {
	ix := syntheticIndex(t)
	queries := []string{"Kim Jong Un", "Lazarus Grop", "김정은", "Mohammed Ali", "Lee Jong Chol", "Vladimir Putin", "nobody at all"}
	want := make([]string, len(queries))
	for i, q := range queries {
		want[i] = fmt.Sprint(ix.search(NameQuery{Name: q, Threshold: 0.5}))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(queries)
				if got := fmt.Sprint(ix.search(NameQuery{Name: queries[i], Threshold: 0.5})); got != want[i] {
					t.Errorf("%q: concurrent result differs:\n got %s\nwant %s", queries[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzNameSearch checks that any query, with any threshold, returns at most
// one match per entity, best first, with scores in [threshold, 1] and an
// explanation, and never panics.
func FuzzNameSearch(f *testing.F) {
	ix := syntheticIndex(f)
	for _, s := range []string{"Kim Jong Un", "김정은", "Lazarus Grop", "Mr. O", "D Company", "jongun kim", "Ли Чен", "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a", "\xff"} {
		f.Add(s, 0.9)
		f.Add(s, 0.3)
	}
	f.Fuzz(func(t *testing.T, name string, threshold float64) {
		if threshold != threshold || threshold > 1 {
			threshold = 0
		}
		ms := ix.search(NameQuery{Name: name, Threshold: threshold, Limit: 20})
		floor := threshold
		if floor <= 0 {
			floor = DefaultThreshold
		}
		seen := map[string]bool{}
		for i, m := range ms {
			if m.Score < roundDown(floor) || m.Score > 1 || len(m.Explanation) == 0 || seen[m.EntityID] {
				t.Fatalf("%q: bad match %d: %+v", name, i, m)
			}
			if i > 0 && m.Score > ms[i-1].Score {
				t.Fatalf("%q: not best first: %v", name, ms)
			}
			seen[m.EntityID] = true
		}
	})
}
