package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/freeze"
)

// Saved traces (freeze.TraceStore), as in the sqlite package:
// migrations/0004_traces.up.sql.

const (
	qTraceInsert    = `INSERT INTO saved_traces (id, owner, created, chain, request) VALUES ($1, $2, $3, $4, $5)`
	qTraceRunInsert = `INSERT INTO saved_trace_runs (trace_id, seq, at, tip, tip_hash, reached, result, changes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	qTraceLock    = `SELECT 1 FROM saved_traces WHERE id = $1 FOR UPDATE`
	qTraceLastSeq = `SELECT COALESCE(MAX(seq), 0) FROM saved_trace_runs WHERE trace_id = $1`
	qTrace        = `SELECT owner, created, request FROM saved_traces WHERE id = $1`
	qTraceRuns    = `SELECT seq, at, tip, tip_hash, result, changes FROM saved_trace_runs WHERE trace_id = $1 ORDER BY seq`
	qTraceList    = `SELECT t.id, t.owner, t.created, t.chain, t.request, c.n, r.at, r.tip, r.reached
		FROM saved_traces t
		JOIN (SELECT trace_id, COUNT(*) AS n, MAX(seq) AS last FROM saved_trace_runs GROUP BY trace_id) c ON c.trace_id = t.id
		JOIN saved_trace_runs r ON r.trace_id = t.id AND r.seq = c.last
		WHERE ($1 = '' OR t.owner = $1)
		ORDER BY t.created DESC, t.id DESC
		LIMIT $2`
)

// CreateTrace implements freeze.TraceStore.
func (s *Store) CreateTrace(ctx context.Context, t freeze.SavedTrace) error {
	req, err := json.Marshal(t.Request)
	if err != nil {
		return fmt.Errorf("postgres: create trace %s: %w", t.ID, err)
	}
	created := t.Created
	if created.IsZero() {
		created = time.Now()
	}
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qTraceInsert, t.ID, t.Owner, created.UTC(), t.Request.Chain, string(req)); err != nil {
			return err
		}
		for _, r := range t.Runs {
			if err := insertTraceRun(ctx, tx, t.ID, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create trace %s: %w", t.ID, err)
	}
	return nil
}

func insertTraceRun(ctx context.Context, tx pgx.Tx, id string, r freeze.Run) error {
	res, err := freeze.EncodeResult(r.Result)
	if err != nil {
		return err
	}
	var changes *string
	if r.Changes != nil {
		b, err := json.Marshal(r.Changes)
		if err != nil {
			return err
		}
		c := string(b)
		changes = &c
	}
	reached := 0
	if r.Result != nil {
		reached = len(r.Result.Reached)
	}
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err = tx.Exec(ctx, qTraceRunInsert, id, r.Seq, at.UTC(), r.Tip, r.TipHash, reached, string(res), changes)
	return err
}

// AddTraceRun implements freeze.TraceStore. The trace's row is locked so two
// re-runs at once get distinct, consecutive numbers or an error.
func (s *Store) AddTraceRun(ctx context.Context, id string, r freeze.Run) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, qTraceLock, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return freeze.ErrTraceNotFound
		} else if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRow(ctx, qTraceLastSeq, id).Scan(&last); err != nil {
			return err
		}
		if r.Seq != last+1 {
			return fmt.Errorf("%w: run %d is not the next (the last is %d)", freeze.ErrRunConflict, r.Seq, last)
		}
		return insertTraceRun(ctx, tx, id, r)
	})
	if err != nil {
		return fmt.Errorf("postgres: add run to trace %s: %w", id, err)
	}
	return nil
}

// Trace implements freeze.TraceStore.
func (s *Store) Trace(ctx context.Context, id string) (freeze.SavedTrace, error) {
	t := freeze.SavedTrace{ID: id}
	var req []byte
	err := s.pool.QueryRow(ctx, qTrace, id).Scan(&t.Owner, &t.Created, &req)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("trace %s: %w", id, freeze.ErrTraceNotFound)
	} else if err != nil {
		return t, fmt.Errorf("postgres: trace %s: %w", id, err)
	}
	t.Created = t.Created.UTC()
	if err := json.Unmarshal(req, &t.Request); err != nil {
		return t, fmt.Errorf("postgres: trace %s request: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, qTraceRuns, id)
	if err != nil {
		return t, fmt.Errorf("postgres: trace %s runs: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r            freeze.Run
			res, changes []byte
		)
		if err := rows.Scan(&r.Seq, &r.At, &r.Tip, &r.TipHash, &res, &changes); err != nil {
			return t, fmt.Errorf("postgres: trace %s runs: %w", id, err)
		}
		r.At = r.At.UTC()
		if r.Result, err = freeze.DecodeResult(res); err != nil {
			return t, fmt.Errorf("postgres: trace %s run %d: %w", id, r.Seq, err)
		}
		if changes != nil {
			r.Changes = &freeze.Changes{}
			if err := json.Unmarshal(changes, r.Changes); err != nil {
				return t, fmt.Errorf("postgres: trace %s run %d changes: %w", id, r.Seq, err)
			}
		}
		t.Runs = append(t.Runs, r)
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("postgres: trace %s runs: %w", id, err)
	}
	return t, nil
}

// Traces implements freeze.TraceStore.
func (s *Store) Traces(ctx context.Context, owner string, limit int) ([]freeze.Summary, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, qTraceList, owner, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: traces: %w", err)
	}
	defer rows.Close()
	out := []freeze.Summary{}
	for rows.Next() {
		var (
			x   freeze.Summary
			req []byte
		)
		if err := rows.Scan(&x.ID, &x.Owner, &x.Created, &x.Chain, &req, &x.Runs, &x.LastRun, &x.LastTip, &x.Reached); err != nil {
			return nil, fmt.Errorf("postgres: traces: %w", err)
		}
		x.Created, x.LastRun = x.Created.UTC(), x.LastRun.UTC()
		if err := json.Unmarshal(req, &x.Request); err != nil {
			return nil, fmt.Errorf("postgres: trace %s request: %w", x.ID, err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: traces: %w", err)
	}
	return out, nil
}
