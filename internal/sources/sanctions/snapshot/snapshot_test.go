package snapshot

import (
	"compress/gzip"
	"context"
	"testing"

	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
	"github.com/interdict/interdict/internal/sources/sanctions/un"
)

func TestBundledSnapshotsParseThroughTheRealParsers(t *testing.T) {
	for _, f := range Files() {
		t.Run(f.Name, func(t *testing.T) {
			rc, err := Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			zr, err := gzip.NewReader(rc)
			if err != nil {
				t.Fatal(err)
			}
			parse := ofac.Parse
			if f.Source == sanctions.SourceUN {
				parse = un.Parse
			}
			l, err := parse(context.Background(), zr)
			if err != nil {
				t.Fatal(err)
			}
			switch f.Source {
			case sanctions.SourceOFAC:
				// 902 parties: DPRK/CYBER programs or a digital-currency address.
				if len(l.Entities) != 902 {
					t.Errorf("%d OFAC parties, want 902", len(l.Entities))
				}
				lazarus := false
				addrs := 0
				for _, e := range l.Entities {
					addrs += len(e.Addresses)
					if e.ID == "27307" && e.PrimaryName() == "Lazarus Group" && len(e.Addresses) == 8 {
						lazarus = true
					}
				}
				if !lazarus {
					t.Error("Lazarus Group (27307) with its 8 ETH addresses is missing")
				}
				// Every digital-currency address feature of the full list is kept.
				if addrs != 761 {
					t.Errorf("%d address features, want 761 (as in the full 2025-11-19 list)", addrs)
				}
			case sanctions.SourceUN:
				if len(l.Entities) != 1003 {
					t.Errorf("%d UN records, want 1003", len(l.Entities))
				}
			}
		})
	}
}
