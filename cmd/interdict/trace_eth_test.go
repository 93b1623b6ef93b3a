package main

import (
	"context"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	"github.com/interdict/interdict/internal/store/pebble"
)

// ethIndex connects a generated Ethereum chain (ethtest: payments, failed
// txs, creations, ERC-20 and ERC-721, nested calls, self-destructs,
// withdrawals, rewards; traced) into a Pebble index in dir.
func ethIndex(t *testing.T, dir string, blocks int) {
	t.Helper()
	ctx := context.Background()
	st, err := pebble.OpenEth(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, err := ethereum.NewEngine(ctx, st, ethereum.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bd := range (ethtest.Gen{Seed: 9, Traced: true}).Chain(0, common.Hash{}, blocks) {
		if _, err := e.Connect(ctx, bd); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTraceETHThroughTheCLI traces a generated chain's address forward and
// back through the Ethereum index in Pebble, under every model: every edge
// carries no more taint than it moves, poison reaches at least what
// haircut and FIFO do, and the JSON keeps the contract's shape.
func TestTraceETHThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	ethIndex(t, filepath.Join(dir, "chain-eth"), 60)
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	start := ethereum.NormalizeAddress(ethtest.Addr(3))
	for _, dirn := range []string{"forward", "backward"} {
		reached := map[trace.Model]*big.Int{}
		for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
			var res trace.Result
			c.json(&res, "trace", "--chain", "eth", "--address", start, "--direction", dirn, "--model", string(m), "--max-hops", "3")
			if len(res.Edges) == 0 || len(res.Reached) == 0 {
				t.Fatalf("%s %s: no edges or nothing reached", dirn, m)
			}
			for _, e := range res.Edges {
				amount, ok1 := new(big.Int).SetString(e.Amount, 10)
				tainted, ok2 := new(big.Int).SetString(e.Tainted, 10)
				if !ok1 || !ok2 || tainted.Cmp(amount) > 0 || tainted.Sign() <= 0 || e.Time == "" || e.Tx == "" {
					t.Fatalf("%s %s: edge %+v", dirn, m, e)
				}
			}
			sum := new(big.Int)
			for _, r := range res.Reached {
				v, _ := new(big.Int).SetString(r.Tainted, 10)
				sum.Add(sum, v)
			}
			reached[m] = sum
		}
		for _, m := range []trace.Model{trace.Haircut, trace.FIFO} {
			if reached[trace.Poison].Cmp(reached[m]) < 0 {
				t.Errorf("%s: poison reached %s, less than %s's %s", dirn, reached[trace.Poison], m, reached[m])
			}
		}
	}
	if _, stderr, code := c.run("trace", "--chain", "eth", "--address", "0x1234"); code != 2 {
		t.Errorf("a short address: exit %d (%s), want 2", code, stderr)
	}
	if _, stderr, code := c.run("trace", "--chain", "eth", "--tx", "0x"+common.Hash{1}.Hex()[2:]); code != 4 {
		t.Errorf("an unknown tx: exit %d (%s), want 4", code, stderr)
	}
}
