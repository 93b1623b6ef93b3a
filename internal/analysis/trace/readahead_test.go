package trace

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
)

// plainView hides every optional interface of the view it wraps: the
// engine then reads each record itself, one by one.
type plainView struct{ UTXOView }

// TestReadAheadTracesTheSameGraph: on a generated chain, forward traces
// under each model give the same result (nodes, edges, reached, stats)
// with the view reading ahead on another goroutine as without it, and the
// reader is gone when TraceUTXO returns. Run under -race in make test.
func TestReadAheadTracesTheSameGraph(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	ctx := context.Background()
	params := &chaincfg.RegressionNetParams
	g, err := btcgen.New(btcgen.Config{Seed: 3, Blocks: 130, Txs: 6000, Params: params})
	if err != nil {
		t.Fatal(err)
	}
	st := bitcoin.NewMemStore()
	e, err := bitcoin.NewEngine(ctx, st, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Add(ctx, g.Genesis(), 0); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var starts []chainhash.Hash
	for h := int64(1); !g.Done(); h++ {
		m := g.Next()
		if err := e.Add(ctx, m, h); err != nil {
			t.Fatal(err)
		}
		if h > 100 && h < 115 && len(m.Transactions) > 1 {
			starts = append(starts, m.Transactions[1+rng.IntN(len(m.Transactions)-1)].TxHash())
		}
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for _, m := range []Model{Poison, Haircut, FIFO} {
		for _, s := range starts {
			cfg := DefaultConfig()
			cfg.Model, cfg.MaxHops, cfg.MaxNodes = m, 6, 2_000
			start := []Start{{Tx: s.String(), Vout: -1}}
			view := NewBitcoinView(st, params)
			got, err := TraceUTXO(ctx, view, nil, cfg, start)
			if err != nil {
				t.Fatal(err)
			}
			if view.ahead != nil {
				t.Fatal("the reader outlives the trace")
			}
			want, err := TraceUTXO(ctx, plainView{NewBitcoinView(st, params)}, nil, cfg, start)
			if err != nil {
				t.Fatal(err)
			}
			// Reads differ: the plain view hides Prefetch, which the
			// engine counts as a read.
			got.Stats.Reads, want.Stats.Reads = 0, 0
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				i := 0
				for i < min(len(gj), len(wj)) && gj[i] == wj[i] {
					i++
				}
				lo := max(0, i-300)
				t.Fatalf("%s from %s: read ahead and without differ at byte %d:\n%s\n%s", m, s, i,
					gj[lo:min(len(gj), i+100)], wj[lo:min(len(wj), i+100)])
			}
		}
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the traces, %d before", n, before)
	}
}
