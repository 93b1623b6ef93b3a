package bitcoin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// batchStore is a MemStore that also answers bitcoin.BatchReader, and counts
// the single output and spend lookups the engine still makes.
type batchStore struct {
	*bitcoin.MemStore
	batches, singles int
}

func (s *batchStore) Output(ctx context.Context, op wire.OutPoint) (*bitcoin.Output, error) {
	s.singles++
	return s.MemStore.Output(ctx, op)
}

func (s *batchStore) Spend(ctx context.Context, op wire.OutPoint) (*bitcoin.Spend, error) {
	s.singles++
	return s.MemStore.Spend(ctx, op)
}

func (s *batchStore) ReadBatch(ctx context.Context, txids []chainhash.Hash, ops []wire.OutPoint) (
	txs []*bitcoin.Tx, outs []*bitcoin.Output, spends []*bitcoin.Spend, err error) {
	s.batches++
	keep := func(err error) bool { return err == nil || !errors.Is(err, bitcoin.ErrNotFound) }
	for _, id := range txids {
		t, e := s.MemStore.Tx(ctx, id)
		if e == nil {
			txs = append(txs, t)
		} else if keep(e) {
			return nil, nil, nil, e
		}
	}
	for _, op := range ops {
		o, e := s.MemStore.Output(ctx, op)
		if e == nil {
			outs = append(outs, o)
		} else if keep(e) {
			return nil, nil, nil, e
		}
		sp, e := s.MemStore.Spend(ctx, op)
		if e == nil {
			spends = append(spends, sp)
		} else if keep(e) {
			return nil, nil, nil, e
		}
	}
	return txs, outs, spends, nil
}

// TestBatchReaderAnswersEveryConnectLookup: on a store with ReadBatch the
// engine reads a block's outputs and spends in one call before connecting it,
// makes no single output or spend lookup, and builds the same index,
// through reorgs and with the cache of unspent outputs off.
func TestBatchReaderAnswersEveryConnectLookup(t *testing.T) {
	params := &chaincfg.RegressionNetParams
	for seed := uint64(1); seed <= 4; seed++ {
		g := bitcointest.New(seed)
		genesis, tip := bitcointest.Genesis()
		main, _ := g.Blocks(tip, 15)
		best := append([]*wire.MsgBlock{genesis}, main...)
		stream := append([]*wire.MsgBlock(nil), best...)
		g.Salt = uint32(seed + 100)
		forkAt := len(best) - 4
		branch, _ := g.Blocks(bitcointest.TipOf(best[:forkAt+1]), 5)
		stream = append(stream, branch...)
		best = append(best[:forkAt+1:forkAt+1], branch...)

		cfg := bitcoin.DefaultConfig()
		cfg.UTXOCache = 0
		cfg.BatchBlocks = int(seed)
		s := &batchStore{MemStore: bitcoin.NewMemStore()}
		e, err := bitcoin.NewEngine(t.Context(), s, params, cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range stream {
			if err := e.Add(t.Context(), b, -1); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		clean := ingest(t, params, cfg, best...)
		if digest(t, s) != digest(t, clean) {
			t.Fatalf("seed %d: index built with batch reads differs from a clean ingest", seed)
		}
		if s.batches == 0 || s.singles != 0 {
			t.Errorf("seed %d: %d batch reads, %d single output/spend lookups; want >0 and 0", seed, s.batches, s.singles)
		}
	}
}
