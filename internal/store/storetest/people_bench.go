package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/index/people"
)

// BenchPeople fills a store with a synthetic population (100,000 persons;
// 10,000 with -short), loads the identifier graph from it, then times adding
// a person and re-evaluating its cluster and signals (seal, store, union,
// rules), reporting p50 and p99. The persons added are held out of the same
// population, so some join stored clusters.
func BenchPeople(b *testing.B, open func(b *testing.B) people.Store) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	const held = 2_000
	cfg := synth.Config{Seed: 7, People: n + held, Clusters: n * 6 / 100, Families: n * 4 / 100, VPNs: n / 300}
	pop := synth.Generate(cfg)
	stored, added := pop.People[:len(pop.People)-held], pop.People[len(pop.People)-held:]
	s := open(b)
	v := PeopleVault(b)
	start := time.Now()
	for lo := 0; lo < len(stored); lo += 1000 {
		batch := make([]people.Record, 0, 1000)
		for i := lo; i < min(lo+1000, len(stored)); i++ {
			r, err := v.Seal(&stored[i])
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, r)
		}
		if err := s.PutPeople(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	fill := time.Since(start)
	start = time.Now()
	svc, err := vet.NewService(b.Context(), s, v, vet.NewRules(vet.DefaultConfig(), nil))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d persons stored in %v, graph loaded in %v", len(stored), fill.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	// The same without the store: sealing, the union-find and the rules alone.
	b.Run(fmt.Sprintf("GraphAndRules/stored=%d", len(stored)), func(b *testing.B) {
		b.ReportAllocs()
		g := svc.Graph()
		rules := vet.NewRules(vet.DefaultConfig(), nil)
		var lat []time.Duration
		i := 0
		for b.Loop() {
			p := added[i%len(added)]
			i++
			t0 := time.Now()
			r, err := v.Seal(&p)
			if err != nil {
				b.Fatal(err)
			}
			g.Add(r)
			rules.Evaluate(vet.SubjectOf(&p, g.SharedBy(p.ID)))
			lat = append(lat, time.Since(t0))
		}
		reportLatency(b, lat)
	})
	b.Run(fmt.Sprintf("AddAndAssess/stored=%d", len(stored)), func(b *testing.B) {
		b.ReportAllocs()
		var lat []time.Duration
		i := 0
		for b.Loop() {
			p := added[i%len(added)]
			i++
			t0 := time.Now()
			if _, err := svc.Add(b.Context(), p); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		reportLatency(b, lat)
	})
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
