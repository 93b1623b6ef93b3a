package bitcoin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// syncOnly hides MemStore's ConcurrentCommit, so the engine commits in the
// foreground.
type syncOnly struct{ bitcoin.Store }

// failAfter fails every Commit after the first n.
type failAfter struct {
	*bitcoin.MemStore
	n int
}

var errDiskFull = errors.New("disk full")

func (f *failAfter) Commit(ctx context.Context, changes []bitcoin.Change) error {
	if f.n == 0 {
		return errDiskFull
	}
	f.n--
	return f.MemStore.Commit(ctx, changes)
}

func TestBackgroundCommits(t *testing.T) {
	params := &chaincfg.RegressionNetParams
	g := bitcointest.New(7)
	genesis, tip := bitcointest.Genesis()
	blocks, tip := g.Blocks(tip, 30)
	g.Salt = 99
	// A branch forking 4 blocks below the tip, one block longer: the reorg
	// reads records of batches still being committed.
	branch, _ := g.Blocks(bitcointest.TipOf(append([]*wire.MsgBlock{genesis}, blocks[:26]...)), 5)
	_ = tip
	stream := append(append([]*wire.MsgBlock{genesis}, blocks...), branch...)
	run := func(t *testing.T, s bitcoin.Store, batch, utxo int) error {
		cfg := bitcoin.DefaultConfig()
		cfg.BatchBlocks, cfg.UTXOCache = batch, utxo
		e, err := bitcoin.NewEngine(t.Context(), s, params, cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range stream {
			if err := e.Add(t.Context(), b, -1); err != nil {
				return err
			}
		}
		return e.Flush(t.Context())
	}
	t.Run("background commits and the utxo cache index what foreground commits without it index", func(t *testing.T) {
		for _, batch := range []int{1, 2, 3, 5, 8} {
			fg := bitcoin.NewMemStore()
			if err := run(t, syncOnly{fg}, batch, 0); err != nil {
				t.Fatal(err)
			}
			// A cache of 7 outputs evicts all the time; one of 10,000 never.
			for _, utxo := range []int{0, 7, 10000} {
				bg := bitcoin.NewMemStore()
				if err := run(t, bg, batch, utxo); err != nil {
					t.Fatal(err)
				}
				if digest(t, fg) != digest(t, bg) {
					t.Fatalf("batches of %d, utxo cache of %d: background and foreground commits differ", batch, utxo)
				}
			}
		}
	})
	t.Run("a failed background commit stops the engine and keeps the store at a commit", func(t *testing.T) {
		s := &failAfter{MemStore: bitcoin.NewMemStore(), n: 2}
		if err := run(t, s, 3, 100); !errors.Is(err, errDiskFull) {
			t.Fatalf("ingest over a failing store: %v, want %v", err, errDiskFull)
		}
		tip, err := s.Tip(t.Context())
		if err != nil || tip.Height != 5 {
			t.Fatalf("tip after two commits of 3 blocks = %+v, %v; want height 5", tip, err)
		}
	})
}
