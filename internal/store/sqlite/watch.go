package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// Watchlists and the alert engine (watch.Store): migrations/0009_watch.up.sql.

const (
	qWatchAdd = `INSERT INTO watch_addresses (chain, address, hashed, kind, label, added) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (chain, address) DO UPDATE SET kind = excluded.kind, label = excluded.label`
	qWatchExists   = `SELECT 1 FROM watch_addresses WHERE chain = ? AND address = ?`
	qWatchRemove   = `DELETE FROM watch_addresses WHERE chain = ? AND address = ?`
	qWatchList     = `SELECT chain, address, hashed, kind, label, added FROM watch_addresses WHERE (? = '' OR chain = ?) ORDER BY chain, address`
	qWatchSettings = `SELECT model, max_hops, min_amount, stop_categories, min_confidence FROM watch_settings WHERE id = 1`
	qWatchSetSet   = `INSERT INTO watch_settings (id, model, max_hops, min_amount, stop_categories, min_confidence) VALUES (1, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET model = excluded.model, max_hops = excluded.max_hops, min_amount = excluded.min_amount,
		stop_categories = excluded.stop_categories, min_confidence = excluded.min_confidence`
	qWatchListBump    = `UPDATE watch_list_version SET version = version + 1 WHERE id = 1`
	qWatchListVersion = `SELECT version FROM watch_list_version WHERE id = 1`
	qWatchCursor      = `SELECT height, hash FROM watch_cursors WHERE chain = ?`
	qWatchSetCursor   = `INSERT INTO watch_cursors (chain, height, hash) VALUES (?, ?, ?)
		ON CONFLICT (chain) DO UPDATE SET height = excluded.height, hash = excluded.hash`
	qWatchPutBlock = `INSERT INTO watch_blocks (chain, height, hash) VALUES (?, ?, ?)
		ON CONFLICT (chain, height) DO UPDATE SET hash = excluded.hash`
	qWatchBlocks   = `SELECT height, hash FROM watch_blocks WHERE chain = ? AND height >= ? ORDER BY height`
	qWatchLive     = `SELECT flag, ref, height, address, asset, value, taint, hop, path FROM watch_taint WHERE chain = ? AND spent IS NULL`
	qWatchEvalList = `SELECT flag FROM watch_evaluated WHERE chain = ?`
	qWatchSpend    = `UPDATE watch_taint SET spent = ? WHERE chain = ? AND flag = ? AND ref = ? AND spent IS NULL`
	qWatchPut      = `INSERT INTO watch_taint (chain, flag, ref, height, address, asset, value, taint, hop, path, spent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
		ON CONFLICT (chain, flag, ref, height) DO UPDATE SET address = excluded.address, asset = excluded.asset,
		value = excluded.value, taint = excluded.taint, hop = excluded.hop, path = excluded.path, spent = NULL`
	qWatchAlertPut = `INSERT INTO watch_alerts (id, status, chain, address, kind, label, asset, amount, flag_id, incident, actor,
		reason, tx, vout, height, block, hop, path, model, retro, orphaned, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (id) DO UPDATE SET orphaned = 0, height = excluded.height, block = excluded.block, updated = excluded.updated
		WHERE watch_alerts.orphaned = 1`
	qWatchTainted   = `INSERT INTO watch_tainted (chain, height, address) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	qWatchEvaluate  = `INSERT INTO watch_evaluated (chain, flag, height) VALUES (?, ?, ?) ON CONFLICT (chain, flag) DO UPDATE SET height = excluded.height`
	qWatchPrune     = `DELETE FROM watch_taint WHERE chain = ? AND spent IS NOT NULL AND spent < ?`
	qWatchPruneBlks = `DELETE FROM watch_blocks WHERE chain = ? AND height < ?`

	qWatchRewindDel    = `DELETE FROM watch_taint WHERE chain = ? AND height > ?`
	qWatchRewindUnspnd = `UPDATE watch_taint SET spent = NULL WHERE chain = ? AND spent > ?`
	qWatchRewindAlerts = `UPDATE watch_alerts SET orphaned = 1, updated = ? WHERE chain = ? AND height > ? AND orphaned = 0`
	qWatchRewindTaintd = `DELETE FROM watch_tainted WHERE chain = ? AND height > ?`
	qWatchRewindBlocks = `DELETE FROM watch_blocks WHERE chain = ? AND height > ?`
	qWatchRewindEval   = `DELETE FROM watch_evaluated WHERE chain = ? AND height > ?`
	qWatchTaintedAt    = `SELECT address FROM watch_tainted WHERE chain = ? AND height = ? ORDER BY address`

	watchAlertCols = `id, status, chain, address, kind, label, asset, amount, flag_id, incident, actor, reason, tx, vout,
		height, block, hop, path, model, retro, orphaned, created, updated`
	qWatchAlerts = `SELECT ` + watchAlertCols + ` FROM watch_alerts WHERE (? = '' OR chain = ?) AND (? = '' OR status = ?)
		ORDER BY created DESC, height DESC, id LIMIT ?`
	qWatchAlert      = `SELECT ` + watchAlertCols + ` FROM watch_alerts WHERE id = ?`
	qWatchHistory    = `SELECT from_status, to_status, by_whom, at, note FROM watch_alert_history WHERE alert_id = ? ORDER BY seq`
	qWatchMove       = `UPDATE watch_alerts SET status = ?, updated = ? WHERE id = ? AND status = ?`
	qWatchHistorySeq = `SELECT COALESCE(MAX(seq), 0) FROM watch_alert_history WHERE alert_id = ?`
	qWatchHistoryPut = `INSERT INTO watch_alert_history (alert_id, seq, from_status, to_status, by_whom, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// AddWatch implements watch.Store.
func (s *Store) AddWatch(ctx context.Context, entries []watch.Entry) (int, error) {
	added := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			var one int
			err := tx.QueryRowContext(ctx, qWatchExists, e.Chain, e.Address).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				added++
			} else if err != nil {
				return err
			}
			at := e.Added
			if at.IsZero() {
				at = now()
			}
			if _, err := tx.ExecContext(ctx, qWatchAdd, e.Chain, e.Address, e.Hashed, string(e.Kind), e.Label, toMicros(at)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, qWatchListBump)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: add watch: %w", err)
	}
	return added, nil
}

// RemoveWatch implements watch.Store.
func (s *Store) RemoveWatch(ctx context.Context, chain, address string) error {
	var n int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qWatchRemove, chain, address)
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, qWatchListBump)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: remove watch: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("watch %s %s: %w", chain, address, watch.ErrNotFound)
	}
	return nil
}

// WatchlistVersion implements watch.WatchlistVersioned: a counter bumped by
// every AddWatch and RemoveWatch.
func (s *Store) WatchlistVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.reader.QueryRowContext(ctx, qWatchListVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: watchlist version: %w", err)
	}
	return v, nil
}

// Watchlist implements watch.Store.
func (s *Store) Watchlist(ctx context.Context, chain string) ([]watch.Entry, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchList, chain, chain)
	if err != nil {
		return nil, fmt.Errorf("sqlite: watchlist: %w", err)
	}
	defer rows.Close()
	out := []watch.Entry{}
	for rows.Next() {
		var (
			e    watch.Entry
			kind string
			at   int64
		)
		if err := rows.Scan(&e.Chain, &e.Address, &e.Hashed, &kind, &e.Label, &at); err != nil {
			return nil, fmt.Errorf("sqlite: watchlist: %w", err)
		}
		e.Kind, e.Added = watch.Kind(kind), fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: watchlist: %w", err)
	}
	return out, nil
}

// WatchSettings implements watch.Store.
func (s *Store) WatchSettings(ctx context.Context) (watch.Settings, error) {
	var (
		st    watch.Settings
		model string
		minS  string
		stops string
	)
	err := s.reader.QueryRowContext(ctx, qWatchSettings).Scan(&model, &st.MaxHops, &minS, &stops, &st.MinConfidence)
	if errors.Is(err, sql.ErrNoRows) {
		return watch.DefaultSettings(), nil
	}
	if err != nil {
		return st, fmt.Errorf("sqlite: watch settings: %w", err)
	}
	st.Model, st.StopCategories = trace.Model(model), watch.DecodeStops(stops)
	var ok bool
	if st.MinAmount, ok = new(big.Int).SetString(minS, 10); !ok {
		return st, fmt.Errorf("sqlite: watch settings: min amount %q", minS)
	}
	return st, nil
}

// SetWatchSettings implements watch.Store.
func (s *Store) SetWatchSettings(ctx context.Context, st watch.Settings) error {
	if err := st.Check(); err != nil {
		return err
	}
	minA := "0"
	if st.MinAmount != nil {
		minA = st.MinAmount.String()
	}
	if _, err := s.writer.ExecContext(ctx, qWatchSetSet, string(st.Model), st.MaxHops, minA, watch.EncodeStops(st.StopCategories), st.MinConfidence); err != nil {
		return fmt.Errorf("sqlite: set watch settings: %w", err)
	}
	return nil
}

// WatchCursor implements watch.Store.
func (s *Store) WatchCursor(ctx context.Context, chain string) (watch.Cursor, error) {
	var c watch.Cursor
	err := s.reader.QueryRowContext(ctx, qWatchCursor, chain).Scan(&c.Height, &c.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("watch cursor %s: %w", chain, watch.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: watch cursor: %w", err)
	}
	return c, nil
}

// WatchBlocks implements watch.Store.
func (s *Store) WatchBlocks(ctx context.Context, chain string, from int64) ([]watch.Cursor, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchBlocks, chain, from)
	if err != nil {
		return nil, fmt.Errorf("sqlite: watch blocks: %w", err)
	}
	defer rows.Close()
	var out []watch.Cursor
	for rows.Next() {
		var c watch.Cursor
		if err := rows.Scan(&c.Height, &c.Hash); err != nil {
			return nil, fmt.Errorf("sqlite: watch blocks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LiveTaint implements watch.Store.
func (s *Store) LiveTaint(ctx context.Context, chain string) ([]watch.TaintRow, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchLive, chain)
	if err != nil {
		return nil, fmt.Errorf("sqlite: live taint: %w", err)
	}
	defer rows.Close()
	var out []watch.TaintRow
	for rows.Next() {
		r := watch.TaintRow{Chain: chain}
		var value, taint, path string
		if err := rows.Scan(&r.Flag, &r.Ref, &r.Height, &r.Address, &r.Asset, &value, &taint, &r.Hop, &path); err != nil {
			return nil, fmt.Errorf("sqlite: live taint: %w", err)
		}
		if err := watch.DecodeRow(&r, value, taint, path); err != nil {
			return nil, fmt.Errorf("sqlite: live taint: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// EvaluatedFlags implements watch.Store.
func (s *Store) EvaluatedFlags(ctx context.Context, chain string) (map[string]bool, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchEvalList, chain)
	if err != nil {
		return nil, fmt.Errorf("sqlite: evaluated flags: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fmt.Errorf("sqlite: evaluated flags: %w", err)
		}
		out[f] = true
	}
	return out, rows.Err()
}

// CommitWatchBlock implements watch.Store: spends, then puts, alerts,
// tainted addresses, evaluations, the cursor, pruning and the alerts'
// entries in the delivery log (deliver_events), in one transaction.
func (s *Store) CommitWatchBlock(ctx context.Context, c watch.BlockCommit) error {
	at := toMicros(now())
	h := c.Cursor.Height
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		exec := func(q string, args [][]any) error {
			if len(args) == 0 {
				return nil
			}
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, a := range args {
				if _, err := st.ExecContext(ctx, a...); err != nil {
					return err
				}
			}
			return nil
		}
		var spends, puts, alerts, tainted, evals [][]any
		for _, k := range c.Spend {
			spends = append(spends, []any{h, c.Chain, k.Flag, k.Ref})
		}
		for _, r := range c.Put {
			puts = append(puts, []any{c.Chain, r.Flag, r.Ref, r.Height, r.Address, r.Asset, r.Value.String(),
				watch.EncodeTaint(r.Taint), r.Hop, watch.EncodePath(r.Path)})
		}
		for _, a := range c.Alerts {
			alerts = append(alerts, []any{a.ID, string(a.Status), a.Chain, a.Address, string(a.Kind), a.Label, a.Asset,
				amountString(a.Amount), a.FlagID, a.Incident, a.Actor, a.Reason, a.Tx, a.Vout, a.Height, a.Block, a.Hop,
				watch.EncodePath(a.Path), string(a.Model), a.Retro, at, at})
		}
		for _, ad := range c.Tainted {
			tainted = append(tainted, []any{c.Chain, h, ad})
		}
		for _, f := range c.Evaluated {
			evals = append(evals, []any{c.Chain, f, h})
		}
		for _, step := range []struct {
			q    string
			args [][]any
		}{{qWatchSpend, spends}, {qWatchPut, puts}, {qWatchAlertPut, alerts}, {qWatchTainted, tainted}, {qWatchEvaluate, evals},
			{qWatchSetCursor, [][]any{{c.Chain, h, c.Cursor.Hash}}}, {qWatchPutBlock, [][]any{{c.Chain, h, c.Cursor.Hash}}}} {
			if err := exec(step.q, step.args); err != nil {
				return err
			}
		}
		if c.PruneBelow > 0 {
			if _, err := tx.ExecContext(ctx, qWatchPrune, c.Chain, c.PruneBelow); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, qWatchPruneBlks, c.Chain, c.PruneBelow); err != nil {
				return err
			}
		}
		// The block's alerts are queued for delivery in the commit that
		// stores them: none is stored without being published.
		pub, err := publishedAlerts(c.Alerts, fromMicros(at))
		if err != nil {
			return err
		}
		_, err = publishTx(ctx, tx, pub)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: commit watch block %s %d: %w", c.Chain, h, err)
	}
	return nil
}

// publishedAlerts are a commit's alerts as delivery events, keyed by the
// alert id (an alert published before, e.g. revived after a reorg, is not
// published again).
func publishedAlerts(alerts []watch.Alert, at time.Time) ([]deliver.Published, error) {
	out := make([]deliver.Published, 0, len(alerts))
	for _, a := range alerts {
		doc, err := watch.AlertDocument(a, at)
		if err != nil {
			return nil, err
		}
		out = append(out, deliver.Published{Key: a.ID, Payload: doc})
	}
	return out, nil
}

func amountString(a *big.Int) string {
	if a == nil {
		return "0"
	}
	return a.String()
}

// RewindWatch implements watch.Store.
func (s *Store) RewindWatch(ctx context.Context, chain string, height int64, to watch.Cursor) (int, error) {
	var orphaned int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{qWatchRewindDel, qWatchRewindUnspnd, qWatchRewindTaintd, qWatchRewindBlocks, qWatchRewindEval} {
			if _, err := tx.ExecContext(ctx, q, chain, height); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, qWatchRewindAlerts, toMicros(now()), chain, height)
		if err != nil {
			return err
		}
		orphaned, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, qWatchSetCursor, chain, to.Height, to.Hash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: rewind watch %s to %d: %w", chain, height, err)
	}
	return int(orphaned), nil
}

// TaintedAddresses implements watch.Store.
func (s *Store) TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, qWatchTaintedAt, chain, height)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tainted addresses: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("sqlite: tainted addresses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
