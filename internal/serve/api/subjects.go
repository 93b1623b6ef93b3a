package api

import (
	"context"
	"fmt"
	"sync"

	"github.com/interdict/interdict/internal/action/alert"
)

// SubjectBatchRecorder is an optional extension of SubjectRecorder: a store
// that records a whole batch in one transaction (one fsync instead of one
// per subject) implements it, and the API then makes one call per request.
type SubjectBatchRecorder interface {
	RecordScreenedBatch(ctx context.Context, subjects []alert.Screened) error
}

// recorder remembers screened subjects through the store, skipping those
// this process already recorded: recording is idempotent, and the same
// deposit addresses are screened again and again, so most calls need no
// write at all. The set is bounded; when full it is dropped and refilled,
// which costs only repeated (harmless) writes.
type recorder struct {
	store SubjectRecorder
	max   int

	mu   sync.Mutex
	done map[subject]struct{} // recorded by this process
}

type subject struct{ kind, query string }

func newRecorder(store SubjectRecorder, max int) *recorder {
	return &recorder{store: store, max: max, done: make(map[subject]struct{})}
}

// record stores every subject not yet recorded, at most once each.
func (r *recorder) record(ctx context.Context, subjects []subject) error {
	todo := r.pending(subjects)
	if len(todo) == 0 {
		return nil
	}
	if b, ok := r.store.(SubjectBatchRecorder); ok {
		batch := make([]alert.Screened, len(todo))
		for i, s := range todo {
			batch[i] = alert.Screened{Kind: s.kind, Query: s.query}
		}
		if err := b.RecordScreenedBatch(ctx, batch); err != nil {
			return fmt.Errorf("record %d screened subjects: %w", len(batch), err)
		}
	} else {
		for _, s := range todo {
			if err := r.store.RecordScreened(ctx, s.kind, s.query); err != nil {
				return fmt.Errorf("record screened %s: %w", s.kind, err)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.done)+len(todo) > r.max {
		clear(r.done)
	}
	for _, s := range todo {
		r.done[s] = struct{}{}
	}
	return nil
}

// pending returns the distinct subjects not yet recorded, in input order.
func (r *recorder) pending(subjects []subject) []subject {
	r.mu.Lock()
	defer r.mu.Unlock()
	var todo []subject
	seen := make(map[subject]bool, len(subjects))
	for _, s := range subjects {
		if _, ok := r.done[s]; ok || seen[s] {
			continue
		}
		seen[s] = true
		todo = append(todo, s)
	}
	return todo
}
