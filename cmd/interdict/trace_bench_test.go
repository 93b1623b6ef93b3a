package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/postgres"
)

// traceBenchTxs is the generated chain's size: INTERDICT_TRACEBENCH_TXS,
// 100 000 by default.
func traceBenchTxs() int {
	if n, err := strconv.Atoi(os.Getenv("INTERDICT_TRACEBENCH_TXS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchChain generates the chain (btcgen, seed 1, as chainbench), feeds
// each block to ingest (one call per store that still needs it), and picks
// the starts: about 400 random transactions of the chain's first half, so a
// 6-hop forward trace has somewhere to go. Blocks are not kept: a 10M-tx
// chain would not fit in memory comfortably.
func benchChain(b *testing.B, ingest []func(m *wire.MsgBlock, h int64)) []chainhash.Hash {
	b.Helper()
	txs := traceBenchTxs()
	g, err := btcgen.New(btcgen.Config{Seed: 1, Blocks: int32(100 + txs/2500), Txs: txs})
	if err != nil {
		b.Fatal(err)
	}
	feed := func(m *wire.MsgBlock, h int64) {
		for _, f := range ingest {
			f(m, h)
		}
	}
	feed(g.Genesis(), 0)
	var starts []chainhash.Hash
	rng := rand.New(rand.NewPCG(5, 6))
	half := txs / 2
	for h := int64(1); !g.Done(); h++ {
		m := g.Next()
		feed(m, h)
		if g.Txs() < half {
			for _, tx := range m.Transactions[1:] {
				if rng.IntN(max(1, txs/800)) == 0 {
					starts = append(starts, tx.TxHash())
				}
			}
		}
	}
	return starts
}

// benchIngest returns a function that adds a block to st unless st already
// holds it (a kept index from an earlier run, INTERDICT_TRACEBENCH_DIR), and
// one that flushes the engine.
func benchIngest(b *testing.B, st bitcoin.Store) (add func(m *wire.MsgBlock, h int64), flush func()) {
	b.Helper()
	ctx := context.Background()
	e, err := bitcoin.NewEngine(ctx, st, &chaincfg.RegressionNetParams, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	have := int64(-1)
	if tip, err := st.Tip(ctx); err == nil {
		have = tip.Height
	}
	add = func(m *wire.MsgBlock, h int64) {
		if h <= have {
			return
		}
		if err := e.Add(ctx, m, h); err != nil {
			b.Fatal(err)
		}
	}
	flush = func() {
		if err := e.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return add, flush
}

// benchSchema creates a schema for the benchmark on the test server
// (INTERDICT_TEST_POSTGRES_URL), dropped when the benchmark ends unless
// kept (the name is then fixed per chain size, and an earlier run's index
// is reused), and returns the URL selecting it; "" when no server is
// configured.
func benchSchema(b *testing.B, keep bool) string {
	base := os.Getenv("INTERDICT_TEST_POSTGRES_URL")
	if base == "" {
		return ""
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("tracebench_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if keep {
		name = fmt.Sprintf("tracebench_keep_%d", traceBenchTxs())
	}
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+ident); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		defer conn.Close(context.Background())
		if keep {
			return
		}
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			b.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// BenchmarkTrace6Hops: 6-hop forward traces with a 10k-node budget from
// transactions of a generated chain, per model, on Pebble and (with
// INTERDICT_TEST_POSTGRES_URL set) PostgreSQL side by side, reporting p50
// and p99 latency per trace and the nodes a trace visits. Each store gets
// one untimed pass over the starts first (caches warm, the ingest's
// compactions done), as on a serving node.
//
//	go test -run '^$' -bench Trace6Hops -benchtime 400x ./cmd/interdict
//	INTERDICT_TRACEBENCH_DIR=/tmp/tb INTERDICT_TRACEBENCH_TXS=1000000 go test -run '^$' -bench Trace6Hops -benchtime 400x -timeout 2h ./cmd/interdict
func BenchmarkTrace6Hops(b *testing.B) {
	tuneGC() // as serve, trace and exposure run
	// INTERDICT_TRACEBENCH_DIR keeps the indexes between runs (Pebble in
	// DIR/pebble-TXS, PostgreSQL in schema tracebench_keep_TXS): an
	// interrupted ingest resumes, a finished one is reused.
	// INTERDICT_TRACEBENCH_CACHE_MB sizes Pebble's block cache.
	keepDir := os.Getenv("INTERDICT_TRACEBENCH_DIR")
	dir := b.TempDir()
	if keepDir != "" {
		dir = filepath.Join(keepDir, fmt.Sprintf("pebble-%d", traceBenchTxs()))
	}
	stores := map[string]bitcoin.Store{}
	opts := pebble.DefaultOptions()
	if mb, err := strconv.Atoi(os.Getenv("INTERDICT_TRACEBENCH_CACHE_MB")); err == nil && mb > 0 {
		opts.CacheBytes = int64(mb) << 20 // the block cache, 1 GB by default
	}
	ps, err := pebble.OpenWithOptions(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer ps.Close()
	stores["pebble"] = ps
	if u := benchSchema(b, keepDir != ""); u != "" {
		pg, err := postgres.OpenChain(context.Background(), u, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer pg.Close()
		stores["postgres"] = pg
	}
	var adds []func(*wire.MsgBlock, int64)
	var flushes []func()
	for _, name := range []string{"pebble", "postgres"} {
		if st := stores[name]; st != nil {
			add, flush := benchIngest(b, st)
			adds, flushes = append(adds, add), append(flushes, flush)
		}
	}
	starts := benchChain(b, adds)
	for _, f := range flushes {
		f()
	}
	for _, name := range []string{"pebble", "postgres"} {
		st := stores[name]
		if st == nil {
			continue
		}
		warm := trace.DefaultConfig()
		warm.Model, warm.MaxHops, warm.MaxNodes = trace.Poison, 6, 10_000
		for _, s := range starts {
			if _, err := trace.TraceUTXO(context.Background(), trace.NewBitcoinView(st, &chaincfg.RegressionNetParams), nil, warm,
				[]trace.Start{{Tx: s.String(), Vout: -1}}); err != nil {
				b.Fatal(err)
			}
		}
		for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
			b.Run(name+"/"+string(m), func(b *testing.B) { benchTraces(b, st, starts, m) })
		}
	}
}

func benchTraces(b *testing.B, st bitcoin.ChainReader, starts []chainhash.Hash, m trace.Model) {
	b.ReportAllocs()
	cfg := trace.DefaultConfig()
	cfg.Model, cfg.MaxHops, cfg.MaxNodes = m, 6, 10_000
	var lat []time.Duration
	nodes, truncated := 0, 0
	i := 0
	for b.Loop() {
		view := trace.NewBitcoinView(st, &chaincfg.RegressionNetParams)
		start := starts[i%len(starts)]
		i++
		t0 := time.Now()
		res, err := trace.TraceUTXO(context.Background(), view, nil, cfg, []trace.Start{{Tx: start.String(), Vout: -1}})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		nodes += len(res.Nodes)
		if res.Truncated {
			truncated++
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(nodes)/float64(len(lat)), "nodes/trace")
	b.ReportMetric(float64(truncated)/float64(len(lat)), "truncated/trace")
}
