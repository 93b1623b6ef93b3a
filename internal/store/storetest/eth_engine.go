package storetest

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
)

// ethSync runs Sync of node onto s until the node's head less confirmations.
func ethSync(t *testing.T, s eth.Store, node eth.Node, cfg eth.Config, from, confirmations int64) {
	t.Helper()
	e, err := eth.NewEngine(ctx(t), s, cfg, nil)
	must(t, "NewEngine", err)
	must(t, "Sync", eth.Sync(ctx(t), e, node, eth.SyncOptions{From: from, To: -1, Confirmations: confirmations}))
}

func ethEngineCases() []ethCase {
	return []ethCase{
		{"disconnecting blocks equals a clean ingest of the shorter chain", func(t *testing.T, s eth.Store) {
			blocks := ethGen(10).Chain(50, common.Hash{}, 9)
			ethIngest(t, eth.Config{BatchBlocks: 4, UndoWindow: 10}, blocks, s)
			e, err := eth.NewEngine(ctx(t), s, eth.Config{BatchBlocks: 4, UndoWindow: 10}, nil)
			must(t, "NewEngine", err)
			for range 3 {
				must(t, "Disconnect", e.Disconnect(ctx(t)))
			}
			clean := eth.NewMemStore()
			ethIngest(t, eth.Config{BatchBlocks: 2, UndoWindow: 10}, blocks[:6], clean)
			ethSameDigest(t, s, clean)
			tip, err := s.Tip(ctx(t))
			must(t, "Tip", err)
			if tip.Height != 55 {
				t.Fatalf("tip after 3 disconnects = %d, want 55", tip.Height)
			}
			for _, tx := range blocks[8].Block.Txs {
				_, err := s.TxLocation(ctx(t), tx.Hash)
				wantEthNotFound(t, "TxLocation of a disconnected tx", err)
			}
		}},
		{"disconnecting every block leaves an empty index", func(t *testing.T, s eth.Store) {
			blocks := ethGen(11).Chain(0, common.Hash{}, 3)
			ethIngest(t, eth.Config{BatchBlocks: 2}, blocks, s)
			e, err := eth.NewEngine(ctx(t), s, eth.Config{}, nil)
			must(t, "NewEngine", err)
			for range 3 {
				must(t, "Disconnect", e.Disconnect(ctx(t)))
			}
			_, err = s.Tip(ctx(t))
			wantEthNotFound(t, "Tip", err)
			ethSameDigest(t, s, eth.NewMemStore())
		}},
		{"a disconnect below the undo window fails with ErrUndoPruned", func(t *testing.T, s eth.Store) {
			blocks := ethGen(12).Chain(0, common.Hash{}, 8)
			cfg := eth.Config{BatchBlocks: 3, UndoWindow: 2}
			ethIngest(t, cfg, blocks, s)
			e, err := eth.NewEngine(ctx(t), s, cfg, nil)
			must(t, "NewEngine", err)
			must(t, "Disconnect 7", e.Disconnect(ctx(t)))
			must(t, "Disconnect 6", e.Disconnect(ctx(t)))
			wantErrIs(t, "Disconnect 5", e.Disconnect(ctx(t)), eth.ErrUndoPruned)
		}},
		{"an engine reopened on the store resumes from its tip", func(t *testing.T, s eth.Store) {
			blocks := ethGen(13).Chain(7, common.Hash{}, 10)
			ethIngest(t, eth.Config{BatchBlocks: 3}, blocks[:4], s)
			ethIngest(t, eth.Config{BatchBlocks: 3}, blocks[4:], s)
			ref := eth.NewMemStore()
			ethIngest(t, eth.Config{BatchBlocks: 100}, blocks, ref)
			ethSameDigest(t, s, ref)
		}},
		{"a node that reorganises under the follower leaves the index equal to a clean ingest of its final chain", func(t *testing.T, s eth.Store) {
			g := ethGen(14)
			main := g.Chain(20, common.Hash{}, 12)
			node := ethtest.NewNode(main)
			cfg := eth.Config{BatchBlocks: 4, UndoWindow: 16}
			ethSync(t, s, node, cfg, 20, 0)
			// The node switches to a longer branch forking after height 25.
			g.Salt = 1
			branch := g.Chain(26, main[5].Block.Hash, 10)
			final := append(append([]*eth.BlockData{}, main[:6]...), branch...)
			node.SetChain(final)
			ethSync(t, s, node, cfg, 20, 0)
			clean := eth.NewMemStore()
			ethIngest(t, cfg, final, clean)
			ethSameDigest(t, s, clean)
			// And back onto a third branch forking lower, with confirmations.
			g.Salt = 2
			third := g.Chain(23, main[2].Block.Hash, 16)
			final = append(append([]*eth.BlockData{}, main[:3]...), third...)
			node.SetChain(final)
			ethSync(t, s, node, cfg, 20, 2)
			clean = eth.NewMemStore()
			ethIngest(t, cfg, final[:len(final)-2], clean)
			ethSameDigest(t, s, clean)
		}},
		{"untraced blocks index the transactions' own values", func(t *testing.T, s eth.Store) {
			blocks := ethtest.Gen{Seed: 15}.Chain(0, common.Hash{}, 6)
			ref := eth.NewMemStore()
			ethIngest(t, eth.Config{BatchBlocks: 2}, blocks, s, ref)
			ethSameDigest(t, s, ref)
		}},
	}
}
