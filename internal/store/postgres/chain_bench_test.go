package postgres

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
)

// benchChain is the generated chain of BenchmarkIngestPostgres: the same
// blocks as internal/store/chainbench's BenchmarkIngest (btcgen seed 1,
// INTERDICT_CHAINBENCH_TXS transactions, 100 000 by default), serialized.
type benchChain struct {
	raws  [][]byte
	txs   int
	bytes int
	spent []wire.OutPoint // a 1% sample of spent outpoints, for lookups
}

var (
	benchChainOnce sync.Once
	benchChainVal  *benchChain
	benchChainErr  error
)

func loadBenchChain(b *testing.B) *benchChain {
	b.Helper()
	benchChainOnce.Do(func() {
		txs := 100_000
		if n, err := strconv.Atoi(os.Getenv("INTERDICT_CHAINBENCH_TXS")); err == nil && n > 0 {
			txs = n
		}
		g, err := btcgen.New(btcgen.Config{Seed: 1, Blocks: int32(100 + txs/2500), Txs: txs})
		if err != nil {
			benchChainErr = err
			return
		}
		c := &benchChain{}
		add := func(m *wire.MsgBlock) {
			var buf bytes.Buffer
			buf.Grow(m.SerializeSize())
			_ = m.Serialize(&buf) // writes to a buffer cannot fail
			c.raws = append(c.raws, buf.Bytes())
			c.bytes += buf.Len()
			c.txs += len(m.Transactions)
		}
		add(g.Genesis())
		rng := rand.New(rand.NewPCG(2, 3))
		for !g.Done() {
			m := g.Next()
			add(m)
			for _, tx := range m.Transactions[1:] {
				if rng.IntN(100) == 0 {
					c.spent = append(c.spent, tx.TxIn[0].PreviousOutPoint)
				}
			}
		}
		benchChainVal = c
	})
	if benchChainErr != nil {
		b.Fatal(benchChainErr)
	}
	return benchChainVal
}

// BenchmarkIngestPostgres times decode + Engine.Add of every block + the last
// flush into a fresh schema per iteration (the engine's default 100-block
// batches), then reports the size on disk per transaction (every chain
// table with its indexes and TOAST) and the p50/p99 latencies of
// output → spender and address → outputs (first 100). lookups=batch is the
// engine as it is: one ReadBatch per block for what its memory does not
// answer (bitcoin.BatchReader); lookups=single hides ReadBatch, so the
// engine reads one record per round trip.
//
//	go test -run '^$' -bench IngestPostgres -benchtime 1x ./internal/store/postgres
func BenchmarkIngestPostgres(b *testing.B) {
	serverURL(b)
	c := loadBenchChain(b)
	b.Run("lookups=single", func(b *testing.B) {
		benchIngest(b, c, func(s *ChainStore) bitcoin.Store { return singleReads{s} })
	})
	b.Run("lookups=batch", func(b *testing.B) {
		benchIngest(b, c, func(s *ChainStore) bitcoin.Store { return s })
	})
}

func benchIngest(b *testing.B, c *benchChain, wrap func(*ChainStore) bitcoin.Store) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(c.bytes))
	var s *ChainStore
	for b.Loop() {
		b.StopTimer()
		s = openChain(b)
		st := wrap(s)
		e, err := bitcoin.NewEngine(ctx, st, &chaincfg.RegressionNetParams, bitcoin.DefaultConfig(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for h, raw := range c.raws {
			var m wire.MsgBlock
			if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
			if err := e.Add(ctx, &m, int64(h)); err != nil {
				b.Fatalf("block %d: %v", h, err)
			}
		}
		if err := e.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	el := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(c.txs)/el, "txs/s")
	b.ReportMetric(float64(len(c.raws))/el, "blocks/s")
	total, tables := chainSize(b, s)
	b.ReportMetric(float64(total)/float64(c.txs), "disk-B/tx")
	for _, t := range tables {
		b.Logf("%-20s %8.1f B/tx (%d bytes)", t.name, float64(t.bytes)/float64(c.txs), t.bytes)
	}
	benchLookups(b, s, c)
}

type tableSize struct {
	name  string
	bytes int64
}

// chainSize returns pg_total_relation_size (heap, indexes, TOAST) of every
// chain table of the store's schema, and their sum.
func chainSize(b *testing.B, s *ChainStore) (int64, []tableSize) {
	b.Helper()
	rows, err := s.pool.Query(context.Background(), `SELECT c.relname, pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'chain\_%'
ORDER BY 2 DESC`)
	if err != nil {
		b.Fatal(err)
	}
	var (
		out   []tableSize
		total int64
		t     tableSize
	)
	for rows.Next() {
		if err := rows.Scan(&t.name, &t.bytes); err != nil {
			b.Fatal(err)
		}
		out = append(out, t)
		total += t.bytes
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return total, out
}

func benchLookups(b *testing.B, s *ChainStore, c *benchChain) {
	ctx := context.Background()
	var spend, addr []time.Duration
	var addrs []string
	for _, op := range c.spent[:min(len(c.spent), 5000)] {
		t0 := time.Now()
		if _, err := s.Spend(ctx, op); err != nil {
			b.Fatalf("spend of %s: %v", op, err)
		}
		spend = append(spend, time.Since(t0))
		if o, err := s.Output(ctx, op); err == nil && len(o.Addresses) > 0 {
			addrs = append(addrs, o.Addresses[0])
		}
	}
	for _, a := range addrs {
		t0 := time.Now()
		if _, err := s.AddressOutputs(ctx, a, 0, 100); err != nil {
			b.Fatalf("address %s: %v", a, err)
		}
		addr = append(addr, time.Since(t0))
	}
	for _, m := range []struct {
		name string
		d    []time.Duration
	}{{"spender", spend}, {"address", addr}} {
		if len(m.d) == 0 {
			continue
		}
		slices.Sort(m.d)
		b.ReportMetric(float64(m.d[len(m.d)/2].Microseconds()), m.name+"-p50-µs")
		b.ReportMetric(float64(m.d[len(m.d)*99/100].Microseconds()), m.name+"-p99-µs")
	}
}
