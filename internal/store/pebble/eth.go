package pebble

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/interdict/interdict/internal/index/bitcoin"
	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// EthStore is the Ethereum chain index (eth.Store) in a Pebble directory of
// its own: exactly the canonical key schema of
// internal/index/ethereum/schema.go, each batch of changes committed as one
// pebble.Batch, with the durability policy of Store (the package doc).
// Lookups may run during a Commit; commits must not run concurrently.
type EthStore struct {
	eth.KVIndex
	db       *pebble.DB
	opts     Options
	lastSync time.Time
	closed   bool
}

var _ eth.Store = (*EthStore)(nil)

// OpenEth opens (creating it if needed) the Ethereum chain index in dir with
// DefaultOptions.
func OpenEth(dir string) (*EthStore, error) { return OpenEthWithOptions(dir, DefaultOptions()) }

// OpenEthWithOptions opens (creating it if needed) the Ethereum chain index
// in dir.
func OpenEthWithOptions(dir string, opts Options) (*EthStore, error) {
	po := &pebble.Options{Logger: quietLogger{}, MemTableSize: opts.MemTableBytes}
	if opts.CacheBytes > 0 {
		c := pebble.NewCache(opts.CacheBytes)
		defer c.Unref()
		po.Cache = c
	}
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("pebble: open %s: %w", dir, err)
	}
	return &EthStore{KVIndex: eth.KVIndex{R: ethReader{reader{db}}}, db: db, opts: opts, lastSync: time.Now()}, nil
}

// Commit implements eth.Store: the changes are checked against the tip, then
// written as one batch.
func (s *EthStore) Commit(ctx context.Context, changes []eth.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tip, err := s.Tip(ctx)
	empty := errors.Is(err, eth.ErrNotFound)
	if err != nil && !empty {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	w := writer{b}
	for i := range changes {
		c := &changes[i]
		if err := eth.CheckChange(tip, empty, c); err != nil {
			return fmt.Errorf("pebble: %w", err)
		}
		if err := eth.ApplyChange(w, c); err != nil {
			return fmt.Errorf("pebble: %w", err)
		}
		tip, empty = c.Tip, c.Empty
	}
	sync := pebble.NoSync
	if now := time.Now(); now.Sub(s.lastSync) >= s.opts.SyncInterval {
		sync, s.lastSync = pebble.Sync, now
	}
	if err := b.Commit(sync); err != nil {
		return fmt.Errorf("pebble: commit: %w", err)
	}
	return nil
}

// ConcurrentCommit implements eth.ConcurrentStore: Pebble serves reads while
// a batch commits, from before or after it.
func (s *EthStore) ConcurrentCommit() bool { return true }

// Digest implements eth.Store.
func (s *EthStore) Digest(ctx context.Context) ([32]byte, error) {
	return eth.DigestKV(ctx, ethReader{reader{s.db}})
}

// DiskSize returns the bytes the store's files take on disk.
func (s *EthStore) DiskSize() uint64 { return s.db.Metrics().DiskSpaceUsage() }

// Close implements eth.Store: it syncs the log, then closes.
func (s *EthStore) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var serr error
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		serr = fmt.Errorf("pebble: sync: %w", err)
	}
	return errors.Join(serr, s.db.Close())
}

// ethReader is reader with the Ethereum index's not-found error.
type ethReader struct{ r reader }

func (e ethReader) Get(ctx context.Context, k []byte) ([]byte, error) {
	v, err := e.r.Get(ctx, k)
	if errors.Is(err, bitcoin.ErrNotFound) {
		return nil, eth.ErrNotFound
	}
	return v, err
}

func (e ethReader) Scan(ctx context.Context, lower, upper []byte, fn func(k, v []byte) error) error {
	return e.r.Scan(ctx, lower, upper, fn)
}
