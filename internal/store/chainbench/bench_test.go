package chainbench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	neturl "net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sources/bitcoin/btcgen"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/postgres"
)

// chain is the generated chain every benchmark of a run shares, serialized.
type chain struct {
	raws   [][]byte
	txs    int
	bytes  int
	spent  []wire.OutPoint // a sample of outpoints that were spent
	blocks int
}

var (
	chainOnce sync.Once
	theChain  *chain
	chainErr  error
)

// benchTxs is the chain size: INTERDICT_CHAINBENCH_TXS, 100 000 by default so
// a plain -bench run takes seconds; the documented scale runs use 1M and 10M.
func benchTxs() int {
	if n, err := strconv.Atoi(os.Getenv("INTERDICT_CHAINBENCH_TXS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// engineConfig is the engine's default, with the cache of unspent outputs
// sized by INTERDICT_CHAINBENCH_UTXO_CACHE when set (0 turns it off), so a
// small chain can show how an ingest behaves once the cache misses, as a
// large one does.
func engineConfig() bitcoin.Config {
	cfg := bitcoin.DefaultConfig()
	if n, err := strconv.Atoi(os.Getenv("INTERDICT_CHAINBENCH_UTXO_CACHE")); err == nil && n >= 0 {
		cfg.UTXOCache = n
	}
	return cfg
}

func loadChain(b *testing.B) *chain {
	b.Helper()
	chainOnce.Do(func() {
		txs := benchTxs()
		g, err := btcgen.New(btcgen.Config{Seed: 1, Blocks: int32(100 + txs/2500), Txs: txs})
		if err != nil {
			chainErr = err
			return
		}
		c := &chain{}
		add := func(m *wire.MsgBlock) {
			var buf bytes.Buffer
			buf.Grow(m.SerializeSize())
			if err := m.Serialize(&buf); err != nil {
				chainErr = err
			}
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
		c.blocks = len(c.raws)
		theChain = c
	})
	if chainErr != nil {
		b.Fatal(chainErr)
	}
	return theChain
}

// decodeAll decodes every block with btcd, as any ingest must first.
func decodeAll(b *testing.B, c *chain) []*wire.MsgBlock {
	out := make([]*wire.MsgBlock, len(c.raws))
	for i, raw := range c.raws {
		var m wire.MsgBlock
		if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
		out[i] = &m
	}
	return out
}

// BenchmarkIngest runs, in one process on the same blocks: btcd decode alone,
// then decode plus full ingest into Pebble and into PostgreSQL. Each ingest
// reports txs/s, blocks/s, its time as a multiple of decode's (the issue's
// goal is ≤ 3; x-decode against the decode sub-benchmark, x-inline-decode
// against the decode calls inside the same ingest loop), the bytes on disk per
// transaction and lookup latencies.
func BenchmarkIngest(b *testing.B) {
	c := loadChain(b)
	var decode time.Duration
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(c.bytes))
		for b.Loop() {
			decodeAll(b, c)
		}
		decode = b.Elapsed() / time.Duration(b.N)
		report(b, c)
	})
	b.Run("ingest=pebble", func(b *testing.B) {
		open := func(b *testing.B) (bitcoin.Store, func() uint64) {
			s, err := pebble.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s, s.DiskSize
		}
		ingest(b, c, decode, open)
	})
	b.Run("ingest=postgres", func(b *testing.B) {
		url := os.Getenv("INTERDICT_TEST_POSTGRES_URL")
		if url == "" {
			b.Skip("INTERDICT_TEST_POSTGRES_URL not set (scripts/pgtest.sh start)")
		}
		open := func(b *testing.B) (bitcoin.Store, func() uint64) {
			schemaURL, size := schema(b, url)
			s, err := postgres.OpenChain(b.Context(), schemaURL, nil)
			if err != nil {
				b.Fatal(err)
			}
			return s, size
		}
		ingest(b, c, decode, open)
	})
}

func report(b *testing.B, c *chain) {
	el := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(c.txs)/el, "txs/s")
	b.ReportMetric(float64(c.blocks)/el, "blocks/s")
}

// ingest times decode + Engine.Add of every block + the last flush into a
// fresh store per iteration.
func ingest(b *testing.B, c *chain, decode time.Duration, open func(*testing.B) (bitcoin.Store, func() uint64)) {
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(c.bytes))
	var st bitcoin.Store
	var size func() uint64
	var inline time.Duration // decode time inside the ingest loop
	for b.Loop() {
		b.StopTimer()
		if st != nil {
			st.Close()
		}
		st, size = open(b)
		e, err := bitcoin.NewEngine(ctx, st, &chaincfg.RegressionNetParams, engineConfig(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for h, raw := range c.raws {
			t0 := time.Now()
			var m wire.MsgBlock
			if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
			inline += time.Since(t0)
			if err := e.Add(ctx, &m, int64(h)); err != nil {
				b.Fatalf("block %d: %v", h, err)
			}
		}
		if err := e.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	defer st.Close()
	per := b.Elapsed() / time.Duration(b.N)
	report(b, c)
	// Against the decode sub-benchmark, and against the decode time of this
	// very run, which other load on the machine skews the same way.
	if decode > 0 {
		b.ReportMetric(float64(per)/float64(decode), "x-decode")
	}
	if inline > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(inline), "x-inline-decode")
	}
	b.ReportMetric(float64(size())/float64(c.txs), "disk-B/tx")
	lookups(b, st, c)
}

// lookups reports p50 and p99 latencies of output → spender and address →
// outputs (first 100 entries) on the ingested index.
func lookups(b *testing.B, st bitcoin.Store, c *chain) {
	ctx := context.Background()
	n := min(len(c.spent), 5000)
	var spend, addr []time.Duration
	var addrs []string
	for _, op := range c.spent[:n] {
		t0 := time.Now()
		if _, err := st.Spend(ctx, op); err != nil {
			b.Fatalf("spend of %s: %v", op, err)
		}
		spend = append(spend, time.Since(t0))
		if o, err := st.Output(ctx, op); err == nil && len(o.Addresses) > 0 {
			addrs = append(addrs, o.Addresses[0])
		}
	}
	for _, a := range addrs {
		t0 := time.Now()
		if _, err := st.AddressOutputs(ctx, a, 0, 100); err != nil {
			b.Fatalf("address %s: %v", a, err)
		}
		addr = append(addr, time.Since(t0))
	}
	for name, d := range map[string][]time.Duration{"spender": spend, "address": addr} {
		if len(d) == 0 {
			continue
		}
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds()), name+"-p50-µs")
		b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), name+"-p99-µs")
	}
}

// schema creates a schema of its own for one ingest and returns a URL whose
// search_path selects it, and a function giving the schema's size on disk.
func schema(b *testing.B, base string) (string, func() uint64) {
	b.Helper()
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("chainbench_%d_%d", os.Getpid(), time.Now().UnixNano())
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE")
		admin.Close()
	})
	url := withSearchPath(b, base, name)
	size := func() uint64 {
		var n int64
		err := admin.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
			WHERE ns.nspname = $1 AND c.relkind IN ('r', 'm')`, name).Scan(&n)
		if err != nil {
			b.Fatal(err)
		}
		return uint64(n)
	}
	return url, size
}

// withSearchPath adds search_path to a URL or keyword/value connection string.
func withSearchPath(b *testing.B, conn, schema string) string {
	b.Helper()
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		return conn + " search_path=" + schema
	}
	u, err := neturl.Parse(conn)
	if err != nil {
		b.Fatalf("INTERDICT_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
