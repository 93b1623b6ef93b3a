package trace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
)

// plainView hides every optional interface of the view it wraps: the
// engine then reads each record itself, one by one.
type plainView struct{ UTXOView }

// batchStore makes a MemStore a BatchReader, as PostgreSQL is: the view
// then prefetches in batches and its reader reads its hints in batches.
type batchStore struct{ *bitcoin.MemStore }

func (s batchStore) ReadBatch(ctx context.Context, txids []chainhash.Hash, ops []wire.OutPoint) (
	txs []*bitcoin.Tx, outs []*bitcoin.Output, spends []*bitcoin.Spend, err error) {
	for _, id := range txids {
		t, err := s.Tx(ctx, id)
		switch {
		case errors.Is(err, bitcoin.ErrNotFound):
		case err != nil:
			return nil, nil, nil, err
		default:
			txs = append(txs, t)
		}
	}
	for _, op := range ops {
		sp, err := s.Spend(ctx, op)
		switch {
		case errors.Is(err, bitcoin.ErrNotFound):
		case err != nil:
			return nil, nil, nil, err
		default:
			spends = append(spends, sp)
		}
	}
	return txs, nil, spends, nil
}

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
			want, err := TraceUTXO(ctx, plainView{NewBitcoinView(st, params)}, nil, cfg, start)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []bitcoin.ChainReader{st, batchStore{st}} {
				view := NewBitcoinView(r, params)
				got, err := TraceUTXO(ctx, view, nil, cfg, start)
				if err != nil {
					t.Fatal(err)
				}
				if view.ahead != nil {
					t.Fatal("the reader outlives the trace")
				}
				sameTrace(t, fmt.Sprintf("%s from %s (%T)", m, s, r), got, want)
			}
		}
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the traces, %d before", n, before)
	}
}

// sameTrace compares two results but for Stats.Reads (the plain view hides
// Prefetch, which the engine counts as a read).
func sameTrace(t *testing.T, what string, got, want *Result) {
	t.Helper()
	g, w := *got, *want
	g.Stats.Reads, w.Stats.Reads = 0, 0
	gj, _ := json.Marshal(g)
	wj, _ := json.Marshal(w)
	if string(gj) != string(wj) {
		i := 0
		for i < min(len(gj), len(wj)) && gj[i] == wj[i] {
			i++
		}
		lo := max(0, i-300)
		t.Fatalf("%s: read ahead and without differ at byte %d:\n%s\n%s", what, i,
			gj[lo:min(len(gj), i+100)], wj[lo:min(len(wj), i+100)])
	}
}
