package bitcoin_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	"github.com/interdict/interdict/internal/sharedtest"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
)

// readBlocks reads a shared btcd test file of framed mainnet blocks.
func readBlocks(t *testing.T, elem ...string) []*wire.MsgBlock {
	t.Helper()
	src, err := srcbtc.OpenFile(sharedtest.Decompressed(t, elem...), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []*wire.MsgBlock
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Msg)
	}
}

func btcdFile(name ...string) []string {
	return append([]string{"blockchain", "btcd"}, name...)
}

// ingest adds blocks to a fresh in-memory index and returns it flushed.
func ingest(t *testing.T, params *chaincfg.Params, cfg bitcoin.Config, blocks ...*wire.MsgBlock) *bitcoin.MemStore {
	t.Helper()
	s := bitcoin.NewMemStore()
	e, err := bitcoin.NewEngine(t.Context(), s, params, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if err := e.Add(t.Context(), b, -1); err != nil {
			t.Fatalf("Add %s: %v", b.BlockHash(), err)
		}
	}
	if err := e.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func digest(t *testing.T, s bitcoin.Store) [32]byte {
	t.Helper()
	d, err := s.Digest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkBlocks asserts the index holds blocks at heights from.. with the hash,
// tx count and output sum btcd computes from the blocks themselves.
func checkBlocks(t *testing.T, s bitcoin.ChainReader, from int64, blocks []*wire.MsgBlock) {
	t.Helper()
	ctx := t.Context()
	for i, m := range blocks {
		h := from + int64(i)
		b, err := s.BlockByHeight(ctx, h)
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		if b.Hash != m.BlockHash() || len(b.Txids) != len(m.Transactions) {
			t.Fatalf("block %d = %s with %d txs, btcd says %s with %d", h, b.Hash, len(b.Txids), m.BlockHash(), len(m.Transactions))
		}
		var want, got int64
		for j, tx := range m.Transactions {
			rec, err := s.Tx(ctx, b.Txids[j])
			if err != nil {
				t.Fatalf("tx %s: %v", b.Txids[j], err)
			}
			if rec.Height != h || rec.Index != j || rec.BlockHash != b.Hash {
				t.Fatalf("tx %s placed at %d/%d, want %d/%d", rec.Txid, rec.Height, rec.Index, h, j)
			}
			for k, out := range tx.TxOut {
				want += out.Value
				o, err := s.Output(ctx, wire.OutPoint{Hash: b.Txids[j], Index: uint32(k)})
				if err != nil {
					t.Fatalf("output %s:%d: %v", b.Txids[j], k, err)
				}
				got += o.Value
			}
		}
		if got != want {
			t.Fatalf("block %d outputs sum to %d in the index, %d by btcd", h, got, want)
		}
	}
}

func TestIngestBtcdBlocks1To255(t *testing.T) {
	blocks := readBlocks(t, btcdFile("database", "testdata", "blocks1-256.bz2")...)
	if len(blocks) != 255 {
		t.Fatalf("read %d blocks, want 255", len(blocks))
	}
	s := ingest(t, &chaincfg.MainNetParams, bitcoin.DefaultConfig(), blocks...)
	tip, err := s.Tip(t.Context())
	if err != nil || tip.Height != 255 || tip.Hash != blocks[254].BlockHash() {
		t.Fatalf("Tip = %+v, %v; want height 255 %s", tip, err, blocks[254].BlockHash())
	}
	checkBlocks(t, s, 1, blocks)

	t.Run("every input's previous output is known once its block is indexed", func(t *testing.T) {
		for _, m := range blocks {
			for _, tx := range m.Transactions[1:] {
				rec, err := s.Tx(t.Context(), tx.TxHash())
				if err != nil {
					t.Fatal(err)
				}
				for j, p := range rec.Prev {
					if !p.Known || p.Value <= 0 {
						t.Fatalf("tx %s input %d: prev-out %+v, want known", rec.Txid, j, p)
					}
					sp, err := s.Spend(t.Context(), tx.TxIn[j].PreviousOutPoint)
					if err != nil || sp.Txid != rec.Txid || sp.Vin != uint32(j) {
						t.Fatalf("spend of %s = %+v, %v", tx.TxIn[j].PreviousOutPoint, sp, err)
					}
				}
			}
		}
	})
	t.Run("the digest does not depend on the batch size", func(t *testing.T) {
		cfg := bitcoin.DefaultConfig()
		cfg.BatchBlocks = 7
		if a, b := digest(t, s), digest(t, ingest(t, &chaincfg.MainNetParams, cfg, blocks...)); a != b {
			t.Fatalf("digest with batches of 100 %x, of 7 %x", a, b)
		}
	})
}

func TestReorgOntoBtcdSideChain(t *testing.T) {
	main := readBlocks(t, btcdFile("blockchain", "testdata", "blk_0_to_4.dat.bz2")...)
	var side []*wire.MsgBlock
	for _, n := range []string{"blk_3A.dat.bz2", "blk_4A.dat.bz2", "blk_5A.dat.bz2"} {
		side = append(side, readBlocks(t, btcdFile("blockchain", "testdata", n)...)...)
	}
	if len(main) != 5 || len(side) != 3 {
		t.Fatalf("read %d main and %d side blocks", len(main), len(side))
	}
	winning := append(append([]*wire.MsgBlock{}, main[:3]...), side...)
	for _, batch := range []int{1, 3, 100} {
		cfg := bitcoin.DefaultConfig()
		cfg.BatchBlocks = batch
		reorged := ingest(t, &chaincfg.MainNetParams, cfg, append(append([]*wire.MsgBlock{}, main...), side...)...)
		clean := ingest(t, &chaincfg.MainNetParams, cfg, winning...)
		if digest(t, reorged) != digest(t, clean) {
			t.Fatalf("batches of %d: the index after the reorg differs from a clean ingest of 0,1,2,3A,4A,5A", batch)
		}
		checkBlocks(t, reorged, 0, winning)
		if _, err := reorged.Tx(t.Context(), main[4].Transactions[0].TxHash()); !errors.Is(err, bitcoin.ErrNotFound) {
			t.Fatalf("block 4's coinbase still indexed after the reorg: %v", err)
		}
	}
}

func TestGeneratedChainsWithRandomReorgs(t *testing.T) {
	params := &chaincfg.RegressionNetParams
	for seed := uint64(1); seed <= 8; seed++ {
		g := bitcointest.New(seed)
		genesis, tip := bitcointest.Genesis()
		stream := []*wire.MsgBlock{genesis}
		mainBlocks, tip := g.Blocks(tip, 20)
		stream = append(stream, mainBlocks...)
		best := append([]*wire.MsgBlock{genesis}, mainBlocks...)
		// Competing branches forking at random depths, each longer than the
		// chain it replaces.
		for r := range 3 {
			depth := 1 + int(seed+uint64(r))%6
			forkAt := len(best) - 1 - depth
			g.Salt = uint32(seed*10 + uint64(r) + 1)
			fork := tipOf(g, best[:forkAt+1])
			branch, _ := g.Blocks(fork, depth+1+r%2)
			stream = append(stream, branch...)
			best = append(best[:forkAt+1:forkAt+1], branch...)
		}
		_ = tip
		cfg := bitcoin.DefaultConfig()
		cfg.BatchBlocks = int(seed % 4)
		reorged := ingest(t, params, cfg, stream...)
		clean := ingest(t, params, cfg, best...)
		if digest(t, reorged) != digest(t, clean) {
			t.Fatalf("seed %d: the index after reorgs differs from a clean ingest of the winning chain", seed)
		}
		checkBlocks(t, reorged, 0, best)
	}
}

// tipOf replays blocks through a fresh generator state to get the tip (with
// its unspent outputs) at their end.
func tipOf(_ *bitcointest.Gen, blocks []*wire.MsgBlock) bitcointest.Tip {
	return bitcointest.TipOf(blocks)
}

func TestDisconnectEverythingLeavesAnEmptyIndex(t *testing.T) {
	g := bitcointest.New(42)
	genesis, tip := bitcointest.Genesis()
	blocks, _ := g.Blocks(tip, 30)
	s := bitcoin.NewMemStore()
	ctx := context.Background()
	e, err := bitcoin.NewEngine(ctx, s, &chaincfg.RegressionNetParams, bitcoin.Config{BatchBlocks: 4}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range append([]*wire.MsgBlock{genesis}, blocks...) {
		if err := e.Add(ctx, b, -1); err != nil {
			t.Fatal(err)
		}
	}
	for range 31 {
		if err := e.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if digest(t, s) != digest(t, bitcoin.NewMemStore()) {
		t.Fatal("disconnecting every block left records behind")
	}
}

func TestStaleBranchesAreForgottenBelowTheUndoWindow(t *testing.T) {
	g := bitcointest.New(5)
	genesis, tip := bitcointest.Genesis()
	mainBlocks, _ := g.Blocks(tip, 30)
	g.Salt = 9
	stale, _ := g.Blocks(bitcointest.TipOf([]*wire.MsgBlock{genesis, mainBlocks[0], mainBlocks[1]}), 2)
	s := bitcoin.NewMemStore()
	e, err := bitcoin.NewEngine(t.Context(), s, &chaincfg.RegressionNetParams, bitcoin.Config{UndoWindow: 10, BatchBlocks: 3}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stream := append(append([]*wire.MsgBlock{genesis}, mainBlocks[:5]...), stale...)
	stream = append(stream, mainBlocks[5:]...)
	for _, b := range stream {
		if err := e.Add(t.Context(), b, -1); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range stale {
		if known, err := e.Knows(t.Context(), b.BlockHash()); err != nil || known {
			t.Fatalf("stale block %s still held (%v) 25 blocks below the tip with a 10-block window", b.BlockHash(), err)
		}
	}
	if tip, _ := e.Tip(); tip.Height != 30 {
		t.Fatalf("tip %d, want 30", tip.Height)
	}
}

// TestTheChainWithTheMostWorkWins: a branch of two blocks at a higher
// difficulty replaces three indexed blocks at regtest's minimum (the most
// cumulative work wins, not the most blocks, as on testnet after a
// minimum-difficulty run), and a branch of equal work does not displace the
// chain seen first.
func TestTheChainWithTheMostWorkWins(t *testing.T) {
	params := &chaincfg.RegressionNetParams
	g := bitcointest.New(11)
	genesis, tip := bitcointest.Genesis()
	base, tip := g.Blocks(tip, 5)
	weak, _ := g.Blocks(tip, 3) // 3 × work 2
	g.Salt = 1
	g.Bits = 0x1f7fffff // work 512 each
	strong, _ := g.Blocks(tip, 2)
	g.Salt, g.Bits = 2, 0
	equal, _ := g.Blocks(tip, 3) // same work as weak, seen later

	chain := func(parts ...[]*wire.MsgBlock) []*wire.MsgBlock {
		out := []*wire.MsgBlock{genesis}
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cfg := bitcoin.DefaultConfig()
	cases := []struct {
		name   string
		stream []*wire.MsgBlock
		want   []*wire.MsgBlock
	}{
		{"two heavy blocks replace three light ones", chain(base, weak, strong), chain(base, strong)},
		{"three light blocks do not replace two heavy ones", chain(base, strong, weak), chain(base, strong)},
		{"a branch of equal work does not displace the first seen", chain(base, weak, equal), chain(base, weak)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ingest(t, params, cfg, tc.stream...)
			if digest(t, got) != digest(t, ingest(t, params, cfg, tc.want...)) {
				tip, _ := got.Tip(t.Context())
				t.Fatalf("index tip %d %s differs from a clean ingest of the winning chain", tip.Height, tip.Hash)
			}
			checkBlocks(t, got, 0, tc.want)
		})
	}
}
