package alert_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// indexOf builds the screening index of the latest versions, as start-up does.
func indexOf(loaded []lists.Loaded) *screen.Index {
	ds := make([]screen.Dataset, 0, len(loaded))
	for _, l := range loaded {
		ds = append(ds, screen.Dataset{
			Version:  screen.VersionRef{ID: l.ID, Source: l.Source, Published: l.Published},
			Entities: l.Entities,
		})
	}
	return screen.NewIndex(ds...)
}

func record(t *testing.T, st alert.Store, kind string, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if err := st.RecordScreened(context.Background(), kind, q); err != nil {
			t.Fatal(err)
		}
	}
}

// withoutTimes clears what the store or the clock decides, to compare alerts.
func withoutTimes(l []alert.Alert) []alert.Alert {
	out := make([]alert.Alert, len(l))
	for i, a := range l {
		a.ID, a.CreatedAt = 0, time.Time{}
		out[i] = a
	}
	return out
}

func dataset(version string, entities ...sanctions.Entity) screen.Dataset {
	return screen.Dataset{Version: screen.VersionRef{ID: version, Source: sanctions.SourceOFAC}, Entities: entities}
}

func holder(id, name string, addrs ...string) sanctions.Entity {
	e := sanctions.Entity{ID: id, Type: sanctions.TypeOrganization, Names: []sanctions.Name{{Full: name, Primary: true}}, Programs: []string{"DPRK3"}}
	for _, a := range addrs {
		e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: "ETH", Address: a})
	}
	return e
}

const (
	addrA = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
	addrB = "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc"
)

func TestRescreenAlertsOnlyNewHits(t *testing.T) {
	v1 := screen.NewIndex(dataset("v1", holder("1", "ONE", addrA), holder("2", "TWO", addrB)))
	tests := []struct {
		name     string
		prev     *screen.Index
		next     *screen.Index
		subjects []string
		want     []alert.Alert
	}{
		{
			name:     "an address already listed for the same entity does not alert again",
			prev:     v1,
			next:     screen.NewIndex(dataset("v2", holder("1", "ONE (renamed)", addrA), holder("2", "TWO", addrB))),
			subjects: []string{addrA, addrB},
		},
		{
			name:     "a second entity listing a known address alerts for that entity only",
			prev:     v1,
			next:     screen.NewIndex(dataset("v2", holder("1", "ONE", addrA), holder("2", "TWO", addrB, addrA))),
			subjects: []string{strings.ToLower(addrA)},
			want: []alert.Alert{{
				ListVersion: "v2", Kind: "address", Query: strings.ToLower(addrA), EntityID: "2", Name: "TWO", Score: 1,
				Reason: "new list version v2: address now listed for entity 2 (TWO) under ETH",
			}},
		},
		{
			name:     "a delisted address does not alert",
			prev:     v1,
			next:     screen.NewIndex(dataset("v2", holder("1", "ONE", addrA))),
			subjects: []string{addrB},
		},
		{
			name:     "with no previous index every hit is new",
			next:     v1,
			subjects: []string{addrB, "0x0000000000000000000000000000000000000001", addrA},
			want: []alert.Alert{
				{ListVersion: "v2", Kind: "address", Query: addrB, EntityID: "2", Name: "TWO", Score: 1,
					Reason: "new list version v2: address now listed for entity 2 (TWO) under ETH"},
				{ListVersion: "v2", Kind: "address", Query: addrA, EntityID: "1", Name: "ONE", Score: 1,
					Reason: "new list version v2: address now listed for entity 1 (ONE) under ETH"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			record(t, st, alert.KindAddress, tc.subjects...)
			got, err := alert.Rescreen(context.Background(), st, tc.prev, tc.next, "v2")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(withoutTimes(got), withoutTimes(tc.want)) && len(got)+len(tc.want) > 0 {
				t.Fatalf("alerts =\n%+v\nwant\n%+v", got, tc.want)
			}
			stored, err := st.Alerts(context.Background(), alert.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != len(got) || (len(got) > 0 && !reflect.DeepEqual(withoutTimes(stored), withoutTimes(got))) {
				t.Fatalf("stored %+v, returned %+v", stored, got)
			}
			for i := range stored {
				if !stored[i].CreatedAt.Equal(got[i].CreatedAt) || stored[i].ID == 0 {
					t.Fatalf("stored alert %d: %+v, returned %+v", i, stored[i], got[i])
				}
			}
		})
	}
}

func TestRescreenStoresNothingWhenCancelled(t *testing.T) {
	st := openStore(t)
	record(t, st, alert.KindAddress, addrA, addrB)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	next := screen.NewIndex(dataset("v1", holder("1", "ONE", addrA)))
	if _, err := alert.Rescreen(ctx, st, nil, next, "v1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if stored, err := st.Alerts(context.Background(), alert.Filter{}); err != nil || len(stored) != 0 {
		t.Fatalf("stored %v, %v", stored, err)
	}
}

// TestRescreenOnTheTwoOFACDates screens subjects against the 2025-03-04 SDN
// list, loads 2025-11-19, and checks that exactly the newly listed ones alert.
func TestRescreenOnTheTwoOFACDates(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := lists.NewService(st, nil)
	if _, _, err := svc.Load(ctx, sanctions.SourceOFAC, sharedtest.Open(t, "ofac", "sdn_advanced_2025-03-04.xml.bz2")); err != nil {
		t.Fatal(err)
	}
	loaded, err := svc.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev := indexOf(loaded)

	const (
		tornado = "0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc" // TORNADO CASH (39796), delisted in 2025-11-19
		lazarus = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96" // Lazarus Group (27307), listed in both
		cheil   = "TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz"         // CHEIL CREDIT BANK (22985), new USDT in 2025-11-19
		bnb     = "BNB136NS6LFW4ZS5HG4N85VDTHAAD7HQ5M4GTKGF23" // entity 56360, new in 2025-11-19, queried in upper case
		clean   = "0x0000000000000000000000000000000000000001"
	)
	subjects := []string{tornado, lazarus, cheil, bnb, clean}
	record(t, st, alert.KindAddress, subjects...)
	for _, s := range subjects {
		hit := prev.ScreenAddress(s).Hit
		if want := s == tornado || s == lazarus; hit != want {
			t.Fatalf("against 2025-03-04, %s hit = %v, want %v", s, hit, want)
		}
	}
	// Names: two parties first listed in 2025-11-19 (DPRK programs), written
	// the way a user might type them, one listed in both, one delisted, and
	// one listed nowhere.
	const (
		mangyongdae = "KOREA MANGYONGDAE COMPUTER TECHNOLOGY CORP" // 56044
		jangKukChol = "Chol Jang Kuk"                              // 55183, reordered
	)
	names := []string{mangyongdae, "Lazarus Group", jangKukChol, "Tornado Cash", "Jane Example Smith"}
	record(t, st, alert.KindName, names...)
	for _, n := range names {
		hit := prev.ScreenName(screen.NameQuery{Name: n}).Hit
		if want := n == "Lazarus Group" || n == "Tornado Cash"; hit != want {
			t.Fatalf("against 2025-03-04, name %q hit = %v, want %v", n, hit, want)
		}
	}

	v, _, err := svc.Load(ctx, sanctions.SourceOFAC, sharedtest.Open(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	if loaded, err = svc.Latest(ctx); err != nil {
		t.Fatal(err)
	}
	next := indexOf(loaded)
	bnbName := next.ScreenAddress(bnb).Matches[0].Name
	if !strings.Contains(bnbName, "Sokolovski") {
		t.Fatalf("the BNB address belongs to %q", bnbName)
	}
	got, err := alert.Rescreen(ctx, st, prev, next, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []alert.Alert{
		{ListVersion: v.ID, Kind: "address", Query: cheil, EntityID: "22985", Name: "CHEIL CREDIT BANK", Score: 1,
			Reason: "new list version " + v.ID + ": address now listed for entity 22985 (CHEIL CREDIT BANK) under USDT"},
		{ListVersion: v.ID, Kind: "address", Query: bnb, EntityID: "56360", Name: bnbName, Score: 1,
			Reason: "new list version " + v.ID + ": address now listed for entity 56360 (" + bnbName + ") under BNB"},
	}
	if len(got) != len(want)+2 || !reflect.DeepEqual(withoutTimes(got[:len(want)]), want) {
		t.Fatalf("alerts =\n%+v\nwant the address alerts\n%+v\nthen two name alerts", withoutTimes(got), want)
	}
	// The name scores belong to the name index; check who matched and why.
	for i, w := range []struct{ query, entity, name string }{
		{mangyongdae, "56044", "Korea Mangyongdae Computer Technology Corporation"},
		{jangKukChol, "55183", "Jang Kuk Chol"},
	} {
		a := got[len(want)+i]
		if a.Kind != "name" || a.Query != w.query || a.EntityID != w.entity || a.Name != w.name || a.ListVersion != v.ID ||
			a.Score < screen.DefaultThreshold || a.Score > 1 ||
			!strings.HasPrefix(a.Reason, "new list version "+v.ID+": name now matches entity "+w.entity+" ("+w.name+") with score ") {
			t.Errorf("name alert %d = %+v", i, a)
		}
	}
	t.Run("the alerts are stored", func(t *testing.T) {
		stored, err := st.Alerts(ctx, alert.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(withoutTimes(stored), withoutTimes(got)) {
			t.Fatalf("stored %+v", stored)
		}
	})
	t.Run("re-screening against the same version raises nothing", func(t *testing.T) {
		again, err := alert.Rescreen(ctx, st, next, next, v.ID)
		if err != nil || len(again) != 0 {
			t.Fatalf("alerts %v, %v", again, err)
		}
	})
}

func TestRescreenNames(t *testing.T) {
	prev := screen.NewIndex(dataset("v1", holder("1", "LAZARUS GROUP")))
	next := screen.NewIndex(dataset("v2", holder("1", "LAZARUS GROUP"), holder("2", "RYUJONG CREDIT BANK")))
	st := openStore(t)
	record(t, st, alert.KindName, "Lazarus Group", "Ryujong Credit Bank", "Jane Example Smith")
	got, err := alert.Rescreen(context.Background(), st, prev, next, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("alerts = %+v, want one for the newly listed name", got)
	}
	a := got[0]
	if a.Kind != "name" || a.Query != "Ryujong Credit Bank" || a.EntityID != "2" || a.Name != "RYUJONG CREDIT BANK" ||
		a.Score < screen.DefaultThreshold || !strings.Contains(a.Reason, `on "RYUJONG CREDIT BANK"`) {
		t.Fatalf("alert = %+v", a)
	}
}
