package main

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

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

// waitFollower waits until the node has served the full block at height and
// then a head query: the follower connected that block and committed it
// before it polled again.
func waitFollower(t *testing.T, node *rpctest.Server, height int64) {
	t.Helper()
	key := rpctest.Key("eth_getBlockByNumber", []any{hexutil.EncodeUint64(uint64(height)), true})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		calls := node.Calls()
		if i := slices.Index(calls, key); i >= 0 && slices.ContainsFunc(calls[i:], func(c string) bool { return strings.HasPrefix(c, "eth_blockNumber") }) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the follower did not fetch block %d within 20 s", height)
}

// TestIngestETHFollowModeReorg runs `ingest eth --follow` against a
// simulated node, which reorganises onto a longer branch while the follower
// runs: once stopped (SIGTERM), the index equals a clean ingest of the final
// chain up to its head less the confirmations.
func TestIngestETHFollowModeReorg(t *testing.T) {
	g := ethtest.Gen{Seed: 31, Traced: true}
	first := g.Chain(100, common.Hash{}, 14) // 100..113
	g.Salt = 9
	branch := g.Chain(108, first[7].Block.Hash, 10) // 108..117
	node := rpctest.New(t)
	if err := node.SetChain(1, served(first)); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	cmd := exec.Command(binPath, "--data-dir", data, "--log-level", "warn", "ingest", "eth", "--rpc", node.URL,
		"--from", "100", "--follow", "--poll", "20ms", "--confirmations", "2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitFollower(t, node, 111)
	if err := node.Reorg(served(branch)); err != nil {
		t.Fatal(err)
	}
	waitFollower(t, node, 115)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ingest --follow after SIGTERM: %v\n%s", err, stderr.String())
	}
	c := cli{t: t, args: []string{"--data-dir", data, "--log-level", "warn"}}
	got := strings.TrimSpace(c.ok("ingest", "eth", "--digest"))

	final := append(append([]*eth.BlockData{}, first[:8]...), branch...)
	clean := rpctest.New(t)
	if err := clean.SetChain(1, served(final)); err != nil {
		t.Fatal(err)
	}
	cc := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	want := strings.TrimSpace(cc.ok("ingest", "eth", "--rpc", clean.URL, "--from", "100", "--to", "115", "--digest"))
	if got != want {
		t.Fatalf("after following the reorg the digest is %s, a clean ingest of 100..115 of the final chain's %s", got, want)
	}
}

// TestIngestETHResumesAfterKill kills an ingest (SIGKILL) in the middle of
// a chain, at several points, then resumes it: the index equals a clean
// ingest of the whole chain.
func TestIngestETHResumesAfterKill(t *testing.T) {
	blocks := ethtest.Gen{Seed: 41, Traced: true}.Chain(200, common.Hash{}, 60)
	node := rpctest.New(t)
	if err := node.SetChain(1, served(blocks)); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	args := []string{"--data-dir", data, "--log-level", "warn", "ingest", "eth", "--rpc", node.URL, "--from", "200", "--to", "259", "--batch", "7"}
	for _, killAt := range []int64{215, 238} {
		cmd := exec.Command(binPath, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		key := rpctest.Key("eth_getBlockByNumber", []any{hexutil.EncodeUint64(uint64(killAt)), true})
		deadline := time.Now().Add(20 * time.Second)
		for !slices.Contains(node.Calls(), key) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	c := cli{t: t}
	got := strings.TrimSpace(c.ok(append(args, "--digest")...))
	cc := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	want := strings.TrimSpace(cc.ok("ingest", "eth", "--rpc", node.URL, "--from", "200", "--to", "259", "--digest"))
	if got != want {
		t.Fatalf("after kills and a resume the digest is %s, a clean ingest's %s", got, want)
	}
}

// TestIngestETHErrors: bad flags are usage errors, and a node without the
// trace method the flags ask for fails the ingest with a message that says
// what to do, before anything is indexed.
func TestIngestETHErrors(t *testing.T) {
	node := rpctest.New(t)
	if err := node.SetChain(1, served(ethtest.Gen{Seed: 5, Traced: true}.Chain(0, common.Hash{}, 3))); err != nil {
		t.Fatal(err)
	}
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no node", []string{"ingest", "eth"}, exitUsage, "--rpc is required"},
		{"an unknown tracer", []string{"ingest", "eth", "--rpc", node.URL, "--traces", "erigon"}, exitUsage, "--traces must be parity, geth or none"},
		{"a reversed range", []string{"ingest", "eth", "--rpc", node.URL, "--from", "5", "--to", "2"}, exitUsage, "want 0 <= from <= to"},
		{"an unknown export", []string{"export", "eth", "uncles", "--from", "0", "--to", "1"}, exitUsage, "unknown ethereum export"},
		{"an export without a range", []string{"export", "eth", "blocks"}, exitUsage, "give both --from H and --to H"},
		{"stream items as CSV", []string{"export", "eth", "blocks", "--from", "0", "--to", "1", "--stream", "--format", "csv"}, exitUsage, "--stream writes JSON lines only"},
		{"an export of blocks not indexed", []string{"export", "eth", "blocks", "--from", "5", "--to", "6"}, exitNotFound, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := c.run(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
	t.Run("a node without trace_block", func(t *testing.T) {
		node.Disable("trace_block")
		_, stderr, code := c.run("ingest", "eth", "--rpc", node.URL, "--to", "2", "--traces", "parity")
		if code == 0 || !strings.Contains(stderr, "trace_block") || !strings.Contains(stderr, "--traces geth, or --traces none") {
			t.Fatalf("exit %d, stderr %q: want a failure naming trace_block and the --traces alternatives", code, stderr)
		}
		if out := strings.TrimSpace(c.ok("ingest", "eth", "--rpc", node.URL, "--to", "2", "--traces", "none", "--digest")); len(out) != 64 {
			t.Fatalf("ingest without traces printed %q, want a digest", out)
		}
	})
}
