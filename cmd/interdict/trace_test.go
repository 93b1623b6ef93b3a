package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/store/pebble"
)

func TestParseTraceRefusesBadInvocations(t *testing.T) {
	ok := func() *traceFlags {
		return &traceFlags{chain: "btc", direction: "forward", model: "fifo", maxHops: 6, maxNodes: 10, maxHistory: 10,
			txs: []string{strings.Repeat("ab", 32) + ":1"}}
	}
	cases := []struct {
		name string
		edit func(*traceFlags)
		want string
	}{
		{"no chain", func(f *traceFlags) { f.chain = "" }, "--chain is required"},
		{"an unknown chain", func(f *traceFlags) { f.chain = "ltc" }, "want btc or eth"},
		{"an unknown model", func(f *traceFlags) { f.model = "lifo" }, "want poison, haircut or fifo"},
		{"an unknown direction", func(f *traceFlags) { f.direction = "sideways" }, "want forward or backward"},
		{"no start", func(f *traceFlags) { f.txs = nil }, "at least one --tx or --address"},
		{"a negative min amount", func(f *traceFlags) { f.minAmount = "-5" }, "--min-amount"},
		{"a decimal min amount", func(f *traceFlags) { f.minAmount = "0.5" }, "--min-amount"},
		{"an output index that is not a number", func(f *traceFlags) { f.txs = []string{"ab:x"} }, "output index"},
		{"a time that is not RFC 3339", func(f *traceFlags) { f.from = "yesterday" }, "--from"},
		{"a negative hop limit", func(f *traceFlags) { f.maxHops = -1 }, "--max-hops"},
		{"an unknown format", func(f *traceFlags) { f.format = "xml" }, "--format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ok()
			tc.edit(f)
			_, err := parseTrace(f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := parseTrace(ok()); err != nil {
		t.Fatalf("a good invocation: %v", err)
	}
}

// heistChain generates a regtest chain with a heist (btcgen: theft, split,
// peeling chains, a CoinJoin, deposits into two exchanges) and ingests it
// into a Pebble index through the CLI. It returns the CLI, the blocks and
// the ground truth.
func heistChain(t *testing.T) (cli, []*wire.MsgBlock, *btcgen.Heist, string) {
	t.Helper()
	g, err := btcgen.New(btcgen.Config{Seed: 11, Blocks: 240, Txs: 12_000, Heist: true})
	if err != nil {
		t.Fatal(err)
	}
	blocks := []*wire.MsgBlock{g.Genesis()}
	for !g.Done() {
		blocks = append(blocks, g.Next())
	}
	h := g.Heist()
	if !h.Done || len(h.Deposits) == 0 || h.CoinJoin == "" {
		t.Fatalf("the heist did not complete: %+v", h)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "blocks.dat")
	writeFramed(t, path, chaincfg.RegressionNetParams.Net, blocks)
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	c.ok("ingest", "btc", "--source", "file:"+path, "--network", "regtest")
	return c, blocks, h, dir
}

// expectedDeposits works out, independently of the engine, the taint each
// model gives each deposit output. Every laundering transaction has one
// input except the CoinJoin, so a deposit is tainted whole unless its coin
// came out of the CoinJoin; there the thief's inputs come first:
//
//   - poison: whole;
//   - haircut: the CoinJoin output carries thief-in/all-in of its value, and
//     the deposit the same share of what it pays;
//   - FIFO: the thief's units are the CoinJoin line's first X; an output at
//     [p, p+c) holds its first min(c, X-p) tainted, and the deposit, paying
//     the coin's first v units, min(v, that).
func expectedDeposits(t *testing.T, blocks []*wire.MsgBlock, h *btcgen.Heist) map[trace.Model]map[string]string {
	txs := map[chainhash.Hash]*wire.MsgTx{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			txs[tx.TxHash()] = tx
		}
	}
	thief := map[string]bool{h.TxID: true}
	for _, id := range h.Laundering {
		thief[id] = true
	}
	cj := txs[mustHash(t, h.CoinJoin)]
	var all, x int64
	tainted := make([]bool, len(cj.TxIn))
	for i, in := range cj.TxIn {
		v := txs[in.PreviousOutPoint.Hash].TxOut[in.PreviousOutPoint.Index].Value
		all += v
		if thief[in.PreviousOutPoint.Hash.String()] {
			tainted[i] = true
			if i > 0 && !tainted[i-1] {
				t.Fatal("the thief's CoinJoin inputs are not first")
			}
			x += v
		}
	}
	want := map[trace.Model]map[string]string{trace.Poison: {}, trace.Haircut: {}, trace.FIFO: {}}
	for _, d := range h.Deposits {
		dep := txs[mustHash(t, strings.Split(d.Outpoint, ":")[0])]
		prev := dep.TxIn[0].PreviousOutPoint
		want[trace.Poison][d.Outpoint] = fmt.Sprint(d.Value)
		if prev.Hash != cj.TxHash() {
			want[trace.Haircut][d.Outpoint] = fmt.Sprint(d.Value)
			want[trace.FIFO][d.Outpoint] = fmt.Sprint(d.Value)
			continue
		}
		var p int64
		for _, o := range cj.TxOut[:prev.Index] {
			p += o.Value
		}
		c := cj.TxOut[prev.Index].Value
		share := big.NewRat(x, all)
		hc := new(big.Rat).Mul(share, big.NewRat(d.Value, 1))
		want[trace.Haircut][d.Outpoint] = new(big.Int).Quo(hc.Num(), hc.Denom()).String()
		want[trace.FIFO][d.Outpoint] = fmt.Sprint(max(0, min(d.Value, c, x-p)))
	}
	return want
}

func mustHash(t *testing.T, s string) chainhash.Hash {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}

// TestTraceBTCHeistEndToEnd: a generated heist ingested into Pebble; from
// the theft transaction, forward, every model finds every deposit output
// with the taint it should carry. Through the CLI (no tags: the trace goes
// on past the deposits), the deposit outputs are nodes of the graph with
// those amounts; in process, with the deposit addresses tagged as an
// exchange's (as its TagPack would), they are where it stops: recall and
// precision against the ground truth.
func TestTraceBTCHeistEndToEnd(t *testing.T) {
	c, blocks, h, dir := heistChain(t)
	want := expectedDeposits(t, blocks, h)
	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		t.Run(string(m)+" through the CLI", func(t *testing.T) {
			var res trace.Result
			c.json(&res, "trace", "--chain", "btc", "--tx", h.TxID, "--direction", "forward", "--model", string(m),
				"--max-hops", "20", "--network", "regtest")
			nodes := map[string]trace.Node{}
			for _, n := range res.Nodes {
				nodes[n.ID] = n
			}
			for op, w := range want[m] {
				if n, ok := nodes[op]; !ok || n.Tainted != w {
					t.Errorf("deposit %s: node %+v, want tainted %s", op, n, w)
				}
			}
			if len(res.Reached) == 0 || len(res.Edges) == 0 {
				t.Fatalf("no reached addresses or edges: %+v", res)
			}
			for _, r := range res.Reached {
				if _, ok := new(big.Int).SetString(r.Tainted, 10); !ok {
					t.Fatalf("reached %+v: tainted is not an integer string", r)
				}
			}
		})
	}

	t.Run("the CLI stops at deposit addresses tagged by a TagPack", func(t *testing.T) {
		var pack strings.Builder
		pack.WriteString("title: Test exchange deposits\ncreator: interdict tests\ndescription: heist deposit addresses\n" +
			"is_public: true\nconfidence: service_data\ncategory: exchange\ncurrency: BTC\nnetwork: BTC\nlabel: test exchange\n" +
			"lastmod: 2026-01-01\nsource: https://example.org/heist-ground-truth\ntags:\n")
		for _, a := range h.DepositAddresses {
			fmt.Fprintf(&pack, "- address: %s\n", a)
		}
		path := filepath.Join(t.TempDir(), "deposits.yaml")
		if err := os.WriteFile(path, []byte(pack.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		c := cli{t: t, args: c.args}
		c.ok("tags", "import", path)
		var res trace.Result
		c.json(&res, "trace", "--chain", "btc", "--tx", h.TxID, "--direction", "forward", "--model", "fifo",
			"--max-hops", "20", "--network", "regtest")
		stops := map[string]string{}
		for _, r := range res.Reached {
			stops[r.Address] = r.Stop
			if r.Stop == "tagged:exchange" && (len(r.Tags) == 0 || r.Tags[0].Confidence != 50) {
				t.Errorf("reached %+v: want the tag with confidence 50", r)
			}
		}
		for _, a := range h.DepositAddresses {
			if stops[a] != "tagged:exchange" {
				t.Errorf("deposit %s: stop %q, want tagged:exchange", a, stops[a])
			}
		}
	})

	store, err := pebble.Open(filepath.Join(dir, "chain"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	view := trace.NewBitcoinView(store, &chaincfg.RegressionNetParams)
	tags := depositTags{}
	for _, a := range h.DepositAddresses {
		tags[a] = []trace.Tag{{Label: "exchange deposit", Category: "exchange", Confidence: 100}}
	}
	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		t.Run(string(m)+" stops at the tagged deposits", func(t *testing.T) {
			cfg := trace.DefaultConfig()
			cfg.Model, cfg.MaxHops = m, 20
			res, err := trace.TraceUTXO(context.Background(), view, tags, cfg, []trace.Start{{Tx: h.TxID, Vout: -1}})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]trace.Node{}
			for _, n := range res.Nodes {
				byID[n.ID] = n
			}
			for op, w := range want[m] {
				if n := byID[op]; n.Tainted != w || n.Stop != "tagged:exchange" {
					t.Errorf("deposit %s: node %+v, want tainted %s, stopped at the tag", op, n, w)
				}
			}
			wantAddr := map[string]*big.Int{}
			for _, d := range h.Deposits {
				if wantAddr[d.Address] == nil {
					wantAddr[d.Address] = new(big.Int)
				}
				v, _ := new(big.Int).SetString(want[m][d.Outpoint], 10)
				wantAddr[d.Address].Add(wantAddr[d.Address], v)
			}
			var found, right int
			total, atDeposits := new(big.Int), new(big.Int)
			for _, r := range res.Reached {
				v, _ := new(big.Int).SetString(r.Tainted, 10)
				total.Add(total, v)
				w, isDeposit := wantAddr[r.Address]
				if !isDeposit {
					continue
				}
				found++
				atDeposits.Add(atDeposits, v)
				if r.Stop != "tagged:exchange" {
					t.Errorf("deposit %s reached with stop %q", r.Address, r.Stop)
				}
				// The address may hold more than the heist's deposits (a
				// user paid by a peel deposits there too: poison counts it
				// whole), never less (less than a unit per deposit, floored).
				if d := new(big.Int).Sub(w, v); d.Cmp(big.NewInt(int64(len(h.Deposits)))) > 0 {
					t.Errorf("deposit %s tainted %s, want %s", r.Address, v, w)
				} else {
					right++
				}
			}
			if found != len(wantAddr) || right != len(wantAddr) {
				t.Errorf("found %d, right %d of %d deposit addresses", found, right, len(wantAddr))
			}
			share, _ := new(big.Rat).SetFrac(atDeposits, max1(total)).Float64()
			t.Logf("%s: recall %d/%d deposit addresses with the right amount; precision %d/%d reached addresses (%.1f%% of the reached taint); %d nodes, truncated %v",
				m, right, len(wantAddr), found, len(res.Reached), 100*share, len(res.Nodes), res.Truncated)
		})
	}
}

func max1(x *big.Int) *big.Int {
	if x.Sign() == 0 {
		return big.NewInt(1)
	}
	return x
}

type depositTags map[string][]trace.Tag

func (d depositTags) Tags(_ context.Context, _, a string) ([]trace.Tag, error) { return d[a], nil }

// TestTraceCLIContract: exit codes and the JSON and CSV shapes.
func TestTraceCLIContract(t *testing.T) {
	g, err := btcgen.New(btcgen.Config{Seed: 3, Blocks: 110, Txs: 300})
	if err != nil {
		t.Fatal(err)
	}
	blocks := []*wire.MsgBlock{g.Genesis()}
	for !g.Done() {
		blocks = append(blocks, g.Next())
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "blocks.dat")
	writeFramed(t, path, chaincfg.RegressionNetParams.Net, blocks)
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	c.ok("ingest", "btc", "--source", "file:"+path, "--network", "regtest")
	last := blocks[len(blocks)-1].Transactions[1].TxHash().String()

	out := c.ok("--output", "json", "trace", "--chain", "btc", "--tx", last+":0", "--direction", "backward", "--model", "fifo", "--network", "regtest")
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nodes", "edges", "reached", "truncated"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	csv := c.ok("trace", "--chain", "btc", "--tx", last, "--model", "poison", "--network", "regtest", "--format", "csv")
	if !strings.HasPrefix(csv, "from,to,tx,asset,rule,hop,height,time,amount,tainted,share\n") {
		t.Errorf("csv header: %q", strings.SplitN(csv, "\n", 2)[0])
	}
	table := c.ok("trace", "--chain", "btc", "--tx", last, "--network", "regtest")
	if !strings.Contains(table, "ADDRESS") {
		t.Errorf("table: %q", table)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"trace", "--chain", "btc", "--tx", strings.Repeat("0", 64)}, 4},
		{[]string{"trace", "--chain", "btc", "--tx", "xyz"}, 2},
		{[]string{"trace", "--chain", "btc", "--tx", last, "--model", "lifo"}, 2},
		{[]string{"trace", "--chain", "doge", "--tx", last}, 2},
		{[]string{"trace", "--chain", "btc", "--address", "bcrt1qnobodyhere"}, 4},
		{[]string{"trace", "--chain", "eth", "--tx", "0x" + strings.Repeat("1", 64)}, 1},
		{[]string{"--data-dir", t.TempDir(), "trace", "--chain", "btc", "--tx", last}, 1},
	} {
		_, stderr, code := c.run(tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
		if !slices.Contains([]int{0}, code) && !strings.HasPrefix(stderr, "interdict: ") {
			t.Errorf("%v: stderr %q", tc.args, stderr)
		}
	}
}

// TestTraceSameOnPebbleAndPostgres: the heist chain ingested into both
// backends gives the same trace, byte for byte, under every model and in
// both directions.
func TestTraceSameOnPebbleAndPostgres(t *testing.T) {
	pg := freshPostgresSchema(t)
	c, _, h, dir := heistChain(t)
	c.ok("ingest", "btc", "--source", "file:"+filepath.Join(dir, "blocks.dat"), "--network", "regtest", "--chain", pg)
	last := h.Deposits[len(h.Deposits)-1].Outpoint
	for _, m := range []string{"poison", "haircut", "fifo"} {
		for _, run := range [][]string{
			{"--tx", h.TxID, "--direction", "forward", "--max-hops", "8"},
			{"--tx", last, "--direction", "backward", "--max-hops", "8"},
		} {
			args := append([]string{"--output", "json", "trace", "--chain", "btc", "--model", m, "--network", "regtest"}, run...)
			onPebble := c.ok(args...)
			onPG := c.ok(append(args, "--index", pg)...)
			if onPebble != onPG {
				t.Errorf("%s %v: Pebble and PostgreSQL differ (%d and %d bytes)", m, run, len(onPebble), len(onPG))
			}
		}
	}
}
