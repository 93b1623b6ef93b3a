package main

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

// served turns generated blocks into what the programmable node serves.
func served(blocks []*eth.BlockData) []rpctest.Block {
	out := make([]rpctest.Block, len(blocks))
	for i, bd := range blocks {
		out[i] = rpctest.Block{Block: bd.Block, Receipts: bd.Receipts, Traces: bd.Traces}
	}
	return out
}

// TestIngestETHFollowsANodeReorg ingests a simulated node's chain over
// JSON-RPC, lets the node reorganise onto a longer branch, and ingests again:
// the index rolls back to the fork and equals a clean ingest of the node's
// final chain, on Pebble and on PostgreSQL.
func TestIngestETHFollowsANodeReorg(t *testing.T) {
	g := ethtest.Gen{Seed: 21, Traced: true}
	first := g.Chain(100, common.Hash{}, 14)
	g.Salt = 3
	branch := g.Chain(108, first[7].Block.Hash, 10)
	final := append(append([]*eth.BlockData{}, first[:8]...), branch...)

	for _, backend := range []string{"pebble", "postgres"} {
		t.Run("on "+backend, func(t *testing.T) {
			chainURL := func() string {
				if backend == "postgres" {
					return freshPostgresSchema(t)
				}
				return "pebble://" + t.TempDir()
			}
			node := rpctest.New(t)
			if err := node.SetChain(1, served(first)); err != nil {
				t.Fatal(err)
			}
			c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
			args := []string{"ingest", "eth", "--rpc", node.URL, "--from", "100", "--confirmations", "0", "--traces", "parity", "--chain", chainURL(), "--digest"}
			before := strings.TrimSpace(c.ok(args...))
			if err := node.Reorg(served(branch)); err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(c.ok(args...))
			if got == before {
				t.Fatal("the index did not change after the node reorganised")
			}

			clean := rpctest.New(t)
			if err := clean.SetChain(1, served(final)); err != nil {
				t.Fatal(err)
			}
			cc := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
			want := strings.TrimSpace(cc.ok("ingest", "eth", "--rpc", clean.URL, "--from", "100", "--confirmations", "0", "--digest"))
			if got != want {
				t.Fatalf("after the reorg the digest is %s, a clean ingest of the final chain's %s", got, want)
			}
		})
	}
}
