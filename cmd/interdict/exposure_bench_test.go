package main

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
)

// benchTags tags a fixed random share of a chain's addresses: 2% as
// exchange deposits (where traces stop), 0.5% as sanctioned and 0.5% as a
// hack attributed to Lazarus Group.
type benchTags map[string][]trace.Tag

func (b benchTags) Tags(_ context.Context, _, a string) ([]trace.Tag, error) { return b[a], nil }

// BenchmarkExposure: the exposure of an address (both directions, haircut,
// 6 hops, 10k-node budget per trace) on the generated chain in Pebble, from
// addresses paid in the chain's first half; p50 and p99 per address.
//
//	go test -run '^$' -bench Exposure -benchtime 400x ./cmd/interdict
func BenchmarkExposure(b *testing.B) {
	tuneGC() // as serve, trace and exposure run
	ps, err := pebble.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ps.Close()
	add, flush := benchIngest(b, ps)
	rng := rand.New(rand.NewPCG(7, 8))
	tags := benchTags{}
	var addrs []string
	// The addresses are read before the block is ingested, which may
	// release its transactions.
	pick := func(m *wire.MsgBlock, h int64) {
		for _, tx := range m.Transactions[1:] {
			for _, o := range tx.TxOut {
				_, as, _ := bitcoin.Classify(o.PkScript, &chaincfg.RegressionNetParams)
				if len(as) == 0 {
					continue
				}
				switch r := rng.IntN(1000); {
				case r < 20:
					tags[as[0]] = []trace.Tag{{Label: "exchange", Category: "exchange", Confidence: 50}}
				case r < 25:
					tags[as[0]] = []trace.Tag{{Label: "sdn", Category: "sanction", Confidence: 100}}
				case r < 30:
					tags[as[0]] = []trace.Tag{{Label: "hack", Category: "perpetrator", Concepts: []string{"service_hack"}, Actor: "Lazarus Group", Confidence: 60}}
				}
				if rng.IntN(200) == 0 {
					addrs = append(addrs, as[0])
				}
			}
		}
	}
	benchChain(b, []func(*wire.MsgBlock, int64){pick, add})
	flush()
	addrs = addrs[:len(addrs)/2] // paid in the chain's first half: with a history after
	if len(addrs) == 0 {
		b.Fatal("no addresses to score")
	}
	score := func(a string) *exposure.Report {
		view := trace.NewBitcoinView(ps, &chaincfg.RegressionNetParams)
		s := &exposure.Scorer{Chain: "btc", Tagger: tags, Config: exposure.DefaultConfig(),
			Trace: func(ctx context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
				return trace.TraceUTXO(ctx, view, tags, cfg, starts)
			}}
		rep, err := s.Score(context.Background(), exposure.Request{Address: a})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	// One untimed pass first (caches warm, the ingest's compactions done),
	// as BenchmarkTrace6Hops does.
	for _, a := range addrs {
		score(a)
	}
	b.ReportAllocs()
	var lat []time.Duration
	sev := map[exposure.Severity]int{}
	i, truncated := 0, 0
	for b.Loop() {
		a := addrs[i%len(addrs)]
		i++
		t0 := time.Now()
		rep := score(a)
		lat = append(lat, time.Since(t0))
		sev[rep.Severity]++
		if rep.Truncated {
			truncated++
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(sev[exposure.High]+sev[exposure.Severe])/float64(len(lat)), "high+/address")
	b.ReportMetric(float64(len(addrs)), "addresses")
	b.ReportMetric(float64(truncated)/float64(len(lat)), "truncated/address")
}
