package ofac

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestParseSample(t *testing.T) {
	l := loadSample(t)
	if got := l.Published; !got.Equal(time.Date(2025, 11, 19, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", got)
	}
	tests := []struct {
		name   string
		id     string
		check  func(e *sanctions.Entity) bool
		expect string
	}{
		{"Lazarus Group is an entity in DPRK3 listed 2019-09-13", "27307", func(e *sanctions.Entity) bool {
			return e.Type == sanctions.TypeOrganization && e.PrimaryName() == "Lazarus Group" &&
				slices.Equal(e.Programs, []string{"DPRK3"}) && e.ListedOn == "2019-09-13"
		}, "entity, Lazarus Group, [DPRK3], 2019-09-13"},
		{"Lazarus Group keeps its low-quality a.k.a.s", "27307", func(e *sanctions.Entity) bool {
			return len(e.Names) == 12 && e.Names[1] == sanctions.Name{Full: "Hidden Cobra", Script: "Latin", LowQuality: true, Kind: "a.k.a."}
		}, "12 names, the second Hidden Cobra (a.k.a., low quality)"},
		{"Lazarus Group's addresses keep their published case", "27307", func(e *sanctions.Entity) bool {
			return len(e.Addresses) == 8 && e.Addresses[0] == sanctions.DigitalAddress{Currency: "ETH", Address: "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"}
		}, "8 ETH addresses, the first 0x098B716B8Aaf21512996dC57EB0615e2383E2f96"},
		{"CHEIL CREDIT BANK has 53 USDT addresses", "22985", func(e *sanctions.Entity) bool {
			return len(e.Addresses) == 53 && e.Addresses[0].Currency == "USDT"
		}, "53 USDT"},
		{"a year range birth date is an interval", "20125", func(e *sanctions.Entity) bool {
			return slices.Equal(e.BirthDates, []string{"1937/1938"})
		}, "[1937/1938]"},
		{"Chinese names carry their script", "22603", func(e *sanctions.Entity) bool {
			return slices.ContainsFunc(e.Names, func(n sanctions.Name) bool { return n.Script == "Chinese Simplified" })
		}, "a Chinese Simplified name"},
		{"programs are sorted", "9345", func(e *sanctions.Entity) bool {
			return slices.Equal(e.Programs, []string{"DPRK2", "NPWMD"})
		}, "[DPRK2 NPWMD]"},
		{"a vessel is a vessel", "17069", func(e *sanctions.Entity) bool {
			return e.Type == sanctions.TypeVessel && e.PrimaryName() == "Chong Chon Gang"
		}, "vessel Chong Chon Gang"},
		{"an aircraft is an aircraft", "15432", func(e *sanctions.Entity) bool {
			return e.Type == sanctions.TypeAircraft && e.PrimaryName() == "EP-GOL"
		}, "aircraft EP-GOL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := findEntity(l, tt.id)
			if e == nil {
				t.Fatalf("party %s missing", tt.id)
			}
			if !tt.check(e) {
				t.Errorf("want %s, got %+v", tt.expect, *e)
			}
		})
	}
}

// minimal builds a small document around a DistinctParties body and optional
// SanctionsEntries, without reference values: the fixed sub-type IDs apply.
func minimal(parties, entries string) string {
	return `<?xml version="1.0"?>
<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
<DateOfIssue><Year>2024</Year><Month>2</Month><Day>29</Day></DateOfIssue>
<ReferenceValueSets>
 <AliasTypeValues><AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1403">Name</AliasType></AliasTypeValues>
 <FeatureTypeValues>
  <FeatureType ID="8">Birthdate</FeatureType>
  <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
 </FeatureTypeValues>
 <ListValues><List ID="1550">SDN List</List><List ID="91507">Sectoral Sanctions Identifications List</List></ListValues>
 <ScriptValues><Script ID="215">Latin</Script></ScriptValues>
</ReferenceValueSets>
<DistinctParties>` + parties + `</DistinctParties>
<SanctionsEntries>` + entries + `</SanctionsEntries>
</Sanctions>`
}

func TestParseHandlesXMLDetails(t *testing.T) {
	parties := `
<DistinctParty FixedRef="1"><Comment>all offices &amp; branches</Comment>
 <Profile ID="10" PartySubTypeID="3"><Identity ID="100">
  <Alias AliasTypeID="1400" Primary="false" LowQuality="false"><DocumentedName>
   <DocumentedNamePart><NamePartValue ScriptID="215">Smith &amp; Sons</NamePartValue></DocumentedNamePart>
  </DocumentedName></Alias>
  <Alias AliasTypeID="1403" Primary="true" LowQuality="false"><DocumentedName>
   <DocumentedNamePart><NamePartValue ScriptID="215"><![CDATA[ACME <Trading>]]></NamePartValue></DocumentedNamePart>
   <DocumentedNamePart><NamePartValue ScriptID="215"> Ltd. </NamePartValue></DocumentedNamePart>
  </DocumentedName></Alias>
 </Identity>
 <Feature ID="5" FeatureTypeID="345"><FeatureVersion><VersionDetail DetailTypeID="1432">0xAbC</VersionDetail></FeatureVersion></Feature>
 <Feature ID="6" FeatureTypeID="8"><FeatureVersion><DatePeriod>
  <Start><From><Year>1960</Year><Month>1</Month><Day>1</Day></From><To><Year>1960</Year><Month>1</Month><Day>1</Day></To></Start>
  <End><From><Year>1962</Year><Month>12</Month><Day>31</Day></From><To><Year>1962</Year><Month>12</Month><Day>31</Day></To></End>
 </DatePeriod></FeatureVersion></Feature>
 </Profile>
</DistinctParty>
<x:DistinctParty xmlns:x="urn:x" FixedRef="2"><x:Profile ID="20" PartySubTypeID="4"/></x:DistinctParty>`
	entries := `
<SanctionsEntry ID="1" ProfileID="10" ListID="91507">
 <EntryEvent><Date><Year>2001</Year><Month>1</Month><Day>2</Day></Date></EntryEvent>
 <SanctionsMeasure SanctionsTypeID="1"><Comment>UKRAINE-EO13662</Comment></SanctionsMeasure>
</SanctionsEntry>
<SanctionsEntry ID="2" ProfileID="10" ListID="1550">
 <EntryEvent><Date><Year>2014</Year><Month>7</Month><Day>16</Day></Date></EntryEvent>
 <SanctionsMeasure SanctionsTypeID="1705"><Comment>not a program</Comment></SanctionsMeasure>
 <SanctionsMeasure SanctionsTypeID="1"><Comment>RUSSIA-EO14024</Comment></SanctionsMeasure>
 <SanctionsMeasure SanctionsTypeID="1"><Comment>UKRAINE-EO13662</Comment></SanctionsMeasure>
</SanctionsEntry>
<SanctionsEntry ID="3" ProfileID="20" ListID="91507">
 <EntryEvent><Date><Year>2010</Year><Month>5</Month><Day>6</Day></Date></EntryEvent>
</SanctionsEntry>
<SanctionsEntry ID="4" ProfileID="20" ListID="91507">
 <EntryEvent><Date><Year>2009</Year><Month>5</Month><Day>6</Day></Date></EntryEvent>
</SanctionsEntry>`
	l, err := Parse(context.Background(), strings.NewReader(minimal(parties, entries)))
	if err != nil {
		t.Fatal(err)
	}
	if !l.Published.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("published %v", l.Published)
	}
	if len(l.Entities) != 2 {
		t.Fatalf("%d entities", len(l.Entities))
	}
	e := l.Entities[0]
	t.Run("the primary alias comes first and CDATA and entities are decoded", func(t *testing.T) {
		want := []sanctions.Name{
			{Full: "ACME <Trading> Ltd.", Script: "Latin", Primary: true, Kind: "name"},
			{Full: "Smith & Sons", Script: "Latin", Kind: "a.k.a."},
		}
		if !slices.Equal(e.Names, want) {
			t.Errorf("names %+v", e.Names)
		}
		if e.Remarks != "all offices & branches" {
			t.Errorf("remarks %q", e.Remarks)
		}
	})
	t.Run("programs are merged across entries and the SDN entry gives the listing date", func(t *testing.T) {
		if !slices.Equal(e.Programs, []string{"RUSSIA-EO14024", "UKRAINE-EO13662"}) || e.ListedOn != "2014-07-16" {
			t.Errorf("programs %v listed %s", e.Programs, e.ListedOn)
		}
		if l.Entities[1].ListedOn != "2009-05-06" {
			t.Errorf("a party on no SDN entry is listed on its earliest entry, got %s", l.Entities[1].ListedOn)
		}
	})
	t.Run("features are mapped", func(t *testing.T) {
		if !slices.Equal(e.Addresses, []sanctions.DigitalAddress{{Currency: "ETH", Address: "0xAbC"}}) ||
			!slices.Equal(e.BirthDates, []string{"1960/1962"}) {
			t.Errorf("addresses %v birth %v", e.Addresses, e.BirthDates)
		}
	})
	t.Run("namespace prefixes and fixed sub-type IDs are understood", func(t *testing.T) {
		if l.Entities[1].ID != "2" || l.Entities[1].Type != sanctions.TypeIndividual {
			t.Errorf("got %+v", l.Entities[1])
		}
	})
}

func TestFormatPeriod(t *testing.T) {
	d := func(y, m, dd int) ymd { return ymd{y, m, dd} }
	tests := []struct {
		name  string
		dates [4]ymd
		want  string
	}{
		{"an exact day is YYYY-MM-DD", [4]ymd{d(1966, 9, 25), d(1966, 9, 25), d(1966, 9, 25), d(1966, 9, 25)}, "1966-09-25"},
		{"a whole year is YYYY", [4]ymd{d(1946, 1, 1), d(1946, 1, 1), d(1946, 12, 31), d(1946, 12, 31)}, "1946"},
		{"a whole month is YYYY-MM", [4]ymd{d(1938, 9, 1), d(1938, 9, 1), d(1938, 9, 30), d(1938, 9, 30)}, "1938-09"},
		{"a leap February is a whole month", [4]ymd{d(1964, 2, 1), d(1964, 2, 1), d(1964, 2, 29), d(1964, 2, 29)}, "1964-02"},
		{"whole years are a year interval", [4]ymd{d(1955, 1, 1), d(1955, 12, 31), d(1957, 1, 1), d(1957, 12, 31)}, "1955/1957"},
		{"whole months are a month interval", [4]ymd{d(1962, 3, 1), d(1962, 3, 31), d(1963, 2, 1), d(1963, 2, 28)}, "1962-03/1963-02"},
		{"other spans are a day interval", [4]ymd{d(1950, 3, 21), d(1950, 3, 21), d(1951, 3, 20), d(1951, 3, 20)}, "1950-03-21/1951-03-20"},
		{"a missing month and day mean the whole year", [4]ymd{d(1970, 0, 0), {}, {}, {}}, "1970"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			have := uint8(0)
			for i, x := range tt.dates {
				if x[0] != 0 {
					have |= 1 << i
				}
			}
			if got := formatPeriod(tt.dates, have); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

var reWantError = regexp.MustCompile(`<!-- error: (.*) -->`)

// TestParseRejectsBadInput runs every testdata/bad/*.xml; each file's first line
// is a comment naming the error it must produce.
func TestParseRejectsBadInput(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad inputs: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := reWantError.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s names no expected error", f)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".xml")+" is malformed", func(t *testing.T) {
			_, err := Parse(context.Background(), strings.NewReader(string(data)))
			if !errors.Is(err, sanctions.ErrMalformed) {
				t.Fatalf("err %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), string(m[1])) {
				t.Errorf("err %q does not say %q", err, m[1])
			}
		})
	}
}

func TestParseAcceptsAByteOrderMark(t *testing.T) {
	doc := "\uFEFF" + minimal(`<DistinctParty FixedRef="1"><Profile ID="1" PartySubTypeID="4"/></DistinctParty>`, "")
	l, err := Parse(context.Background(), strings.NewReader(doc))
	if err != nil || len(l.Entities) != 1 {
		t.Errorf("got %v, %v", l, err)
	}
}

func TestParseReportsReadErrorsAsSuch(t *testing.T) {
	boom := errors.New("disk on fire")
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
