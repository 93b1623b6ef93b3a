package watch_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// crashEnv names the directory a child process of TestEngineSurvivesKill9
// works in.
const crashEnv = "WATCH_CRASH_DIR"

const crashBlocks = 400

func crashFlags() *flags {
	return &flags{set: []watch.Source{{FlagID: "f-crash", Chain: "btc", Address: thief.addr, Vout: -1, Incident: "drill"}}}
}

// TestCrashChild is the child process: one CatchUp of the engine over the
// directory's chain index and state store. It does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child process of TestEngineSurvivesKill9")
	}
	idx, err := pebble.Open(filepath.Join(dir, "chain"))
	must(t, err)
	defer idx.Close()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, os.Getenv("WATCH_CRASH_DB")), nil)
	must(t, err)
	defer st.Close()
	catchUp(t, newEngine(t, st, crashFlags(), idx))
}

// TestEngineSurvivesKill9 kills the engine with SIGKILL mid-run again and
// again, then lets it finish: the alerts are exactly those of a run never
// killed, each once.
func TestEngineSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	idx, err := pebble.Open(filepath.Join(dir, "chain"))
	must(t, err)
	eng, err := bitcoin.NewEngine(t.Context(), idx, params, bitcoin.Config{BatchBlocks: 50, UndoWindow: 100}, nil, nil)
	must(t, err)
	c := &chain{t: t, idx: nil, eng: eng, hashes: map[int64]chainhash.Hash{}, time: time.Unix(1_700_000_000, 0)}
	c.add(params.GenesisBlock, 0)
	change := out(c.block(1, 0, []pay{{thief, 50_0000_0000}}).Transactions[0], 0)

	// The engine starts at height 1 with the flag evaluated.
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "killed.db"), nil)
	must(t, err)
	var deposits []watch.Entry
	for k := range 20 {
		deposits = append(deposits, watch.Entry{Chain: "btc", Address: newParty(byte(0x30 + k)).addr})
	}
	_, err = st.AddWatch(t.Context(), deposits)
	must(t, err)
	catchUp(t, newEngine(t, st, crashFlags(), idx))
	must(t, st.Close())
	copyFile(t, filepath.Join(dir, "killed.db"), filepath.Join(dir, "clean.db"))

	// Every further block pays one of the deposits from the thief's change.
	left := int64(50_0000_0000)
	var paid []string
	for h := int64(2); h <= crashBlocks; h++ {
		left -= 1_000_000 + 1000
		tx := spend([]wire.OutPoint{change}, pay{newParty(byte(0x30 + h%20)), 1_000_000}, pay{thief, left})
		c.block(h, 0, nil, tx)
		change = out(tx, 1)
		paid = append(paid, tx.TxHash().String())
	}
	must(t, idx.Close())

	child := func(db string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, "WATCH_CRASH_DB="+db)
		return cmd
	}
	start := time.Now()
	if out, err := child("clean.db").CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}
	took := time.Since(start)
	// A run with nothing left to do is the start-up a kill must land after.
	start = time.Now()
	if out, err := child("clean.db").CombinedOutput(); err != nil {
		t.Fatalf("idle run: %v\n%s", err, out)
	}
	idle := min(time.Since(start), took)
	want := alertTxs(t, filepath.Join(dir, "clean.db"))
	if !slices.Equal(want, sorted(paid)) {
		t.Fatalf("a clean run raised %d alerts, want one per payment (%d)", len(want), len(paid))
	}

	rng := rand.New(rand.NewPCG(8, 8))
	partial := 0
	for run := 0; run < 12 && partial < 3; run++ {
		cmd := child("killed.db")
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		must(t, cmd.Start())
		time.Sleep(idle + time.Duration(rng.Int64N(int64(took-idle)*3/4+1)))
		_ = cmd.Process.Kill() // SIGKILL
		_ = cmd.Wait()
		if n := len(alertTxs(t, filepath.Join(dir, "killed.db"))); n > 0 && n < len(paid) {
			partial++
			t.Logf("run %d killed with %d of %d alerts raised", run, n, len(paid))
		}
	}
	if partial == 0 {
		t.Fatal("no kill landed in the middle of a run; the test shows nothing")
	}
	if out, err := child("killed.db").CombinedOutput(); err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	if got := alertTxs(t, filepath.Join(dir, "killed.db")); !slices.Equal(got, want) {
		t.Fatalf("after kills and a resume: %d alerts, want exactly the clean run's %d", len(got), len(want))
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// alertTxs returns the txs of the alerts in a state store, sorted, and
// fails on an alert raised twice for a tx.
func alertTxs(t *testing.T, path string) []string {
	t.Helper()
	st, err := sqlite.Open(t.Context(), path, nil)
	must(t, err)
	defer st.Close()
	got, err := st.ChainAlerts(t.Context(), watch.Filter{Limit: 100_000})
	must(t, err)
	var txs []string
	for _, a := range got {
		txs = append(txs, a.Tx)
	}
	slices.Sort(txs)
	if len(slices.Compact(slices.Clone(txs))) != len(txs) {
		t.Fatalf("a tx alerted twice in %s", path)
	}
	return txs
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	must(t, err)
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(fmt.Errorf("copy %s: %w", from, err))
	}
}
