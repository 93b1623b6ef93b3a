package lists_test

import (
	"context"
	"testing"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// BenchmarkIndexFromStore measures start-up: reading the latest version of
// each source from SQLite, decoding the entity blobs (full OFAC SDN 2025-11-19
// and UN 2026-02-27, 19370 entities) and building the screening index. The
// target is ≤ 1 s.
func BenchmarkIndexFromStore(b *testing.B) {
	ctx := context.Background()
	svc := lists.NewService(openStore(b, b.TempDir()), nil)
	for _, f := range []struct {
		src  sanctions.Source
		elem []string
	}{
		{sanctions.SourceOFAC, []string{"ofac", "sdn_advanced_2025-11-19.xml.bz2"}},
		{sanctions.SourceUN, []string{"sanctions_other", "UN_consolidated_2026-02-27.xml.gz"}},
	} {
		if _, _, err := svc.Load(ctx, f.src, sharedtest.Open(b, f.elem...)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.Latest(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			loaded, err := svc.Latest(ctx)
			if err != nil {
				b.Fatal(err)
			}
			ds := make([]screen.Dataset, 0, len(loaded))
			for _, l := range loaded {
				ds = append(ds, screen.Dataset{
					Version:  screen.VersionRef{ID: l.ID, Source: l.Source, Published: l.Published},
					Entities: l.Entities,
				})
			}
			screen.NewIndex(ds...)
		}
	})
}
