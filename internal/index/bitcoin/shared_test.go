package bitcoin_test

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// TestIngestBtcdMainnetBlocks ingests btcd's other test blocks: the five
// blocks of blk_0_to_4 from genesis, and the lone mainnet blocks 277647 and
// 574200, which an empty index places at the height their coinbase states
// (BIP34), with every input's previous output unknown, never zero.
func TestIngestBtcdMainnetBlocks(t *testing.T) {
	t.Run("blk_0_to_4 indexes from genesis", func(t *testing.T) {
		blocks := readBlocks(t, btcdFile("blockchain", "testdata", "blk_0_to_4.dat.bz2")...)
		s := ingest(t, &chaincfg.MainNetParams, bitcoin.DefaultConfig(), blocks...)
		checkBlocks(t, s, 0, blocks)
		g, err := s.Output(t.Context(), wire.OutPoint{Hash: blocks[0].Transactions[0].TxHash()})
		if err != nil || g.Value != 50_0000_0000 || g.Class != bitcoin.P2PK || !g.Coinbase ||
			len(g.Addresses) != 1 || g.Addresses[0] != "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" {
			t.Fatalf("genesis coinbase output = %+v, %v; want 50 BTC P2PK to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", g, err)
		}
	})
	for _, tc := range []struct {
		name   string
		file   []string
		height int64
		txs    int
	}{
		{"block 277647 is placed at its BIP34 height", btcdFile("blockchain", "testdata", "277647.dat.bz2"), 277647, 213},
		{"block 574200 is placed at its BIP34 height", btcdFile("wire", "testdata", "block-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk"), 574200, 3315},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blocks := readBlocks(t, tc.file...)
			if len(blocks) != 1 || len(blocks[0].Transactions) != tc.txs {
				t.Fatalf("read %d blocks, want 1 of %d txs", len(blocks), tc.txs)
			}
			s := ingest(t, &chaincfg.MainNetParams, bitcoin.DefaultConfig(), blocks...)
			checkBlocks(t, s, tc.height, blocks)
			inBlock := map[chainhash.Hash]bool{}
			for _, tx := range blocks[0].Transactions {
				inBlock[tx.TxHash()] = true
			}
			for _, tx := range blocks[0].Transactions[1:] {
				rec, err := s.Tx(t.Context(), tx.TxHash())
				if err != nil {
					t.Fatal(err)
				}
				for j, p := range rec.Prev {
					// an output of the same block is the only one the index knows
					if p.Known != inBlock[tx.TxIn[j].PreviousOutPoint.Hash] {
						t.Fatalf("tx %s input %d: prev-out %+v, want known only for outputs of the same block", rec.Txid, j, p)
					}
				}
			}
		})
	}
}
