package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

const (
	watchAlertCols = `id, status, chain, address, kind, label, asset, amount, flag_id, incident, actor, reason, tx, vout,
		height, block, hop, path, model, retro, orphaned, created, updated`
	qWatchAlerts = `SELECT ` + watchAlertCols + ` FROM watch_alerts WHERE ($1 = '' OR chain = $1) AND ($2 = '' OR status = $2)
		ORDER BY created DESC, height DESC, id LIMIT $3`
	qWatchAlert      = `SELECT ` + watchAlertCols + ` FROM watch_alerts WHERE id = $1`
	qWatchHistory    = `SELECT from_status, to_status, by_whom, at, note FROM watch_alert_history WHERE alert_id = $1 ORDER BY seq`
	qWatchMove       = `UPDATE watch_alerts SET status = $1, updated = $2 WHERE id = $3 AND status = $4`
	qWatchAlertExist = `SELECT 1 FROM watch_alerts WHERE id = $1`
	qWatchHistorySeq = `SELECT COALESCE(MAX(seq), 0) FROM watch_alert_history WHERE alert_id = $1`
	qWatchHistoryPut = `INSERT INTO watch_alert_history (alert_id, seq, from_status, to_status, by_whom, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`
)

func scanChainAlert(r pgx.Row) (watch.Alert, error) {
	var (
		a                          watch.Alert
		status, kind, amount, path string
		model                      string
		created, updated           time.Time
	)
	err := r.Scan(&a.ID, &status, &a.Chain, &a.Address, &kind, &a.Label, &a.Asset, &amount, &a.FlagID, &a.Incident, &a.Actor,
		&a.Reason, &a.Tx, &a.Vout, &a.Height, &a.Block, &a.Hop, &path, &model, &a.Retro, &a.Orphaned, &created, &updated)
	if err != nil {
		return a, err
	}
	a.Status, a.Kind, a.Model = watch.Status(status), watch.Kind(kind), trace.Model(model)
	a.FlagIDs, a.Path = []string{a.FlagID}, watch.DecodePath(path)
	a.Created, a.Updated = created.UTC(), updated.UTC()
	var ok bool
	if a.Amount, ok = new(big.Int).SetString(amount, 10); !ok {
		return a, fmt.Errorf("alert %s: amount %q", a.ID, amount)
	}
	return a, nil
}

// ChainAlerts implements watch.Store.
func (s *Store) ChainAlerts(ctx context.Context, f watch.Filter) ([]watch.Alert, error) {
	rows, err := s.pool.Query(ctx, qWatchAlerts, f.Chain, string(f.Status), defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: chain alerts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (watch.Alert, error) { return scanChainAlert(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: chain alerts: %w", err)
	}
	if out == nil {
		out = []watch.Alert{}
	}
	return out, nil
}

// ChainAlert implements watch.Store.
func (s *Store) ChainAlert(ctx context.Context, id string) (watch.Alert, error) {
	a, err := scanChainAlert(s.pool.QueryRow(ctx, qWatchAlert, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("alert %s: %w", id, watch.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("postgres: chain alert %s: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, qWatchHistory, id)
	if err != nil {
		return a, fmt.Errorf("postgres: chain alert %s history: %w", id, err)
	}
	a.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (watch.Transition, error) {
		var (
			t        watch.Transition
			from, to string
		)
		err := r.Scan(&from, &to, &t.By, &t.At, &t.Note)
		t.From, t.To, t.At = watch.Status(from), watch.Status(to), t.At.UTC()
		return t, err
	})
	if err != nil {
		return a, fmt.Errorf("postgres: chain alert %s history: %w", id, err)
	}
	return a, nil
}

// MoveChainAlert implements watch.Store.
func (s *Store) MoveChainAlert(ctx context.Context, id string, t watch.Transition) error {
	at := t.At
	if at.IsZero() {
		at = now()
	}
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, qWatchMove, string(t.To), ts(at), id, string(t.From))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var one int
			if err := tx.QueryRow(ctx, qWatchAlertExist, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("alert %s: %w", id, watch.ErrNotFound)
			}
			return fmt.Errorf("%w: alert %s is no longer %s", watch.ErrTransition, id, t.From)
		}
		var seq int
		if err := tx.QueryRow(ctx, qWatchHistorySeq, id).Scan(&seq); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, qWatchHistoryPut, id, seq+1, string(t.From), string(t.To), t.By, ts(at), t.Note)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: move alert %s: %w", id, err)
	}
	return nil
}
