package storetest

import (
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
)

// BenchRescreen times re-screening a synthetic population of 1,000 persons
// with planted persona clusters: the first pass, which records every signal
// and opens the cases, and a steady pass with nothing new (what a cron
// re-screening after an unchanged list costs). It reports persons/s of each.
func BenchRescreen(b *testing.B, open func(b *testing.B) PeopleCaseStore) {
	pop := synth.Generate(synth.Config{Seed: 1, People: 1000, Clusters: 60, Families: 40, VPNs: 3})
	v := PeopleVault(b)
	for _, pass := range []string{"first", "steady"} {
		b.Run(pass, func(b *testing.B) {
			b.ReportAllocs()
			var persons int
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				s := open(b)
				svc, err := vet.NewService(b.Context(), s, v, vet.NewRules(vet.DefaultConfig(), nil))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.AddBatch(b.Context(), pop.People); err != nil {
					b.Fatal(err)
				}
				rs := vet.NewRescreener(svc, v, s, nil)
				if pass == "steady" {
					if _, err := rs.ListLoaded(b.Context(), "v1"); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				rep, err := rs.ListLoaded(b.Context(), "v2")
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				persons += rep.Assessed
				if pass == "steady" && rep.NewSignals != 0 {
					b.Fatalf("steady pass found %d new signals", rep.NewSignals)
				}
				if pass == "first" && len(rep.Opened) == 0 {
					b.Fatal("first pass opened no case")
				}
			}
			b.ReportMetric(float64(persons)/elapsed.Seconds(), "persons/s")
		})
	}
}
