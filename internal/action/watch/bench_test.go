package watch_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// benchParty is the i-th synthetic P2WPKH party of the benchmark.
func benchParty(i int) party {
	h := chainhash.HashB(binary.BigEndian.AppendUint64([]byte("bench"), uint64(i)))[:20]
	a, err := btcutil.NewAddressWitnessPubKeyHash(h, params)
	if err != nil {
		panic(err)
	}
	s, _ := txscript.PayToAddrScript(a)
	return party{script: s, addr: a.EncodeAddress()}
}

// staticFlags is a fixed set of flagged sources with a version, as the
// notification core's adapter gives them.
type staticFlags struct{ set []watch.Source }

func (s staticFlags) ActiveFlags(context.Context, string) ([]watch.Source, error) { return s.set, nil }
func (s staticFlags) FlagsVersion(context.Context, string) (string, error)        { return "v1", nil }

const (
	benchTxs     = 3000
	benchWatched = 10_000
	benchParties = 40_000 // the addresses blocks pay; flagged and watched ones among them
)

// BenchmarkBlockToAlert measures, per full-size block (3,000 transactions,
// each spending an output of the previous block and paying two parties),
// the chain index's ingest (Pebble) plus the alert engine's catch-up
// (SQLite state store), with n flagged addresses (1% of them active in the
// blocks) and 10k watched addresses. It reports p50 and p99 per block
// besides ns/op. Run with -benchtime=30x.
func BenchmarkBlockToAlert(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("flagged=%d", n), func(b *testing.B) { benchBlockToAlert(b, n, false) })
	}
}

// BenchmarkBlockToWebhook is BenchmarkBlockToAlert end to end: each
// block's alerts, published into the alert log in the engine's commit, are
// delivered by the webhook dispatcher (internal/action/deliver, woken as
// serve wakes it) to a loopback receiver; a block's time ends when the
// receiver has the last of its alerts. Run both in one run to compare:
//
//	go test ./internal/action/watch -run '^$' -bench 'BlockTo(Alert|Webhook)' -benchtime=30x
func BenchmarkBlockToWebhook(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("flagged=%d", n), func(b *testing.B) { benchBlockToAlert(b, n, true) })
	}
}

// benchWebhook is the delivery side of the end-to-end benchmark: a
// dispatcher over the state store's alert log and a receiver that counts.
type benchWebhook struct {
	d   *deliver.Dispatcher
	got chan struct{}
}

func newBenchWebhook(ctx context.Context, b *testing.B, st *sqlite.Store) *benchWebhook {
	w := &benchWebhook{got: make(chan struct{}, 1<<16)}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.WriteHeader(http.StatusNoContent)
		w.got <- struct{}{}
	}))
	b.Cleanup(srv.Close)
	if err := st.AddEndpoint(ctx, deliver.Endpoint{ID: "bench", URL: srv.URL, Secret: "whsec_bench-secret-0123456789"}); err != nil {
		b.Fatal(err)
	}
	cfg := deliver.DefaultConfig()
	cfg.Poll = time.Second // only Notify makes it fast, as in serve
	w.d = deliver.NewDispatcher(cfg, st, st, nil, nil)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.d.Run(rctx) }()
	b.Cleanup(func() { cancel(); <-done })
	return w
}

// deliver wakes the dispatcher and waits until the receiver has n more
// alerts.
func (w *benchWebhook) deliver(b *testing.B, n int) {
	if n == 0 {
		return
	}
	w.d.Notify()
	timeout := time.After(time.Minute)
	for range n {
		select {
		case <-w.got:
		case <-timeout:
			b.Fatalf("the receiver did not get %d alerts in a minute", n)
		}
	}
}

func benchBlockToAlert(b *testing.B, flagged int, webhook bool) {
	ctx := context.Background()
	dir := b.TempDir()
	idx, err := pebble.Open(filepath.Join(dir, "chain"))
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	eng, err := bitcoin.NewEngine(ctx, idx, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "state.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	parties := make([]party, benchParties)
	for i := range parties {
		parties[i] = benchParty(i)
	}
	// Flagged: parties 0..399 (paid by the blocks) and synthetic others.
	var srcs []watch.Source
	for i := range flagged {
		var a string
		if i < 400 {
			a = parties[i].addr
		} else {
			a = benchParty(benchParties + i).addr
		}
		srcs = append(srcs, watch.Source{FlagID: fmt.Sprintf("flag-%d", i/10_000), Chain: "btc", Address: a, Vout: -1})
	}
	var entries []watch.Entry
	for i := range benchWatched {
		entries = append(entries, watch.Entry{Chain: "btc", Address: parties[benchParties-benchWatched+i].addr, Kind: watch.Deposit})
	}
	if _, err := st.AddWatch(ctx, entries); err != nil {
		b.Fatal(err)
	}
	if err := st.SetWatchSettings(ctx, watch.Settings{Model: trace.Haircut, MaxHops: 6}); err != nil {
		b.Fatal(err)
	}
	e, err := watch.NewEngine(watch.Deps{Store: st, Flags: staticFlags{srcs}, BTC: idx, BTCParams: params}, watch.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	// The same chain for every flagged count (seeded by the count, each
	// case was a different chain: the 100k-vs-1M gap measured before).
	rng := rand.New(rand.NewPCG(1, 2))
	at := time.Unix(1_700_000_000, 0)
	prev := *params.GenesisHash
	height := int64(0)
	add := func(blk *wire.MsgBlock) {
		if err := eng.Add(ctx, blk, -1); err != nil {
			b.Fatal(err)
		}
		if err := eng.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		prev, height = blk.BlockHash(), height+1
	}
	newBlock := func() *wire.MsgBlock {
		at = at.Add(10 * time.Minute)
		blk := wire.NewMsgBlock(wire.NewBlockHeader(4, &prev, &chainhash.Hash{}, 0x207fffff, rng.Uint32()))
		blk.Header.Timestamp = at
		sig, _ := txscript.NewScriptBuilder().AddInt64(height + 1).Script()
		cb := wire.NewMsgTx(1)
		cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
		blk.AddTransaction(cb)
		return blk
	}
	// Block 1: the coinbase pays 3,000 parties, flagged ones among them.
	add(params.GenesisBlock)
	height = 0
	first := newBlock()
	for range benchTxs {
		first.Transactions[0].AddTxOut(wire.NewTxOut(1_0000_0000, parties[rng.IntN(benchParties-benchWatched)].script))
	}
	add(first)
	spendable := make([]wire.OutPoint, benchTxs)
	for i := range spendable {
		spendable[i] = wire.OutPoint{Hash: first.Transactions[0].TxHash(), Index: uint32(i)}
	}
	var wh *benchWebhook
	if webhook {
		wh = newBenchWebhook(ctx, b, st)
	}
	reps, err := e.CatchUp(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if wh != nil {
		for _, r := range reps {
			wh.deliver(b, r.Alerts)
		}
	}
	var lat []time.Duration
	alerts := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		blk := newBlock()
		next := make([]wire.OutPoint, 0, benchTxs)
		for _, op := range spendable {
			tx := spend([]wire.OutPoint{op}, pay{parties[rng.IntN(benchParties)], 6000_0000}, pay{parties[rng.IntN(benchParties-benchWatched)], 3999_0000})
			blk.AddTransaction(tx)
			next = append(next, out(tx, 0), out(tx, 1))
		}
		rng.Shuffle(len(next), func(i, j int) { next[i], next[j] = next[j], next[i] })
		spendable = next[:benchTxs]
		b.StartTimer()
		start := time.Now()
		add(blk)
		reps, err := e.CatchUp(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, r := range reps {
			n += r.Alerts
		}
		if wh != nil {
			wh.deliver(b, n)
		}
		lat = append(lat, time.Since(start))
		alerts += n
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Milliseconds()) }
	b.ReportMetric(q(0.50), "p50-ms/block")
	b.ReportMetric(q(0.99), "p99-ms/block")
	b.ReportMetric(float64(alerts)/float64(b.N), "alerts/block")
}
