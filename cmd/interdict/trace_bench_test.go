package main

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/store/pebble"
)

// traceBenchTxs is the generated chain's size: INTERDICT_TRACEBENCH_TXS,
// 100 000 by default.
func traceBenchTxs() int {
	if n, err := strconv.Atoi(os.Getenv("INTERDICT_TRACEBENCH_TXS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// traceChain generates a chain (btcgen, seed 1, as chainbench) and ingests
// it into a Pebble index in dir; the starts are about 200 random
// transactions of the chain's first half, so a 6-hop forward trace has
// somewhere to go.
func traceChain(b *testing.B, dir string) []chainhash.Hash {
	b.Helper()
	var traceChainStart []chainhash.Hash
	var traceChainErr error
	func() {
		ctx := context.Background()
		txs := traceBenchTxs()
		g, err := btcgen.New(btcgen.Config{Seed: 1, Blocks: int32(100 + txs/2500), Txs: txs})
		if err != nil {
			traceChainErr = err
			return
		}
		st, err := pebble.Open(dir)
		if err != nil {
			traceChainErr = err
			return
		}
		defer st.Close()
		e, err := bitcoin.NewEngine(ctx, st, &chaincfg.RegressionNetParams, bitcoin.DefaultConfig(), nil, nil)
		if err != nil {
			traceChainErr = err
			return
		}
		if traceChainErr = e.Add(ctx, g.Genesis(), 0); traceChainErr != nil {
			return
		}
		rng := rand.New(rand.NewPCG(5, 6))
		half := g.Txs() + txs/2
		for !g.Done() {
			m := g.Next()
			if g.Txs() < half {
				for _, tx := range m.Transactions[1:] {
					if rng.IntN(max(1, txs/400)) == 0 {
						traceChainStart = append(traceChainStart, tx.TxHash())
					}
				}
			}
			if traceChainErr = e.Add(ctx, m, int64(g.Height())); traceChainErr != nil {
				return
			}
		}
		traceChainErr = e.Flush(ctx)
	}()
	if traceChainErr != nil {
		b.Fatal(traceChainErr)
	}
	return traceChainStart
}

// BenchmarkTrace6Hops: 6-hop forward traces with a 10k-node budget from
// transactions of a generated chain in Pebble, per model, with p50 and p99
// latency per trace and the nodes a trace visits.
//
//	go test -run '^$' -bench Trace6Hops -benchtime 200x ./cmd/interdict
//	INTERDICT_TRACEBENCH_TXS=1000000 go test -run '^$' -bench Trace6Hops -benchtime 200x -timeout 1h ./cmd/interdict
func BenchmarkTrace6Hops(b *testing.B) {
	dir := b.TempDir()
	starts := traceChain(b, dir)
	st, err := pebble.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// One untimed pass over the starts: the block cache warm and the
	// compactions the ingest left behind done, as on a serving node.
	warm := trace.DefaultConfig()
	warm.Model, warm.MaxHops, warm.MaxNodes = trace.Poison, 6, 10_000
	for _, s := range starts {
		if _, err := trace.TraceUTXO(context.Background(), trace.NewBitcoinView(st, &chaincfg.RegressionNetParams), nil, warm,
			[]trace.Start{{Tx: s.String(), Vout: -1}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		b.Run("pebble/"+string(m), func(b *testing.B) {
			b.ReportAllocs()
			cfg := trace.DefaultConfig()
			cfg.Model, cfg.MaxHops, cfg.MaxNodes = m, 6, 10_000
			var lat []time.Duration
			nodes, truncated := 0, 0
			i := 0
			for b.Loop() {
				view := trace.NewBitcoinView(st, &chaincfg.RegressionNetParams)
				start := starts[i%len(starts)]
				i++
				t0 := time.Now()
				res, err := trace.TraceUTXO(context.Background(), view, nil, cfg, []trace.Start{{Tx: start.String(), Vout: -1}})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				nodes += len(res.Nodes)
				if res.Truncated {
					truncated++
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(nodes)/float64(len(lat)), "nodes/trace")
			b.ReportMetric(float64(truncated)/float64(len(lat)), "truncated/trace")
		})
	}
}
