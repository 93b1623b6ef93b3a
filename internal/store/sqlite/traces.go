package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/interdict/interdict/internal/action/freeze"
)

// Saved traces (freeze.TraceStore): migrations/0004_traces.up.sql.

const (
	qTraceInsert    = `INSERT INTO saved_traces (id, owner, created, chain, request) VALUES (?, ?, ?, ?, ?)`
	qTraceRunInsert = `INSERT INTO saved_trace_runs (trace_id, seq, at, tip, tip_hash, reached, result, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qTraceLastSeq = `SELECT COALESCE(MAX(seq), 0) FROM saved_trace_runs WHERE trace_id = ?`
	qTraceExists  = `SELECT 1 FROM saved_traces WHERE id = ?`
	qTrace        = `SELECT owner, created, request FROM saved_traces WHERE id = ?`
	qTraceRuns    = `SELECT seq, at, tip, tip_hash, result, changes FROM saved_trace_runs WHERE trace_id = ? ORDER BY seq`
	qTraceList    = `SELECT t.id, t.owner, t.created, t.chain, t.request, c.n, r.at, r.tip, r.reached
		FROM saved_traces t
		JOIN (SELECT trace_id, COUNT(*) AS n, MAX(seq) AS last FROM saved_trace_runs GROUP BY trace_id) c ON c.trace_id = t.id
		JOIN saved_trace_runs r ON r.trace_id = t.id AND r.seq = c.last
		WHERE (? = '' OR t.owner = ?)
		ORDER BY t.created DESC, t.id DESC
		LIMIT ?`
)

// CreateTrace implements freeze.TraceStore.
func (s *Store) CreateTrace(ctx context.Context, t freeze.SavedTrace) error {
	req, err := json.Marshal(t.Request)
	if err != nil {
		return fmt.Errorf("sqlite: create trace %s: %w", t.ID, err)
	}
	created := t.Created
	if created.IsZero() {
		created = now()
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qTraceInsert, t.ID, t.Owner, toMicros(created), t.Request.Chain, string(req)); err != nil {
			return err
		}
		for _, r := range t.Runs {
			if err := insertRun(ctx, tx, t.ID, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: create trace %s: %w", t.ID, err)
	}
	return nil
}

func insertRun(ctx context.Context, tx *sql.Tx, id string, r freeze.Run) error {
	res, err := freeze.EncodeResult(r.Result)
	if err != nil {
		return err
	}
	var changes sql.NullString
	if r.Changes != nil {
		b, err := json.Marshal(r.Changes)
		if err != nil {
			return err
		}
		changes = sql.NullString{String: string(b), Valid: true}
	}
	reached := 0
	if r.Result != nil {
		reached = len(r.Result.Reached)
	}
	at := r.At
	if at.IsZero() {
		at = now()
	}
	_, err = tx.ExecContext(ctx, qTraceRunInsert, id, r.Seq, toMicros(at), r.Tip, r.TipHash, reached, string(res), changes)
	return err
}

// AddTraceRun implements freeze.TraceStore.
func (s *Store) AddTraceRun(ctx context.Context, id string, r freeze.Run) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, qTraceExists, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return freeze.ErrTraceNotFound
		} else if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, qTraceLastSeq, id).Scan(&last); err != nil {
			return err
		}
		if r.Seq != last+1 {
			return fmt.Errorf("%w: run %d is not the next (the last is %d)", freeze.ErrRunConflict, r.Seq, last)
		}
		return insertRun(ctx, tx, id, r)
	})
	if err != nil {
		return fmt.Errorf("sqlite: add run to trace %s: %w", id, err)
	}
	return nil
}

// Trace implements freeze.TraceStore.
func (s *Store) Trace(ctx context.Context, id string) (freeze.SavedTrace, error) {
	t := freeze.SavedTrace{ID: id}
	var (
		created int64
		req     string
	)
	err := s.reader.QueryRowContext(ctx, qTrace, id).Scan(&t.Owner, &created, &req)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("trace %s: %w", id, freeze.ErrTraceNotFound)
	} else if err != nil {
		return t, fmt.Errorf("sqlite: trace %s: %w", id, err)
	}
	t.Created = fromMicros(created)
	if err := json.Unmarshal([]byte(req), &t.Request); err != nil {
		return t, fmt.Errorf("sqlite: trace %s request: %w", id, err)
	}
	rows, err := s.reader.QueryContext(ctx, qTraceRuns, id)
	if err != nil {
		return t, fmt.Errorf("sqlite: trace %s runs: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r       freeze.Run
			at      int64
			res     string
			changes sql.NullString
		)
		if err := rows.Scan(&r.Seq, &at, &r.Tip, &r.TipHash, &res, &changes); err != nil {
			return t, fmt.Errorf("sqlite: trace %s runs: %w", id, err)
		}
		r.At = fromMicros(at)
		if r.Result, err = freeze.DecodeResult([]byte(res)); err != nil {
			return t, fmt.Errorf("sqlite: trace %s run %d: %w", id, r.Seq, err)
		}
		if changes.Valid {
			r.Changes = &freeze.Changes{}
			if err := json.Unmarshal([]byte(changes.String), r.Changes); err != nil {
				return t, fmt.Errorf("sqlite: trace %s run %d changes: %w", id, r.Seq, err)
			}
		}
		t.Runs = append(t.Runs, r)
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("sqlite: trace %s runs: %w", id, err)
	}
	return t, nil
}

// Traces implements freeze.TraceStore.
func (s *Store) Traces(ctx context.Context, owner string, limit int) ([]freeze.Summary, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.reader.QueryContext(ctx, qTraceList, owner, owner, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: traces: %w", err)
	}
	defer rows.Close()
	out := []freeze.Summary{}
	for rows.Next() {
		var (
			x           freeze.Summary
			created, at int64
			req         string
		)
		if err := rows.Scan(&x.ID, &x.Owner, &created, &x.Chain, &req, &x.Runs, &at, &x.LastTip, &x.Reached); err != nil {
			return nil, fmt.Errorf("sqlite: traces: %w", err)
		}
		x.Created, x.LastRun = fromMicros(created), fromMicros(at)
		if err := json.Unmarshal([]byte(req), &x.Request); err != nil {
			return nil, fmt.Errorf("sqlite: trace %s request: %w", x.ID, err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: traces: %w", err)
	}
	return out, nil
}
