package ofac

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// The two real lists are parsed once per test binary: each is 3 MB of bzip2
// that inflates to 120 MB (sharedtest caches the inflated file).
type parsedList struct {
	once sync.Once
	list *sanctions.List
	err  error
}

var realLists = map[string]*parsedList{"2025-03-04": {}, "2025-11-19": {}}

func realList(t testing.TB, date string) *sanctions.List {
	t.Helper()
	path := sharedtest.Decompressed(t, "ofac", "sdn_advanced_"+date+".xml.bz2")
	p := realLists[date]
	p.once.Do(func() {
		xml, err := os.ReadFile(path)
		if err != nil {
			p.err = err
			return
		}
		p.list, p.err = Parse(context.Background(), bytes.NewReader(xml))
	})
	if p.err != nil {
		t.Fatalf("parse %s: %v", path, p.err)
	}
	return p.list
}

// realCounts are measured on the shared files with the shell commands in
// ../shared/data/README.md section 1 (grep/awk over the decompressed XML).
var realCounts = []struct {
	date                  string
	parties               int
	byType                map[sanctions.EntityType]int
	withAddresses         int
	addresses             int
	uniquePairs           int
	perCurrency           map[string]int
	dprkParties           int
	dprkWithAddr, dprkAdr int
	perProgram            map[string]int
}{
	{
		date: "2025-03-04", parties: 17635,
		byType: map[sanctions.EntityType]int{
			sanctions.TypeIndividual: 7365, sanctions.TypeOrganization: 8710,
			sanctions.TypeVessel: 1186, sanctions.TypeAircraft: 374,
		},
		withAddresses: 65, addresses: 717, uniquePairs: 714,
		perCurrency: map[string]int{
			"XBT": 485, "ETH": 153, "USDT": 32, "LTC": 11, "XMR": 8, "BCH": 7, "TRX": 6, "ZEC": 3,
			"DASH": 3, "USDC": 2, "ETC": 1, "BTG": 1, "BSV": 1, "XVG": 1, "XRP": 1, "ARB": 1, "BSC": 1,
		},
		dprkParties: 515, dprkWithAddr: 8, dprkAdr: 151,
		perProgram: map[string]int{
			"DPRK": 63, "DPRK2": 119, "DPRK3": 157, "DPRK4": 181, "DPRK-NKSPEA": 2,
			"CYBER2": 271, "CYBER3": 5,
		},
	},
	{
		date: "2025-11-19", parties: 18367,
		byType: map[sanctions.EntityType]int{
			sanctions.TypeIndividual: 7303, sanctions.TypeOrganization: 9359,
			sanctions.TypeVessel: 1370, sanctions.TypeAircraft: 335,
		},
		withAddresses: 79, addresses: 761, uniquePairs: 758,
		perCurrency: map[string]int{
			"XBT": 519, "USDT": 93, "ETH": 77, "TRX": 29, "LTC": 11, "XMR": 8, "BCH": 7, "ZEC": 3,
			"DASH": 3, "USDC": 2, "ETC": 1, "BTG": 1, "BSV": 1, "XVG": 1, "XRP": 1, "ARB": 1, "BSC": 1,
			"BNB": 1, "SOL": 1,
		},
		dprkParties: 538, dprkWithAddr: 9, dprkAdr: 115,
		perProgram: map[string]int{
			"DPRK": 69, "DPRK2": 124, "DPRK3": 160, "DPRK4": 190, "DPRK-NKSPEA": 2,
			"CYBER2": 269, "CYBER3": 9, "CYBER4": 52,
		},
	},
}

func isDPRK(e *sanctions.Entity) bool {
	return slices.ContainsFunc(e.Programs, func(p string) bool { return strings.HasPrefix(p, "DPRK") })
}

func TestRealListCounts(t *testing.T) {
	for _, want := range realCounts {
		t.Run("the "+want.date+" list has the measured counts", func(t *testing.T) {
			l := realList(t, want.date)
			if l.Source != sanctions.SourceOFAC {
				t.Errorf("source %q", l.Source)
			}
			if got := l.Published.Format(time.DateOnly); got != want.date {
				t.Errorf("published %s, want %s", got, want.date)
			}
			if len(l.Entities) != want.parties {
				t.Errorf("%d parties, want %d", len(l.Entities), want.parties)
			}
			byType := map[sanctions.EntityType]int{}
			perCurrency := map[string]int{}
			perProgram := map[string]int{}
			pairs := map[sanctions.DigitalAddress]bool{}
			withAddr, addrs, dprk, dprkWithAddr, dprkAddr := 0, 0, 0, 0, 0
			for i := range l.Entities {
				e := &l.Entities[i]
				byType[e.Type]++
				if len(e.Addresses) > 0 {
					withAddr++
				}
				addrs += len(e.Addresses)
				for _, a := range e.Addresses {
					perCurrency[a.Currency]++
					pairs[a] = true
				}
				for _, p := range e.Programs {
					perProgram[p]++
				}
				if isDPRK(e) {
					dprk++
					if len(e.Addresses) > 0 {
						dprkWithAddr++
						dprkAddr += len(e.Addresses)
					}
				}
			}
			assertCounts(t, "by type", byType, want.byType)
			assertCounts(t, "addresses per currency", perCurrency, want.perCurrency)
			for p, n := range want.perProgram {
				if perProgram[p] != n {
					t.Errorf("program %s: %d parties, want %d", p, perProgram[p], n)
				}
			}
			if withAddr != want.withAddresses || addrs != want.addresses || len(pairs) != want.uniquePairs {
				t.Errorf("parties with addresses %d, address features %d, unique pairs %d; want %d, %d, %d",
					withAddr, addrs, len(pairs), want.withAddresses, want.addresses, want.uniquePairs)
			}
			if dprk != want.dprkParties || dprkWithAddr != want.dprkWithAddr || dprkAddr != want.dprkAdr {
				t.Errorf("DPRK parties %d, with addresses %d (%d addresses); want %d, %d (%d)",
					dprk, dprkWithAddr, dprkAddr, want.dprkParties, want.dprkWithAddr, want.dprkAdr)
			}
		})
	}
}

func assertCounts[K comparable](t *testing.T, what string, got, want map[K]int) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %v = %d, want %d", what, k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %v = %d", what, k, n)
		}
	}
}

func TestRealListEveryPartyIsComplete(t *testing.T) {
	for _, date := range []string{"2025-03-04", "2025-11-19"} {
		t.Run("every party of "+date+" has a type, a primary name, programs and a listing date", func(t *testing.T) {
			for _, e := range realList(t, date).Entities {
				if e.ID == "" || e.Type == "" || len(e.Names) == 0 || !e.Names[0].Primary || e.Names[0].Kind != "name" ||
					len(e.Programs) == 0 || len(e.ListedOn) != len("2006-01-02") {
					t.Fatalf("incomplete party %+v", e)
				}
			}
		})
	}
}

func TestRealListKnownDPRKParties(t *testing.T) {
	l := realList(t, "2025-11-19")
	tests := []struct {
		name, id, primary string
		typ               sanctions.EntityType
		programs          []string
		currency          string
		addresses         int
		someAddress       string
	}{
		{"Lazarus Group has 8 ETH addresses", "27307", "Lazarus Group", sanctions.TypeOrganization,
			[]string{"DPRK3"}, "ETH", 8, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"},
		{"CHEIL CREDIT BANK has 53 USDT addresses", "22985", "CHEIL CREDIT BANK", sanctions.TypeOrganization,
			nil, "USDT", 53, ""},
		{"Sinbad has 2 XBT addresses", "44437", "Sinbad", sanctions.TypeOrganization,
			nil, "XBT", 2, ""},
		{"Wu Huihui has 17 XBT addresses", "42496", "Wu Huihui", sanctions.TypeIndividual,
			[]string{"DPRK3"}, "XBT", 17, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := findEntity(l, tt.id)
			if e == nil {
				t.Fatalf("party %s not found", tt.id)
			}
			if e.PrimaryName() != tt.primary || e.Type != tt.typ {
				t.Errorf("got %q (%s), want %q (%s)", e.PrimaryName(), e.Type, tt.primary, tt.typ)
			}
			if tt.programs != nil && !slices.Equal(e.Programs, tt.programs) {
				t.Errorf("programs %v, want %v", e.Programs, tt.programs)
			}
			if !isDPRK(e) {
				t.Errorf("programs %v name no DPRK program", e.Programs)
			}
			n := 0
			for _, a := range e.Addresses {
				if a.Currency == tt.currency {
					n++
				}
			}
			if n != tt.addresses || len(e.Addresses) != tt.addresses {
				t.Errorf("%d %s addresses of %d, want %d", n, tt.currency, len(e.Addresses), tt.addresses)
			}
			if tt.someAddress != "" && !slices.Contains(e.Addresses, sanctions.DigitalAddress{Currency: tt.currency, Address: tt.someAddress}) {
				t.Errorf("address %s missing from %v", tt.someAddress, e.Addresses)
			}
		})
	}

	t.Run("a DPRK individual has birth date, birthplace, nationality, passport and a Hangul name", func(t *testing.T) {
		e := findEntity(l, "54762")
		if e == nil {
			t.Fatal("party 54762 not found")
		}
		if !slices.Equal(e.BirthDates, []string{"1966-09-25"}) || !slices.Equal(e.BirthPlaces, []string{"Pyongyang, North Korea"}) ||
			!slices.Equal(e.Nationalities, []string{"Korea, North"}) {
			t.Errorf("birth %v in %v, nationality %v", e.BirthDates, e.BirthPlaces, e.Nationalities)
		}
		if len(e.Identifiers) != 1 || e.Identifiers[0].Type != "Passport" || e.Identifiers[0].Country != "Korea, North" {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
		want := []sanctions.Name{
			{Full: "Myong Chol Min", Script: "Latin", Primary: true, Kind: "name"},
			{Full: "명 철민", Script: "Hangul", Primary: true, Kind: "name"},
		}
		if !slices.Equal(e.Names, want) {
			t.Errorf("names %+v, want %+v", e.Names, want)
		}
	})

	t.Run("names in non-Latin scripts are kept", func(t *testing.T) {
		scripts := map[string]int{}
		for _, e := range l.Entities {
			for _, n := range e.Names {
				scripts[n.Script]++
			}
		}
		// Counted from the DocumentedNames' ScriptIDs in the file.
		for s, n := range map[string]int{"Latin": 42952, "Cyrillic": 3713, "Arabic": 1186, "Chinese Simplified": 379, "Hangul": 4, "Korean": 42} {
			if scripts[s] != n {
				t.Errorf("%d names in %s, want %d", scripts[s], s, n)
			}
		}
	})
}

// TestRealAddressesMatchThePublishedAddressLists compares the (currency,
// address) pairs of the 2025-11-19 list with the per-currency address lists of
// the same release in ../shared/data/ofac/lists_2025-12-04: they are identical.
func TestRealAddressesMatchThePublishedAddressLists(t *testing.T) {
	dir := sharedtest.Path(t, "ofac", "lists_2025-12-04")
	files, err := filepath.Glob(filepath.Join(dir, "sanctioned_addresses_*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no address lists in %s: %v", dir, err)
	}
	published := map[sanctions.DigitalAddress]bool{}
	for _, f := range files {
		cur := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "sanctioned_addresses_"), ".txt")
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			published[sanctions.DigitalAddress{Currency: cur, Address: sc.Text()}] = true
		}
		fh.Close()
	}
	parsed := map[sanctions.DigitalAddress]bool{}
	for _, e := range realList(t, "2025-11-19").Entities {
		for _, a := range e.Addresses {
			parsed[a] = true
			if !published[a] {
				t.Errorf("parsed %v is not in the published lists", a)
			}
		}
	}
	if len(parsed) != len(published) {
		t.Errorf("%d parsed pairs, %d published", len(parsed), len(published))
	}
}

// TestRealListEmails counts the "Email Address" features of both real lists,
// and checks the DPRK-program parties that carry them (IT-worker front
// companies and facilitators are listed with their email addresses).
func TestRealListEmails(t *testing.T) {
	for _, want := range []struct {
		date                        string
		emails, parties, dprkEmails int
	}{
		{"2025-03-04", 316, 190, 27},
		{"2025-11-19", 326, 201, 27},
	} {
		t.Run(want.date, func(t *testing.T) {
			l := realList(t, want.date)
			emails, parties, dprkEmails := 0, 0, 0
			for i := range l.Entities {
				e := &l.Entities[i]
				if len(e.Emails) == 0 {
					continue
				}
				parties++
				emails += len(e.Emails)
				for _, p := range e.Programs {
					if strings.HasPrefix(p, "DPRK") {
						dprkEmails += len(e.Emails)
						break
					}
				}
				for _, m := range e.Emails {
					if !strings.Contains(m, "@") {
						t.Errorf("party %s: email %q has no @", e.ID, m)
					}
				}
			}
			t.Logf("%s: %d emails on %d parties, %d on DPRK-program parties", want.date, emails, parties, dprkEmails)
			if emails != want.emails || parties != want.parties || dprkEmails != want.dprkEmails {
				t.Errorf("%d emails on %d parties (%d DPRK), want %d on %d (%d)", emails, parties, dprkEmails, want.emails, want.parties, want.dprkEmails)
			}
		})
	}
}
