package lists_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// TestDiffOfTheTwoOFACDates asserts the differences between the SDN advanced
// XML of 2025-03-04 and 2025-11-19 measured in ../shared/data/README.md
// ("SDN XML 2025-03-04 → 2025-11-19"), plus the changed-entity counts
// measured here.
func TestDiffOfTheTwoOFACDates(t *testing.T) {
	fx := loadedOFAC(t)
	d := fx.diff
	if d == nil {
		t.Fatal("loading 2025-11-19 after 2025-03-04 gave no diff")
	}
	t.Run("the diff goes from the older version to the newer", func(t *testing.T) {
		if d.From != fx.v0304.ID || d.To != fx.v1119.ID {
			t.Fatalf("diff %s → %s", d.From, d.To)
		}
	})
	t.Run("the counts are those measured", func(t *testing.T) {
		want := lists.DiffCounts{
			EntitiesAdded: 1358, EntitiesRemoved: 626, EntitiesChanged: 276,
			AddressesAdded: 134, AddressesRemoved: 90,
			AddressPairsAdded: 134, AddressPairsRemoved: 90,
		}
		if d.Counts != want {
			t.Fatalf("counts = %+v\nwant     %+v", d.Counts, want)
		}
		if len(d.EntitiesAdded) != want.EntitiesAdded || len(d.EntitiesRemoved) != want.EntitiesRemoved ||
			len(d.EntitiesChanged) != want.EntitiesChanged || len(d.AddressesAdded) != want.AddressesAdded ||
			len(d.AddressesRemoved) != want.AddressesRemoved {
			t.Fatal("counts disagree with the lists")
		}
	})
	t.Run("changed entities name the fields that changed", func(t *testing.T) {
		got := map[string]int{}
		for _, c := range d.EntitiesChanged {
			for _, f := range c.Fields {
				got[f]++
			}
		}
		want := map[string]int{
			"programs": 228, "names": 47, "nationalities": 35, "identifiers": 31,
			"birth_places": 11, "birth_dates": 8, "addresses": 3, "remarks": 1,
		}
		if !maps.Equal(got, want) {
			t.Fatalf("fields = %v\nwant     %v", got, want)
		}
	})
	t.Run("the added address pairs are USDT 61, XBT 34, TRX 23, ETH 14, BNB 1, SOL 1", func(t *testing.T) {
		if got, want := countByCurrency(d.AddressesAdded), map[string]int{"USDT": 61, "XBT": 34, "TRX": 23, "ETH": 14, "BNB": 1, "SOL": 1}; !maps.Equal(got, want) {
			t.Fatalf("added by currency = %v", got)
		}
	})
	t.Run("the 90 removed addresses are the ETH addresses of TORNADO CASH", func(t *testing.T) {
		for _, a := range d.AddressesRemoved {
			if a.EntityID != "39796" || a.Currency != "ETH" {
				t.Fatalf("removed %+v", a)
			}
		}
		if !slices.ContainsFunc(d.EntitiesRemoved, func(e lists.EntityRef) bool { return e.ID == "39796" && e.Name == "TORNADO CASH" }) {
			t.Fatal("TORNADO CASH (39796) not among the removed entities")
		}
	})
	t.Run("CHEIL CREDIT BANK was already listed and gained 53 USDT addresses", func(t *testing.T) {
		i := slices.IndexFunc(d.EntitiesChanged, func(c lists.EntityChange) bool { return c.ID == "22985" })
		if i < 0 {
			t.Fatal("CHEIL CREDIT BANK (22985) not among the changed entities")
		}
		if c := d.EntitiesChanged[i]; c.Name != "CHEIL CREDIT BANK" || !slices.Contains(c.Fields, "addresses") {
			t.Fatalf("change = %+v", c)
		}
		var usdt int
		for _, a := range d.AddressesAdded {
			if a.EntityID == "22985" {
				if a.Currency != "USDT" {
					t.Fatalf("CHEIL CREDIT BANK gained %+v", a)
				}
				usdt++
			}
		}
		if usdt != 53 {
			t.Fatalf("CHEIL CREDIT BANK gained %d addresses, want 53", usdt)
		}
	})
	t.Run("3 DPRK-program parties were removed and 26 added", func(t *testing.T) {
		a, err := fx.svc.Entities(context.Background(), fx.v0304.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fx.svc.Entities(context.Background(), fx.v1119.ID)
		if err != nil {
			t.Fatal(err)
		}
		da, db := dprkParties(a), dprkParties(b)
		if len(da) != 515 || len(db) != 538 {
			t.Fatalf("DPRK-program parties: %d and %d, want 515 and 538", len(da), len(db))
		}
		var removed, added []string
		for id, name := range da {
			if _, ok := db[id]; !ok {
				removed = append(removed, name)
			}
		}
		for id, name := range db {
			if _, ok := da[id]; !ok {
				added = append(added, name)
			}
		}
		slices.Sort(removed)
		if want := []string{"Funsaga Pte Ltd.", "Jadhav Deepak", "TORNADO CASH"}; !slices.Equal(removed, want) {
			t.Fatalf("removed %v, want %v", removed, want)
		}
		if len(added) != 26 {
			t.Fatalf("%d added, want 26", len(added))
		}
		for _, name := range []string{"Korea Mangyongdae Computer Technology Corporation", "Ryujong Credit Bank", "Jang Kuk Chol", "Ho Jong Son"} {
			if !slices.Contains(added, name) {
				t.Errorf("%s not among the added DPRK-program parties", name)
			}
		}
	})
}

func dprkParties(l []sanctions.Entity) map[string]string {
	m := map[string]string{}
	for _, e := range l {
		if slices.ContainsFunc(e.Programs, func(p string) bool { return strings.HasPrefix(p, "DPRK") }) {
			m[e.ID] = e.PrimaryName()
		}
	}
	return m
}

func countByCurrency(l []lists.AddressRef) map[string]int {
	m := map[string]int{}
	for _, a := range l {
		m[a.Currency]++
	}
	return m
}

// TestDiffOfTheTwoAddressListDates compares the community per-asset lists of
// 2024-09-27 and 2025-12-04 as file+address, as ../shared/data/README.md does
// ("Address lists 2024-09-27 → 2025-12-04").
func TestDiffOfTheTwoAddressListDates(t *testing.T) {
	old, err := lists.ReadAddressLists(sharedtest.Path(t, "ofac", "lists_2024-09-27"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := lists.ReadAddressLists(sharedtest.Path(t, "ofac", "lists_2025-12-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 654 || len(cur) != 758 {
		t.Fatalf("read %d and %d lines, want 654 and 758", len(old), len(cur))
	}
	added, removed := lists.DiffAddressLists(old, cur)
	t.Run("90 lines were removed, all ETH", func(t *testing.T) {
		if got := pairCounts(removed); !maps.Equal(got, map[string]int{"ETH": 90}) {
			t.Fatalf("removed by asset = %v", got)
		}
	})
	t.Run("194 lines were added: XBT 82, USDT 67, TRX 23, ETH 15, XMR 5, BNB 1, SOL 1", func(t *testing.T) {
		want := map[string]int{"XBT": 82, "USDT": 67, "TRX": 23, "ETH": 15, "XMR": 5, "BNB": 1, "SOL": 1}
		if got := pairCounts(added); !maps.Equal(got, want) || len(added) != 194 {
			t.Fatalf("added by asset = %v (%d)", got, len(added))
		}
	})
	t.Run("the result is sorted by asset then address", func(t *testing.T) {
		if !slices.IsSortedFunc(added, func(x, y sanctions.DigitalAddress) int {
			return strings.Compare(x.Currency+"\x00"+x.Address, y.Currency+"\x00"+y.Address)
		}) {
			t.Fatal("added not sorted")
		}
	})
}

// TestAddressListsOfTheXMLMatchTheCommunityLists checks that the
// (currency, address) pairs of the 2025-11-19 XML are exactly the lines of
// the 2025-12-04 lists (758 pairs), and that the XML dates' pair diff is the
// README's 90 removed and 134 added.
func TestAddressListsOfTheXMLMatchTheCommunityLists(t *testing.T) {
	fx := loadedOFAC(t)
	pairs := func(id string) []sanctions.DigitalAddress {
		e, err := fx.svc.Entities(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		var out []sanctions.DigitalAddress
		for asset, addrs := range lists.AddressLists(e) {
			for _, a := range addrs {
				out = append(out, sanctions.DigitalAddress{Currency: asset, Address: a})
			}
		}
		return out
	}
	p0304, p1119 := pairs(fx.v0304.ID), pairs(fx.v1119.ID)
	community, err := lists.ReadAddressLists(sharedtest.Path(t, "ofac", "lists_2025-12-04"))
	if err != nil {
		t.Fatal(err)
	}
	if added, removed := lists.DiffAddressLists(p1119, community); len(added)+len(removed) != 0 || len(p1119) != 758 {
		t.Fatalf("XML 2025-11-19 vs lists 2025-12-04: %d pairs, +%d -%d", len(p1119), len(added), len(removed))
	}
	added, removed := lists.DiffAddressLists(p0304, p1119)
	if len(added) != 134 || len(removed) != 90 {
		t.Fatalf("pairs +%d -%d, want +134 -90", len(added), len(removed))
	}
	if got := pairCounts(added); !reflect.DeepEqual(got, map[string]int{"USDT": 61, "XBT": 34, "TRX": 23, "ETH": 14, "BNB": 1, "SOL": 1}) {
		t.Fatalf("added by currency = %v", got)
	}
}

func pairCounts(l []sanctions.DigitalAddress) map[string]int {
	m := map[string]int{}
	for _, a := range l {
		m[a.Currency]++
	}
	return m
}
