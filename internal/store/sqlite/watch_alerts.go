package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

func scanChainAlert(r rowScanner) (watch.Alert, error) {
	var (
		a                          watch.Alert
		status, kind, amount, path string
		model                      string
		created, updated           int64
	)
	err := r.Scan(&a.ID, &status, &a.Chain, &a.Address, &kind, &a.Label, &a.Asset, &amount, &a.FlagID, &a.Incident, &a.Actor,
		&a.Reason, &a.Tx, &a.Vout, &a.Height, &a.Block, &a.Hop, &path, &model, &a.Retro, &a.Orphaned, &created, &updated)
	if err != nil {
		return a, err
	}
	a.Status, a.Kind, a.Model = watch.Status(status), watch.Kind(kind), trace.Model(model)
	a.FlagIDs, a.Path = []string{a.FlagID}, watch.DecodePath(path)
	a.Created, a.Updated = fromMicros(created), fromMicros(updated)
	var ok bool
	if a.Amount, ok = new(big.Int).SetString(amount, 10); !ok {
		return a, fmt.Errorf("alert %s: amount %q", a.ID, amount)
	}
	return a, nil
}

// ChainAlerts implements watch.Store.
func (s *Store) ChainAlerts(ctx context.Context, f watch.Filter) ([]watch.Alert, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchAlerts, f.Chain, f.Chain, string(f.Status), string(f.Status), defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: chain alerts: %w", err)
	}
	defer rows.Close()
	out := []watch.Alert{}
	for rows.Next() {
		a, err := scanChainAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: chain alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ChainAlert implements watch.Store.
func (s *Store) ChainAlert(ctx context.Context, id string) (watch.Alert, error) {
	a, err := scanChainAlert(s.reader.QueryRowContext(ctx, qWatchAlert, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %s: %w", id, watch.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("sqlite: chain alert %s: %w", id, err)
	}
	rows, err := s.reader.QueryContext(ctx, qWatchHistory, id)
	if err != nil {
		return a, fmt.Errorf("sqlite: chain alert %s history: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t        watch.Transition
			from, to string
			at       int64
		)
		if err := rows.Scan(&from, &to, &t.By, &at, &t.Note); err != nil {
			return a, fmt.Errorf("sqlite: chain alert %s history: %w", id, err)
		}
		t.From, t.To, t.At = watch.Status(from), watch.Status(to), fromMicros(at)
		a.History = append(a.History, t)
	}
	return a, rows.Err()
}

// MoveChainAlert implements watch.Store.
func (s *Store) MoveChainAlert(ctx context.Context, id string, t watch.Transition) error {
	at := t.At
	if at.IsZero() {
		at = now()
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qWatchMove, string(t.To), toMicros(at), id, string(t.From))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM watch_alerts WHERE id = ?`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("alert %s: %w", id, watch.ErrNotFound)
			}
			return fmt.Errorf("%w: alert %s is no longer %s", watch.ErrTransition, id, t.From)
		}
		var seq int
		if err := tx.QueryRowContext(ctx, qWatchHistorySeq, id).Scan(&seq); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qWatchHistoryPut, id, seq+1, string(t.From), string(t.To), t.By, toMicros(at), t.Note)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: move alert %s: %w", id, err)
	}
	return nil
}
