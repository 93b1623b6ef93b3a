package api

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// countingRecorder counts the writes that reach the real store. The store is
// a named field, not embedded, so its own RecordScreenedBatch is not promoted
// and every write goes through RecordScreened.
type countingRecorder struct {
	Store *sqlite.Store
	calls atomic.Int64
}

func (c *countingRecorder) RecordScreened(ctx context.Context, kind, query string) error {
	c.calls.Add(1)
	return c.Store.RecordScreened(ctx, kind, query)
}

// batchingRecorder also offers the batch call, done here as a loop.
type batchingRecorder struct {
	countingRecorder
	batches atomic.Int64
}

func (b *batchingRecorder) RecordScreenedBatch(ctx context.Context, ss []alert.Screened) error {
	b.batches.Add(1)
	for _, s := range ss {
		if err := b.Store.RecordScreened(ctx, s.Kind, s.Query); err != nil {
			return err
		}
	}
	return nil
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	a, b, n := subject{"address", "0xa"}, subject{"address", "0xb"}, subject{"name", "Kim"}

	t.Run("each subject is written once, later screenings write nothing", func(t *testing.T) {
		store := &countingRecorder{Store: openStore(t)}
		r := newRecorder(store, 100)
		for range 3 {
			if err := r.record(ctx, []subject{a, b, a, n}); err != nil {
				t.Fatal(err)
			}
		}
		if got := store.calls.Load(); got != 3 {
			t.Errorf("%d writes, want 3", got)
		}
		subs, _ := store.Store.ScreenedSubjects(ctx)
		if len(subs) != 3 {
			t.Errorf("stored %d subjects, want 3", len(subs))
		}
	})
	t.Run("a store with a batch call gets one call per request", func(t *testing.T) {
		store := &batchingRecorder{countingRecorder: countingRecorder{Store: openStore(t)}}
		r := newRecorder(store, 100)
		if err := r.record(ctx, []subject{a, b, n}); err != nil {
			t.Fatal(err)
		}
		if err := r.record(ctx, []subject{a, b, n}); err != nil {
			t.Fatal(err)
		}
		if store.batches.Load() != 1 || store.calls.Load() != 0 {
			t.Errorf("%d batches and %d single writes, want 1 and 0", store.batches.Load(), store.calls.Load())
		}
	})
	t.Run("a full cache is dropped and refilled, never grows past its bound", func(t *testing.T) {
		store := &countingRecorder{Store: openStore(t)}
		r := newRecorder(store, 2)
		for _, s := range []subject{a, b, n, a} {
			if err := r.record(ctx, []subject{s}); err != nil {
				t.Fatal(err)
			}
			if len(r.done) > 2 {
				t.Fatalf("cache holds %d", len(r.done))
			}
		}
		if got := store.calls.Load(); got != 4 {
			t.Errorf("%d writes, want 4 (a is written again after the drop)", got)
		}
	})
	t.Run("a failed write is not remembered", func(t *testing.T) {
		r := newRecorder(failingSubjects{}, 100)
		if err := r.record(ctx, []subject{a}); err == nil {
			t.Fatal("no error")
		}
		if len(r.done) != 0 {
			t.Error("a subject that failed to record was cached")
		}
	})
}
