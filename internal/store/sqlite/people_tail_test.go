package sqlite

import (
	"slices"
	"testing"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/store/storetest"
)

// BenchmarkPeopleTail measures, side by side in one run over one store of
// 100,000 persons (10,000 with -short), adding a person and re-evaluating
// its cluster in three modes, interleaved in rounds of 200 adds so that each
// sees the same machine load: "before", as the store was: one INSERT per
// identifier and SQLite's automatic checkpoint inside the commit that
// crosses 1,000 WAL pages; "after", as it is: one INSERT for a person's
// identifiers and the PASSIVE checkpoint apart every 8 person commits
// (checkpointEvery), both with synchronous=FULL; and
// "normal-apart", synchronous=NORMAL with the checkpoint apart, for the
// record (not adopted: see docs/benchmarks.md); and "no-store", sealing,
// the graph and the rules alone: the machine's own noise at the same moment.
// Run with -benchtime 1x.
func BenchmarkPeopleTail(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	const rounds, perRound = 10, 200
	modes := []struct {
		name        string
		synchronous string
		every       int
	}{
		{"before", "FULL", 0}, // and one INSERT per identifier
		{"after", "FULL", checkpointEvery},
		{"normal-apart", "NORMAL", checkpointEvery},
		{"no-store", "", -1}, // the control: seal, graph and rules without the store
	}
	defer func(e int) { checkpointEvery, insertRowByRow = e, false }(checkpointEvery)
	cfg := synth.Config{Seed: 7, People: n + rounds*perRound*len(modes), Clusters: n * 6 / 100, Families: n * 4 / 100, VPNs: n / 300}
	pop := synth.Generate(cfg)
	stored, added := pop.People[:n], pop.People[n:]
	s := open(b)
	v := storetest.PeopleVault(b)
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
	svc, err := vet.NewService(b.Context(), s, v, vet.NewRules(vet.DefaultConfig(), nil))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	g, rules := svc.Graph(), vet.NewRules(vet.DefaultConfig(), nil)
	for b.Loop() {
		lat := make([][]time.Duration, len(modes))
		next := 0
		for range rounds {
			for mi, m := range modes {
				insertRowByRow = m.name == "before"
				if m.every >= 0 {
					checkpointEvery = m.every
					if _, err := s.writer.ExecContext(ctx, "PRAGMA synchronous="+m.synchronous); err != nil {
						b.Fatal(err)
					}
				}
				for range perRound {
					p := added[next%len(added)]
					next++
					t0 := time.Now()
					if m.every < 0 {
						r, err := v.Seal(&p)
						if err != nil {
							b.Fatal(err)
						}
						g.Add(vet.WithDerived(v, r, &p))
						rules.Evaluate(vet.SubjectOf(&p, g.SharedBy(p.ID)))
					} else if _, err := svc.Add(ctx, p); err != nil {
						b.Fatal(err)
					}
					lat[mi] = append(lat[mi], time.Since(t0))
				}
			}
		}
		for mi, m := range modes {
			l := lat[mi]
			slices.Sort(l)
			b.ReportMetric(float64(l[len(l)/2].Microseconds())/1000, m.name+"-p50-ms")
			b.ReportMetric(float64(l[len(l)*99/100].Microseconds())/1000, m.name+"-p99-ms")
			b.ReportMetric(float64(l[len(l)-1].Microseconds())/1000, m.name+"-max-ms")
		}
	}
	if _, err := s.writer.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
		b.Fatal(err)
	}
}
