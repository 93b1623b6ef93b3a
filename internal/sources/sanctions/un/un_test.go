package un

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

const samplePath = "testdata/consolidated_sample.xml"

func parseFile(t *testing.T, path string) *sanctions.List {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Parse(context.Background(), f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return l
}

func find(l *sanctions.List, id string) *sanctions.Entity {
	i := slices.IndexFunc(l.Entities, func(e sanctions.Entity) bool { return e.ID == id })
	if i < 0 {
		return nil
	}
	return &l.Entities[i]
}

func TestParseSample(t *testing.T) {
	l := parseFile(t, samplePath)
	if l.Source != sanctions.SourceUN || !l.Published.Equal(time.Date(2026, 2, 27, 0, 0, 9, 554e6, time.UTC)) {
		t.Errorf("source %s published %v", l.Source, l.Published)
	}
	if len(l.Entities) != 6 {
		t.Fatalf("%d records, want 6", len(l.Entities))
	}
	tests := []struct {
		name string
		id   string
		want sanctions.Entity
	}{
		{"a DPRK individual has names, nationality, birth date and reference", "690734", sanctions.Entity{
			ID: "690734", Reference: "KPi.001", Type: sanctions.TypeIndividual,
			Names: []sanctions.Name{
				{Full: "YUN HO-JIN", Script: "Latin", Primary: true, Kind: "name"},
				{Full: "Yun Ho-chin", Script: "Latin", Kind: "a.k.a."},
			},
			Programs: []string{"DPRK"}, BirthDates: []string{"1944-10-13"},
			Nationalities: []string{"Democratic People's Republic of Korea"}, ListedOn: "2009-07-16",
			Remarks: "Director of Namchongang Trading Corporation; oversees the import of items\nneeded for the uranium enrichment program.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(l, tt.id)
			if got == nil {
				t.Fatalf("record %s missing", tt.id)
			}
			if !entityEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
	t.Run("the Reconnaissance General Bureau is a DPRK entity with a.k.a.s", func(t *testing.T) {
		e := find(l, "6908526")
		if e == nil || e.Type != sanctions.TypeOrganization || e.PrimaryName() != "RECONNAISSANCE GENERAL BUREAU" ||
			e.Reference != "KPe.031" || !slices.Equal(e.Programs, []string{"DPRK"}) {
			t.Fatalf("got %+v", e)
		}
		if !slices.Contains(e.Names, sanctions.Name{Full: "Chongch’al Ch’ongguk", Script: "Latin", Kind: "a.k.a."}) {
			t.Errorf("names %+v", e.Names)
		}
	})
	t.Run("an original-script name is a second primary name in its script", func(t *testing.T) {
		e := find(l, "6908704")
		if e == nil || len(e.Names) < 2 || e.Names[1] != (sanctions.Name{Full: "احمد عمر امحمد الفيتوري", Script: "Arabic", Primary: true, Kind: "name"}) {
			t.Fatalf("got %+v", e)
		}
		if !slices.Contains(e.Names, sanctions.Name{Full: "The Uncle", Script: "Latin", LowQuality: true, Kind: "a.k.a."}) {
			t.Errorf("low-quality alias missing from %+v", e.Names)
		}
		if len(e.Identifiers) == 0 || e.Identifiers[0].Type != "Passport" {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
	})
	t.Run("a birth date between two years is an interval", func(t *testing.T) {
		e := find(l, "6908021")
		if e == nil || !slices.Contains(e.BirthDates, "1973/1974") {
			t.Fatalf("got %+v", e)
		}
	})
	t.Run("an entity's f.k.a. keeps its kind", func(t *testing.T) {
		e := find(l, "690751")
		if e == nil || !slices.ContainsFunc(e.Names, func(n sanctions.Name) bool { return n.Kind == "f.k.a." }) {
			t.Fatalf("got %+v", e)
		}
	})
	t.Run("a listing date with a zone offset keeps its date", func(t *testing.T) {
		if e := find(l, "6908452"); e == nil || e.ListedOn != "2015-04-07" {
			t.Fatalf("got %+v", e)
		}
	})
}

func entityEqual(a, b sanctions.Entity) bool {
	return a.ID == b.ID && a.Reference == b.Reference && a.Type == b.Type && slices.Equal(a.Names, b.Names) &&
		slices.Equal(a.Programs, b.Programs) && slices.Equal(a.Identifiers, b.Identifiers) &&
		slices.Equal(a.BirthDates, b.BirthDates) && slices.Equal(a.BirthPlaces, b.BirthPlaces) &&
		slices.Equal(a.Nationalities, b.Nationalities) && slices.Equal(a.Addresses, b.Addresses) &&
		a.ListedOn == b.ListedOn && a.Remarks == b.Remarks
}

var (
	realOnce sync.Once
	realUN   *sanctions.List
	realErr  error
)

func realList(t *testing.T) *sanctions.List {
	t.Helper()
	path := sharedtest.Decompressed(t, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	realOnce.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			realErr = err
			return
		}
		defer f.Close()
		realUN, realErr = Parse(context.Background(), f)
	})
	if realErr != nil {
		t.Fatalf("parse %s: %v", path, realErr)
	}
	return realUN
}

// TestRealListCounts asserts the counts measured with the commands in
// ../shared/data/README.md (section "sanctions_other").
func TestRealListCounts(t *testing.T) {
	l := realList(t)
	byType := map[sanctions.EntityType]int{}
	dprk := map[sanctions.EntityType]int{}
	original, scripts := 0, map[string]int{}
	for _, e := range l.Entities {
		byType[e.Type]++
		if slices.Equal(e.Programs, []string{"DPRK"}) {
			dprk[e.Type]++
		}
		if len(e.Names) > 1 && e.Names[1].Primary {
			original++
			scripts[e.Names[1].Script]++
		}
	}
	t.Run("730 individuals and 273 entities", func(t *testing.T) {
		if byType[sanctions.TypeIndividual] != 730 || byType[sanctions.TypeOrganization] != 273 || len(byType) != 2 {
			t.Errorf("by type %v", byType)
		}
	})
	t.Run("155 DPRK records: 80 individuals and 75 entities", func(t *testing.T) {
		if dprk[sanctions.TypeIndividual] != 80 || dprk[sanctions.TypeOrganization] != 75 {
			t.Errorf("DPRK by type %v", dprk)
		}
	})
	t.Run("378 original-script names, mostly Arabic", func(t *testing.T) {
		// Counted from the letters of each NAME_ORIGINAL_SCRIPT.
		if original != 378 || scripts["Arabic"] != 366 || scripts["Cyrillic"] != 11 || scripts["Latin"] != 1 {
			t.Errorf("%d original-script names by script %v", original, scripts)
		}
	})
	t.Run("the Reconnaissance General Bureau is listed", func(t *testing.T) {
		i := slices.IndexFunc(l.Entities, func(e sanctions.Entity) bool { return e.PrimaryName() == "RECONNAISSANCE GENERAL BUREAU" })
		if i < 0 || l.Entities[i].Reference != "KPe.031" {
			t.Errorf("not found")
		}
	})
	t.Run("every record has an ID, a name, a program and a listing date", func(t *testing.T) {
		for _, e := range l.Entities {
			if e.ID == "" || e.PrimaryName() == "" || len(e.Programs) != 1 || len(e.ListedOn) != len(time.DateOnly) {
				t.Fatalf("incomplete %+v", e)
			}
		}
	})
}

func TestParseRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"an empty document", "", "no root element"},
		{"another list's root", `<sdnList></sdnList>`, "root element is <sdnList>"},
		{"mismatched tags", `<CONSOLIDATED_LIST><INDIVIDUALS></ENTITIES></CONSOLIDATED_LIST>`, "element <INDIVIDUALS> closed by </ENTITIES>"},
		{"a truncated record", `<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>`, "unexpected EOF"},
		{"a record without DATAID", `<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>X</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>`, "without DATAID"},
		{"a record without a name", `<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID></ENTITY></ENTITIES></CONSOLIDATED_LIST>`, "has no name"},
		{"a bad generation date", `<CONSOLIDATED_LIST dateGenerated="yesterday"></CONSOLIDATED_LIST>`, "dateGenerated"},
		{"two roots", `<CONSOLIDATED_LIST/><CONSOLIDATED_LIST/>`, "second root element"},
		{"text after the root", `<CONSOLIDATED_LIST/>junk`, "text outside the root element"},
		{"binary garbage", "\x00\x01\x02", "illegal character"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is malformed", func(t *testing.T) {
			_, err := Parse(context.Background(), strings.NewReader(tt.doc))
			if !errors.Is(err, sanctions.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want ErrMalformed saying %q", err, tt.want)
			}
		})
	}
}

func TestParseAcceptsAByteOrderMark(t *testing.T) {
	doc := "\uFEFF<?xml version=\"1.0\"?><CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>X</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>"
	l, err := Parse(context.Background(), strings.NewReader(doc))
	if err != nil || len(l.Entities) != 1 {
		t.Errorf("got %v, %v", l, err)
	}
}

func TestParseReportsReadErrorsAsSuch(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Parse(context.Background(), iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, sanctions.ErrMalformed) {
		t.Errorf("err %v, want the reader's error and not ErrMalformed", err)
	}
}

func TestParseStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := os.Open(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Parse(ctx, f); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestDetectScript(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Latin letters are Latin", "KIM Jong Un", "Latin"},
		{"Hangul is Hangul", "김정은", "Hangul"},
		{"Arabic is Arabic", "احمد عمر", "Arabic"},
		{"Cyrillic is Cyrillic", "Иван Петров", "Cyrillic"},
		{"Chinese characters are Han", "金正恩", "Han"},
		{"the majority script wins", "Ким Чен Ын Jong", "Cyrillic"},
		{"no letters is no script", "123 - !", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectScript(tt.in); got != tt.want {
				t.Errorf("detectScript(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
