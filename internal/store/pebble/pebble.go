// Package pebble is the embedded backend of the Bitcoin chain index
// (bitcoin.Store) on CockroachDB's Pebble: it stores exactly the canonical
// key schema of internal/index/bitcoin/schema.go, commits each batch of
// changes as one synced pebble.Batch (tip and undo entries included, so a
// crash leaves the index at the last committed block), and computes the
// digest by scanning every key in order.
package pebble

import (
	"context"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// Store is a bitcoin.Store in a Pebble directory.
type Store struct {
	bitcoin.KVChain
	db *pebble.DB
}

// Open opens (creating it if needed) the chain index in dir.
func Open(dir string) (*Store, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		return nil, fmt.Errorf("pebble: open %s: %w", dir, err)
	}
	return &Store{KVChain: bitcoin.KVChain{R: reader{db}}, db: db}, nil
}

// Commit implements bitcoin.Store: one synced batch for all changes.
func (s *Store) Commit(ctx context.Context, changes []bitcoin.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	w := writer{b}
	for i := range changes {
		if err := bitcoin.ApplyChange(w, &changes[i]); err != nil {
			return fmt.Errorf("pebble: %w", err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("pebble: commit: %w", err)
	}
	return nil
}

// Digest implements bitcoin.Store.
func (s *Store) Digest(ctx context.Context) ([32]byte, error) {
	return bitcoin.DigestKV(ctx, reader{s.db})
}

// DiskSize returns the bytes the store's files take on disk.
func (s *Store) DiskSize() uint64 { return s.db.Metrics().DiskSpaceUsage() }

// Close implements bitcoin.Store.
func (s *Store) Close() error { return s.db.Close() }

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
