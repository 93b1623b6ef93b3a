// Package pebble is the embedded backend of the chain indexes on CockroachDB's
// Pebble: Store holds the Bitcoin index (bitcoin.Store) and EthStore, in a
// directory of its own, the Ethereum index (ethereum.Store, see eth.go). Store
// stores exactly the canonical
// key schema of internal/index/bitcoin/schema.go, commits each batch of
// changes as one pebble.Batch (tip and undo entries included, so a crash
// leaves the index at the last committed block), and computes the digest by
// scanning every key in order.
//
// Durability policy: every commit is written to Pebble's write-ahead log
// before Commit returns, but the log is fsynced only when SyncInterval has
// passed since the last sync, and on Close. Because the tip is written in the
// same batch as the data and the log is replayed in order, a killed process
// (kill -9, a crash, an OOM kill: the written log is in the OS's page cache)
// resumes from its last committed block with an identical index; only a power
// loss or kernel crash can lose the commits of the last SyncInterval, and the
// index then resumes from an earlier, still consistent, tip that a re-ingest
// brings forward. The write-ahead log is never disabled.
package pebble

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/interdict/interdict/internal/config/sysmem"
	"github.com/interdict/interdict/internal/index/bitcoin"
)

// DefaultSyncInterval bounds what a power loss can take back (see the package
// doc): a second of ingest, which a re-ingest restores.
const DefaultSyncInterval = time.Second

// Options tune a Store.
type Options struct {
	// SyncInterval is the longest time commits stay written to the log but
	// not fsynced; 0 fsyncs every commit.
	SyncInterval time.Duration
	// CacheBytes is the block cache (0: Pebble's default of 8 MB). Ingest
	// reads the outputs every input spends, mostly created a few blocks
	// earlier, so recently written blocks are worth caching.
	CacheBytes int64
	// MemTableBytes is the memtable size (0: Pebble's default of 4 MB). A
	// batch over half of it bypasses the memtable as a flushable batch that
	// Pebble sorts and flushes to an L0 table of its own.
	MemTableBytes uint64
}

// DefaultOptions is the policy of Open. The block cache is a quarter of the
// machine's memory, at least 1 GB and at most 8 GB (Pebble allocates it as
// blocks are read, not up front): a serving node's traces read transactions
// scattered over the whole index. With 128 MB a 6-hop poison trace on the
// 100k-tx chain spent a third of its time reading and decompressing blocks
// the cache had dropped; on the 10M-tx chain (a 15 GB index) 1 GB left the
// p99 at 156–161 ms where 4 GB gave 113 ms, and 8 GB no better
// (docs/benchmarks.md, "6-hop forward trace latency").
func DefaultOptions() Options {
	return Options{SyncInterval: DefaultSyncInterval, CacheBytes: defaultCacheBytes(), MemTableBytes: 64 << 20}
}

// defaultCacheBytes is a quarter of physical memory, within [1 GB, 8 GB];
// 1 GB when the memory is unknown.
func defaultCacheBytes() int64 {
	const lo, hi = 1 << 30, 8 << 30
	return min(max(sysmem.Physical()/4, lo), hi)
}

var (
	_ bitcoin.Store      = (*Store)(nil)
	_ bitcoin.BlockTimer = (*Store)(nil)
	_ bitcoin.KVViewer   = reader{}
)

// Store is a bitcoin.Store in a Pebble directory. Lookups may run during a
// Commit; commits must not run concurrently with each other (the engine
// commits one batch at a time).
type Store struct {
	bitcoin.KVChain
	db   *pebble.DB
	opts Options
	// lastSync is when the log was last fsynced; batchHint the size of the
	// last batch, so the next one is allocated once instead of doubling its
	// way up (a 100-block batch of full blocks is hundreds of MB).
	lastSync  time.Time
	batchHint int
	closed    bool
}

// Open opens (creating it if needed) the chain index in dir with
// DefaultOptions.
func Open(dir string) (*Store, error) { return OpenWithOptions(dir, DefaultOptions()) }

// OpenWithOptions opens (creating it if needed) the chain index in dir.
func OpenWithOptions(dir string, opts Options) (*Store, error) {
	po := &pebble.Options{Logger: quietLogger{}, MemTableSize: opts.MemTableBytes}
	if opts.CacheBytes > 0 {
		c := pebble.NewCache(opts.CacheBytes)
		defer c.Unref() // the DB holds its own reference
		po.Cache = c
	}
	// Bloom filters on every level, L0 included: most lookups during ingest
	// are of keys present in only one table.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("pebble: open %s: %w", dir, err)
	}
	return &Store{KVChain: bitcoin.KVChain{R: reader{db}}, db: db, opts: opts, lastSync: time.Now()}, nil
}

// Commit implements bitcoin.Store: one batch for all changes, written to the
// log before it returns and fsynced as the package doc's policy says.
func (s *Store) Commit(ctx context.Context, changes []bitcoin.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := s.db.NewBatchWithSize(s.batchHint)
	defer b.Close()
	w := writer{b}
	for i := range changes {
		if err := bitcoin.ApplyChange(w, &changes[i]); err != nil {
			return fmt.Errorf("pebble: %w", err)
		}
	}
	s.batchHint = b.Len()
	sync := pebble.NoSync
	if now := time.Now(); now.Sub(s.lastSync) >= s.opts.SyncInterval {
		sync, s.lastSync = pebble.Sync, now
	}
	if err := b.Commit(sync); err != nil {
		return fmt.Errorf("pebble: commit: %w", err)
	}
	return nil
}

// ConcurrentCommit implements bitcoin.ConcurrentStore: Pebble serves reads
// while a batch commits, from before or after it (a batch applies
// atomically), so the engine commits in the background.
func (s *Store) ConcurrentCommit() bool { return true }

// Sync fsyncs the log: every commit so far survives a power loss.
func (s *Store) Sync() error {
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("pebble: sync: %w", err)
	}
	s.lastSync = time.Now()
	return nil
}

// Digest implements bitcoin.Store.
func (s *Store) Digest(ctx context.Context) ([32]byte, error) {
	return bitcoin.DigestKV(ctx, reader{s.db})
}

// DiskSize returns the bytes the store's files take on disk.
func (s *Store) DiskSize() uint64 { return s.db.Metrics().DiskSpaceUsage() }

// Close implements bitcoin.Store: it syncs the log, then closes.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return errors.Join(s.Sync(), s.db.Close())
}

// quietLogger drops Pebble's informational lines (WAL replay on every open)
// that would otherwise go to stderr through the standard logger; errors
// reach callers as returned errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

type writer struct{ b *pebble.Batch }

func (w writer) Set(k, v []byte) error         { return w.b.Set(k, v, nil) }
func (w writer) Delete(k []byte) error         { return w.b.Delete(k, nil) }
func (w writer) DeleteRange(a, b []byte) error { return w.b.DeleteRange(a, b, nil) }

type reader struct{ db *pebble.DB }

func (r reader) Get(ctx context.Context, k []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, closer, err := r.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, bitcoin.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("pebble: get: %w", err)
	}
	out := append([]byte(nil), v...)
	return out, closer.Close()
}

// View implements bitcoin.KVViewer: fn reads the value in place.
func (r reader) View(ctx context.Context, k []byte, fn func(v []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, closer, err := r.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return bitcoin.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("pebble: get: %w", err)
	}
	err = fn(v)
	return errors.Join(err, closer.Close())
}

func (r reader) Scan(ctx context.Context, lower, upper []byte, fn func(k, v []byte) error) error {
	it, err := r.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("pebble: iterate: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		if err := ctx.Err(); err != nil {
			it.Close()
			return err
		}
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return fmt.Errorf("pebble: iterate: %w", err)
		}
		if err := fn(it.Key(), v); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return fmt.Errorf("pebble: iterate: %w", err)
	}
	return it.Close()
}
