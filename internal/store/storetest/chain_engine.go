package storetest

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// runEngine adds blocks through an engine on s and the reference store.
func runEngine(t *testing.T, s, ref bitcoin.Store, cfg bitcoin.Config, blocks []*wire.MsgBlock) {
	t.Helper()
	for _, st := range []bitcoin.Store{s, ref} {
		e, err := bitcoin.NewEngine(ctx(t), st, &chaincfg.RegressionNetParams, cfg, nil, nil)
		must(t, "NewEngine", err)
		for _, b := range blocks {
			must(t, "Add", e.Add(ctx(t), b, -1))
		}
		must(t, "Flush", e.Flush(ctx(t)))
	}
}

// chainEngineCases run the bitcoin engine over the store: ingests, reorgs and
// BIP30 duplicates, each compared with the reference store.
func chainEngineCases() []chainCase {
	return []chainCase{
		{"a generated chain ingests to the reference digest", func(t *testing.T, s bitcoin.Store) {
			g := bitcointest.New(7)
			genesis, tip := bitcointest.Genesis()
			blocks, _ := g.Blocks(tip, 40)
			ref := bitcoin.NewMemStore()
			runEngine(t, s, ref, bitcoin.Config{BatchBlocks: 6}, append([]*wire.MsgBlock{genesis}, blocks...))
			sameDigest(t, s, ref)
		}},
		{"a reorg onto a longer branch equals a clean ingest of it", func(t *testing.T, s bitcoin.Store) {
			g := bitcointest.New(8)
			genesis, tip := bitcointest.Genesis()
			main, _ := g.Blocks(tip, 12)
			g.Salt = 1
			fork := bitcointest.TipOf(append([]*wire.MsgBlock{genesis}, main[:6]...))
			branch, _ := g.Blocks(fork, 8)
			stream := append(append([]*wire.MsgBlock{genesis}, main...), branch...)
			runEngine(t, s, bitcoin.NewMemStore(), bitcoin.Config{BatchBlocks: 5}, stream)
			clean := bitcoin.NewMemStore()
			winning := append(append([]*wire.MsgBlock{genesis}, main[:6]...), branch...)
			runEngine(t, bitcoin.NewMemStore(), clean, bitcoin.Config{BatchBlocks: 5}, winning)
			sameDigest(t, s, clean)
		}},
		{"a branch delivered across separate engine runs wins once it holds more work", func(t *testing.T, s bitcoin.Store) {
			g := bitcointest.New(10)
			genesis, tip := bitcointest.Genesis()
			main, _ := g.Blocks(tip, 8)
			g.Salt = 1
			fork := bitcointest.TipOf(append([]*wire.MsgBlock{genesis}, main[:5]...))
			branch, _ := g.Blocks(fork, 5) // heights 6..10 against main's 6..8
			runs := [][]*wire.MsgBlock{append([]*wire.MsgBlock{genesis}, main...)}
			for _, b := range branch {
				runs = append(runs, []*wire.MsgBlock{b}) // one block per run, as separate file: sources
			}
			for i, run := range runs {
				e, err := bitcoin.NewEngine(ctx(t), s, &chaincfg.RegressionNetParams, bitcoin.Config{BatchBlocks: 3}, nil, nil)
				must(t, "NewEngine", err)
				for _, b := range run {
					must(t, "Add", e.Add(ctx(t), b, -1))
				}
				must(t, "Flush", e.Flush(ctx(t)))
				held, err := s.SideBlocks(ctx(t))
				must(t, "SideBlocks", err)
				// Branch blocks wait aside until the branch outweighs main
				// (run 4 brings it to height 9 > 8); then main's three
				// disconnected blocks are held aside instead.
				want := map[int]int{0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 3}[i]
				if len(held) != want {
					t.Fatalf("after run %d: %d blocks held aside, want %d", i, len(held), want)
				}
			}
			clean := bitcoin.NewMemStore()
			winning := append(append([]*wire.MsgBlock{genesis}, main[:5]...), branch...)
			runEngine(t, bitcoin.NewMemStore(), clean, bitcoin.Config{BatchBlocks: 5}, winning)
			sameDigest(t, s, clean)
			held, err := s.SideBlocks(ctx(t))
			must(t, "SideBlocks", err)
			for _, sb := range held {
				if sb.Height < 6 || sb.Height > 8 || sb.Msg.BlockHash() != sb.Hash {
					t.Errorf("held aside: height %d %s; want main's disconnected blocks 6..8", sb.Height, sb.Hash)
				}
			}
		}},
		{"a duplicate coinbase (BIP30) overwrites the earlier outputs and a disconnect restores them", func(t *testing.T, s bitcoin.Store) {
			g := bitcointest.New(9)
			genesis, tip := bitcointest.Genesis()
			pre, tip := g.Blocks(tip, 3)
			first, tip := g.Block(tip, nil)
			mid, tip := g.Blocks(tip, 2)
			dup, _ := g.Block(tip, first.Transactions[0])
			cb := first.Transactions[0].TxHash()
			before := append(append(append([]*wire.MsgBlock{genesis}, pre...), first), mid...)
			ref := bitcoin.NewMemStore()
			runEngine(t, s, ref, bitcoin.Config{BatchBlocks: 2}, append(before, dup))
			sameDigest(t, s, ref)

			tx, err := s.Tx(ctx(t), cb)
			must(t, "Tx", err)
			if tx.Height != 7 || tx.BlockHash != dup.BlockHash() {
				t.Fatalf("duplicate txid placed at %d %s, want the later block 7", tx.Height, tx.BlockHash)
			}
			o, err := s.Output(ctx(t), wire.OutPoint{Hash: cb})
			must(t, "Output", err)
			if o.Height != 7 {
				t.Fatalf("the duplicate's output is at height %d, want 7 (the later one overwrites)", o.Height)
			}

			e, err := bitcoin.NewEngine(ctx(t), s, &chaincfg.RegressionNetParams, bitcoin.Config{BatchBlocks: 1}, nil, nil)
			must(t, "NewEngine", err)
			must(t, "Disconnect", e.Disconnect(ctx(t)))
			must(t, "Flush", e.Flush(ctx(t)))
			clean := bitcoin.NewMemStore()
			runEngine(t, bitcoin.NewMemStore(), clean, bitcoin.Config{BatchBlocks: 3}, before)
			sameDigest(t, s, clean)
			tx, err = s.Tx(ctx(t), cb)
			must(t, "Tx after disconnect", err)
			if tx.Height != 4 {
				t.Fatalf("after disconnecting the duplicate the txid is at %d, want 4", tx.Height)
			}
		}},
		{"a chain started above genesis marks earlier previous outputs unknown", func(t *testing.T, s bitcoin.Store) {
			g := bitcointest.New(10)
			_, tip := bitcointest.Genesis()
			blocks, _ := g.Blocks(tip, 20)
			ref := bitcoin.NewMemStore()
			runEngine(t, s, ref, bitcoin.Config{BatchBlocks: 4}, blocks[9:])
			sameDigest(t, s, ref)
			first, err := s.BlockByHeight(ctx(t), 10)
			must(t, "BlockByHeight(10) (placed by its BIP34 height)", err)
			if first.Hash != blocks[9].BlockHash() {
				t.Fatalf("block at 10 = %s, want %s", first.Hash, blocks[9].BlockHash())
			}
			unknown := 0
			for _, b := range blocks[9:] {
				for _, tx := range b.Transactions[1:] {
					rec, err := s.Tx(ctx(t), tx.TxHash())
					must(t, "Tx", err)
					for j, p := range rec.Prev {
						_, err := s.Output(ctx(t), tx.TxIn[j].PreviousOutPoint)
						inIndex := err == nil
						if p.Known != inIndex {
							t.Fatalf("input %s:%d known=%v, its output indexed=%v", rec.Txid, j, p.Known, inIndex)
						}
						if !p.Known {
							unknown++
							if p.Value != 0 || p.PkScript != nil {
								t.Fatalf("unknown prev-out carries %+v", p)
							}
						}
					}
				}
			}
			if unknown == 0 {
				t.Fatal("no input spent an output from before the start; the case tests nothing")
			}
		}},
	}
}
