package storetest

import (
	"fmt"
	"testing"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Bench runs the store benchmarks. open must return a fresh, empty store and
// arrange its closing with b.Cleanup.
func Bench(b *testing.B, open func(b *testing.B) Backend) {
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprintf("AddAlerts/batch=%d", size), func(b *testing.B) {
			s := open(b)
			batch := make([]alert.Alert, size)
			for i := range batch {
				batch[i] = sampleAlert(i)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.AddAlerts(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
	b.Run("Alerts/page=100", func(b *testing.B) {
		s := open(b)
		batch := make([]alert.Alert, 1000)
		for i := range batch {
			batch[i] = sampleAlert(i)
		}
		if err := s.AddAlerts(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Alerts(b.Context(), alert.Filter{AfterID: 500, Limit: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("KeyByHash", func(b *testing.B) {
		s := open(b)
		keys := make([]auth.Key, 100)
		for i := range keys {
			keys[i] = sampleKey(fmt.Sprintf("k%d", i), auth.RoleScreener, base)
			if err := s.CreateKey(b.Context(), keys[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.KeyByHash(b.Context(), keys[i%len(keys)].Hash); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("AppendAudit", func(b *testing.B) {
		s := open(b)
		e := auth.AuditEntry{KeyID: "k1", Member: "m1", Action: "POST /v1/screen", Status: 200}
		b.ReportAllocs()
		for b.Loop() {
			if err := s.AppendAudit(b.Context(), e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SaveVersion/blob=1MB", func(b *testing.B) {
		s := open(b)
		blob := make([]byte, 1<<20)
		b.SetBytes(int64(len(blob)))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			v := version(sanctions.SourceOFAC, base, fmt.Sprint(i))
			if err := s.SaveVersion(b.Context(), v, blob); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
