package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/sources/bitcoin/rpctest"
	"github.com/interdict/interdict/internal/store/pebble"
)

// follower is `interdict ingest btc --follow` running as a child process,
// its stderr (slog text lines) collected as they come.
type follower struct {
	t     *testing.T
	cmd   *exec.Cmd
	mu    sync.Mutex // guards lines
	lines []string
	done  chan struct{} // closed when stderr ends
}

func startFollower(t *testing.T, args ...string) *follower {
	t.Helper()
	f := &follower{t: t, cmd: exec.Command(binPath, args...), done: make(chan struct{})}
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.cmd.Process.Kill(); _ = f.cmd.Wait() })
	go func() {
		defer close(f.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			f.mu.Lock()
			f.lines = append(f.lines, sc.Text())
			f.mu.Unlock()
		}
	}()
	return f
}

// waitFor waits until a stderr line holds every one of parts.
func (f *follower) waitFor(parts ...string) {
	f.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, l := range f.lines {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(l, p)
			}
			if all {
				f.mu.Unlock()
				return
			}
		}
		f.mu.Unlock()
		select {
		case <-f.done:
			f.t.Fatalf("the follower ended before logging %q:\n%s", parts, f.stderr())
		case <-time.After(10 * time.Millisecond):
		}
	}
	f.t.Fatalf("no line with %q in a minute:\n%s", parts, f.stderr())
}

func (f *follower) stderr() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.lines, "\n")
}

// count returns how many stderr lines hold s.
func (f *follower) count(s string) int {
	return strings.Count(f.stderr(), s)
}

// TestIngestBTCFollow runs `ingest btc --follow` against a node that grows,
// fails for a moment, and reorganises onto a longer branch while the
// follower runs; an interrupt then stops it with exit code 0 and every block
// committed: the index equals a clean ingest of the node's final chain.
func TestIngestBTCFollow(t *testing.T) {
	cfg := btcgen.Config{Seed: 2027, Blocks: 130, Txs: 900}
	chain, _, err := btcgen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	branch, err := btcgen.GenerateFork(cfg, 124, 2028, 10) // heights 125-134
	if err != nil {
		t.Fatal(err)
	}
	final := append(append([]*wire.MsgBlock{}, chain[:125]...), branch...)
	tipHash := func(b *wire.MsgBlock) string { return "tip_hash=" + b.BlockHash().String() }

	node := rpctest.NewNode(t, nil, chain[:111])
	dir := t.TempDir()
	const poll = 20 * time.Millisecond
	start := time.Now()
	// Batches larger than the run: what reaches the store is committed when
	// the follower catches up and when it is interrupted.
	f := startFollower(t, "--data-dir", dir, "--log-level", "info", "ingest", "btc", "--network", "regtest",
		"--source", "rpc:"+node.URL, "--follow", "--poll", poll.String(), "--batch", "1000")
	f.waitFor("caught up", "tip_height=110", tipHash(chain[110]))

	// New blocks one by one, as a node gets them.
	for _, b := range chain[111:121] {
		if err := node.Submit(b); err != nil {
			t.Fatal(err)
		}
		time.Sleep(poll / 2)
	}
	f.waitFor("ingest block", tipHash(chain[120]))

	// The node fails for a while: the client retries with back-off.
	node.Inject(rpctest.Fault{Status: http.StatusServiceUnavailable, Body: "Work queue depth exceeded"},
		rpctest.Fault{Status: http.StatusInternalServerError, Code: -28})
	if err := node.Submit(chain[121:]...); err != nil {
		t.Fatal(err)
	}
	f.waitFor("ingest block", tipHash(chain[130]))
	if f.count("bitcoin rpc retry") < 2 {
		t.Errorf("the node's two failures were not retried:\n%s", f.stderr())
	}

	// The node reorganises onto a longer branch forking at 124.
	if err := node.Submit(branch...); err != nil {
		t.Fatal(err)
	}
	f.waitFor("ingest block", tipHash(branch[len(branch)-1]))
	f.waitFor("reorganizing", "fork_height=124")
	// Let it poll a while at the tip: waiting must not log.
	time.Sleep(10 * poll)
	ran := time.Since(start)

	if err := f.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-f.done
	err = f.cmd.Wait()
	if code := f.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("interrupted follower exited %d (%v), want 0:\n%s", code, err, f.stderr())
	}
	f.waitFor("ingest interrupted", tipHash(branch[len(branch)-1]))

	t.Run("the index equals a clean ingest of the node's final chain", func(t *testing.T) {
		c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
		got := strings.TrimSpace(c.ok("ingest", "btc", "--network", "regtest", "--digest"))
		if want := cleanDigest(t, final); got != want {
			t.Fatalf("after following, the digest is %s; a clean ingest of the final chain gives %s", got, want)
		}
	})
	t.Run("progress: one line on catching up, one per block after, none while waiting", func(t *testing.T) {
		// 20 blocks on the tip, then the branch's 10 (6 fetched as
		// missing parents, 4 by height).
		if n := f.count("ingest block"); n != 30 {
			t.Errorf("%d block lines, want 30", n)
		}
		if n := f.count("caught up"); n != 1 {
			t.Errorf("%d caught-up lines, want 1", n)
		}
		if n, max := len(strings.Split(f.stderr(), "\n")), 30+1+1+4+4; n > max {
			t.Errorf("%d stderr lines, want at most %d:\n%s", n, max, f.stderr())
		}
	})
	t.Run("the node is polled every --poll", func(t *testing.T) {
		polls := 0
		for _, c := range node.Calls() {
			if c == "rpc_response_getblockcount.json" {
				polls++
			}
		}
		if most := int(ran/poll) + 30; polls < 10 || polls > most {
			t.Errorf("%d getblockcount calls in %s at --poll %s, want 10 to %d", polls, ran.Round(time.Millisecond), poll, most)
		}
	})
}

func TestIngestBTCFollowUsage(t *testing.T) {
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	file := filepath.Join(t.TempDir(), "chain.dat")
	writeFramed(t, file, chaincfg.RegressionNetParams.Net, []*wire.MsgBlock{chaincfg.RegressionNetParams.GenesisBlock})
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"--follow on a file source is a usage error", []string{"--source", "file:" + file, "--follow"}},
		{"--follow whose last source is not rpc: is a usage error", []string{"--source", "rpc:http://127.0.0.1:1", "--source", "file:" + file, "--follow"}},
		{"a zero --poll is a usage error", []string{"--source", "rpc:http://127.0.0.1:1", "--follow", "--poll", "0s"}},
		{"a zero --batch is a usage error", []string{"--source", "file:" + file, "--batch", "0"}},
		{"a negative --utxo-cache is a usage error", []string{"--source", "file:" + file, "--utxo-cache", "-1"}},
		{"a negative --batch-txs is a usage error", []string{"--source", "file:" + file, "--batch-txs", "-5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, errOut, code := c.run(append([]string{"ingest", "btc", "--network", "regtest"}, tc.args...)...); code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, errOut)
			}
		})
	}
}

// TestIngestBTCTestnet4 ingests testnet4's genesis block from a blk file
// framed with testnet4's magic and exports it: its hash is the one btcd's
// testnet4 parameters state.
func TestIngestBTCTestnet4(t *testing.T) {
	p := &chaincfg.TestNet4Params
	file := filepath.Join(t.TempDir(), "blk00000.dat")
	writeFramed(t, file, p.Net, []*wire.MsgBlock{p.GenesisBlock})
	c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
	c.ok("ingest", "btc", "--network", "testnet4", "--source", "file:"+file)
	var rec struct {
		Hash   string `json:"hash"`
		Number int64  `json:"number"`
	}
	out := c.ok("export", "btc", "blocks", "--network", "testnet4", "--from", "0", "--to", "0", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rec.Hash != p.GenesisHash.String() || rec.Number != 0 {
		t.Fatalf("exported block %d %s, want testnet4's genesis %s", rec.Number, rec.Hash, p.GenesisHash)
	}
}

// TestAddBranchOutlastsAnUnavailableNode: while following, fetching a
// reorganised branch's missing blocks waits for a node that fails, and adds
// the branch once it answers; without --follow the failure ends the ingest.
func TestAddBranchOutlastsAnUnavailableNode(t *testing.T) {
	ctx := t.Context()
	cfg := btcgen.Config{Seed: 5, Blocks: 12}
	chain, _, err := btcgen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	branch, err := btcgen.GenerateFork(cfg, 8, 6, 6) // heights 9-14
	if err != nil {
		t.Fatal(err)
	}
	node := rpctest.NewNode(t, nil, append(append([]*wire.MsgBlock{}, chain[:9]...), branch...))
	client, err := srcbtc.NewClient(node.URL, srcbtc.ClientOptions{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name    string
		follow  bool
		wantErr bool
	}{
		{"without --follow a node failure ends the ingest", false, true},
		{"a follower waits for the node and adds the branch", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, err := pebble.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			eng, err := bitcoin.NewEngine(ctx, store, &chaincfg.RegressionNetParams, bitcoin.DefaultConfig(), nil, log)
			if err != nil {
				t.Fatal(err)
			}
			for h, b := range chain {
				if err := eng.Add(ctx, b, int64(h)); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 {
				node.Inject(rpctest.Fault{Status: http.StatusBadGateway, Body: "restarting"})
			}
			p := newIngestProgress(log)
			err = addBranch(ctx, ctx, eng, client, branch[5], 0, tc.follow, time.Millisecond, p, log)
			if tc.wantErr {
				if !errors.Is(err, srcbtc.ErrUnavailable) {
					t.Fatalf("got %v, want ErrUnavailable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := eng.Add(ctx, branch[5], -1); err != nil {
				t.Fatal(err)
			}
			if tip, _ := eng.Tip(); tip.Hash != branch[5].BlockHash() || tip.Height != 14 {
				t.Fatalf("tip %d %s, want the branch's 14 %s", tip.Height, tip.Hash, branch[5].BlockHash())
			}
		})
	}
}
