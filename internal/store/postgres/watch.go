package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

// Watchlists and the alert engine (watch.Store), as in the sqlite package:
// migrations/0009_watch.up.sql.

const (
	qWatchAdd = `INSERT INTO watch_addresses (chain, address, hashed, kind, label, added) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (chain, address) DO UPDATE SET kind = excluded.kind, label = excluded.label
		RETURNING (xmax = 0)`
	qWatchRemove   = `DELETE FROM watch_addresses WHERE chain = $1 AND address = $2`
	qWatchList     = `SELECT chain, address, hashed, kind, label, added FROM watch_addresses WHERE ($1 = '' OR chain = $1) ORDER BY chain, address`
	qWatchSettings = `SELECT model, max_hops, min_amount, stop_categories, min_confidence FROM watch_settings WHERE id = 1`
	qWatchSetSet   = `INSERT INTO watch_settings (id, model, max_hops, min_amount, stop_categories, min_confidence) VALUES (1, $1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET model = excluded.model, max_hops = excluded.max_hops, min_amount = excluded.min_amount,
		stop_categories = excluded.stop_categories, min_confidence = excluded.min_confidence`
	qWatchListBump    = `UPDATE watch_list_version SET version = version + 1 WHERE id = 1`
	qWatchListVersion = `SELECT version FROM watch_list_version WHERE id = 1`
	qWatchCursor      = `SELECT height, hash FROM watch_cursors WHERE chain = $1`
	qWatchSetCursor   = `INSERT INTO watch_cursors (chain, height, hash) VALUES ($1, $2, $3)
		ON CONFLICT (chain) DO UPDATE SET height = excluded.height, hash = excluded.hash`
	qWatchPutBlock = `INSERT INTO watch_blocks (chain, height, hash) VALUES ($1, $2, $3)
		ON CONFLICT (chain, height) DO UPDATE SET hash = excluded.hash`
	qWatchBlocks   = `SELECT height, hash FROM watch_blocks WHERE chain = $1 AND height >= $2 ORDER BY height`
	qWatchLive     = `SELECT flag, ref, height, address, asset, value, taint, hop, path FROM watch_taint WHERE chain = $1 AND spent IS NULL`
	qWatchEvalList = `SELECT flag FROM watch_evaluated WHERE chain = $1`
	qWatchSpend    = `UPDATE watch_taint SET spent = $1 WHERE chain = $2 AND flag = $3 AND ref = $4 AND spent IS NULL`
	qWatchPut      = `INSERT INTO watch_taint (chain, flag, ref, height, address, asset, value, taint, hop, path, spent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)
		ON CONFLICT (chain, flag, ref, height) DO UPDATE SET address = excluded.address, asset = excluded.asset,
		value = excluded.value, taint = excluded.taint, hop = excluded.hop, path = excluded.path, spent = NULL`
	qWatchAlertPut = `INSERT INTO watch_alerts (id, status, chain, address, kind, label, asset, amount, flag_id, incident, actor,
		reason, tx, vout, height, block, hop, path, model, retro, orphaned, created, updated)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, FALSE, $21, $22)
		ON CONFLICT (id) DO UPDATE SET orphaned = FALSE, height = excluded.height, block = excluded.block, updated = excluded.updated
		WHERE watch_alerts.orphaned`
	qWatchTainted   = `INSERT INTO watch_tainted (chain, height, address) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	qWatchEvaluate  = `INSERT INTO watch_evaluated (chain, flag, height) VALUES ($1, $2, $3) ON CONFLICT (chain, flag) DO UPDATE SET height = excluded.height`
	qWatchPrune     = `DELETE FROM watch_taint WHERE chain = $1 AND spent IS NOT NULL AND spent < $2`
	qWatchPruneBlks = `DELETE FROM watch_blocks WHERE chain = $1 AND height < $2`

	qWatchRewindDel    = `DELETE FROM watch_taint WHERE chain = $1 AND height > $2`
	qWatchRewindUnspnd = `UPDATE watch_taint SET spent = NULL WHERE chain = $1 AND spent > $2`
	qWatchRewindAlerts = `UPDATE watch_alerts SET orphaned = TRUE, updated = $1 WHERE chain = $2 AND height > $3 AND NOT orphaned`
	qWatchRewindTaintd = `DELETE FROM watch_tainted WHERE chain = $1 AND height > $2`
	qWatchRewindBlocks = `DELETE FROM watch_blocks WHERE chain = $1 AND height > $2`
	qWatchRewindEval   = `DELETE FROM watch_evaluated WHERE chain = $1 AND height > $2`
	qWatchTaintedAt    = `SELECT address FROM watch_tainted WHERE chain = $1 AND height = $2 ORDER BY address`
)

// AddWatch implements watch.Store.
func (s *Store) AddWatch(ctx context.Context, entries []watch.Entry) (int, error) {
	added := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for _, e := range entries {
			at := e.Added
			if at.IsZero() {
				at = now()
			}
			var fresh bool
			if err := tx.QueryRow(ctx, qWatchAdd, e.Chain, e.Address, e.Hashed, string(e.Kind), e.Label, ts(at)).Scan(&fresh); err != nil {
				return err
			}
			if fresh {
				added++
			}
		}
		_, err := tx.Exec(ctx, qWatchListBump)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: add watch: %w", err)
	}
	return added, nil
}

// RemoveWatch implements watch.Store.
func (s *Store) RemoveWatch(ctx context.Context, chain, address string) error {
	var n int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, qWatchRemove, chain, address)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, qWatchListBump)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: remove watch: %w", err)
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
	if err := s.pool.QueryRow(ctx, qWatchListVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: watchlist version: %w", err)
	}
	return v, nil
}

// Watchlist implements watch.Store.
func (s *Store) Watchlist(ctx context.Context, chain string) ([]watch.Entry, error) {
	rows, err := s.pool.Query(ctx, qWatchList, chain)
	if err != nil {
		return nil, fmt.Errorf("postgres: watchlist: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (watch.Entry, error) {
		var (
			e    watch.Entry
			kind string
		)
		err := r.Scan(&e.Chain, &e.Address, &e.Hashed, &kind, &e.Label, &e.Added)
		e.Kind, e.Added = watch.Kind(kind), e.Added.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: watchlist: %w", err)
	}
	if out == nil {
		out = []watch.Entry{}
	}
	return out, nil
}

// WatchSettings implements watch.Store.
func (s *Store) WatchSettings(ctx context.Context) (watch.Settings, error) {
	var (
		st                 watch.Settings
		model, minS, stops string
	)
	err := s.pool.QueryRow(ctx, qWatchSettings).Scan(&model, &st.MaxHops, &minS, &stops, &st.MinConfidence)
	if errors.Is(err, pgx.ErrNoRows) {
		return watch.DefaultSettings(), nil
	}
	if err != nil {
		return st, fmt.Errorf("postgres: watch settings: %w", err)
	}
	st.Model, st.StopCategories = trace.Model(model), watch.DecodeStops(stops)
	var ok bool
	if st.MinAmount, ok = new(big.Int).SetString(minS, 10); !ok {
		return st, fmt.Errorf("postgres: watch settings: min amount %q", minS)
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
	if _, err := s.pool.Exec(ctx, qWatchSetSet, string(st.Model), st.MaxHops, minA, watch.EncodeStops(st.StopCategories), st.MinConfidence); err != nil {
		return fmt.Errorf("postgres: set watch settings: %w", err)
	}
	return nil
}

// WatchCursor implements watch.Store.
func (s *Store) WatchCursor(ctx context.Context, chain string) (watch.Cursor, error) {
	var c watch.Cursor
	err := s.pool.QueryRow(ctx, qWatchCursor, chain).Scan(&c.Height, &c.Hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("watch cursor %s: %w", chain, watch.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("postgres: watch cursor: %w", err)
	}
	return c, nil
}

// WatchBlocks implements watch.Store.
func (s *Store) WatchBlocks(ctx context.Context, chain string, from int64) ([]watch.Cursor, error) {
	rows, err := s.pool.Query(ctx, qWatchBlocks, chain, from)
	if err != nil {
		return nil, fmt.Errorf("postgres: watch blocks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (watch.Cursor, error) {
		var c watch.Cursor
		return c, r.Scan(&c.Height, &c.Hash)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: watch blocks: %w", err)
	}
	return out, nil
}

// LiveTaint implements watch.Store.
func (s *Store) LiveTaint(ctx context.Context, chain string) ([]watch.TaintRow, error) {
	rows, err := s.pool.Query(ctx, qWatchLive, chain)
	if err != nil {
		return nil, fmt.Errorf("postgres: live taint: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (watch.TaintRow, error) {
		row := watch.TaintRow{Chain: chain}
		var value, taint, path string
		if err := r.Scan(&row.Flag, &row.Ref, &row.Height, &row.Address, &row.Asset, &value, &taint, &row.Hop, &path); err != nil {
			return row, err
		}
		return row, watch.DecodeRow(&row, value, taint, path)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: live taint: %w", err)
	}
	return out, nil
}

// EvaluatedFlags implements watch.Store.
func (s *Store) EvaluatedFlags(ctx context.Context, chain string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, qWatchEvalList, chain)
	if err != nil {
		return nil, fmt.Errorf("postgres: evaluated flags: %w", err)
	}
	flags, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: evaluated flags: %w", err)
	}
	out := make(map[string]bool, len(flags))
	for _, f := range flags {
		out[f] = true
	}
	return out, nil
}

// CommitWatchBlock implements watch.Store: spends, then puts, alerts,
// tainted addresses, evaluations, the cursor and pruning, in one
// transaction sent as one batch.
func (s *Store) CommitWatchBlock(ctx context.Context, c watch.BlockCommit) error {
	at := now()
	h := c.Cursor.Height
	b := &pgx.Batch{}
	for _, k := range c.Spend {
		b.Queue(qWatchSpend, h, c.Chain, k.Flag, k.Ref)
	}
	for _, r := range c.Put {
		b.Queue(qWatchPut, c.Chain, r.Flag, r.Ref, r.Height, r.Address, r.Asset, r.Value.String(),
			watch.EncodeTaint(r.Taint), r.Hop, watch.EncodePath(r.Path))
	}
	for _, a := range c.Alerts {
		b.Queue(qWatchAlertPut, a.ID, string(a.Status), a.Chain, a.Address, string(a.Kind), a.Label, a.Asset,
			amountString(a.Amount), a.FlagID, a.Incident, a.Actor, a.Reason, a.Tx, a.Vout, a.Height, a.Block, a.Hop,
			watch.EncodePath(a.Path), string(a.Model), a.Retro, at, at)
	}
	for _, ad := range c.Tainted {
		b.Queue(qWatchTainted, c.Chain, h, ad)
	}
	for _, f := range c.Evaluated {
		b.Queue(qWatchEvaluate, c.Chain, f, h)
	}
	b.Queue(qWatchSetCursor, c.Chain, h, c.Cursor.Hash)
	b.Queue(qWatchPutBlock, c.Chain, h, c.Cursor.Hash)
	if c.PruneBelow > 0 {
		b.Queue(qWatchPrune, c.Chain, c.PruneBelow)
		b.Queue(qWatchPruneBlks, c.Chain, c.PruneBelow)
	}
	// The block's alerts are queued for delivery in the commit that stores
	// them: none is stored without being published.
	pub, err := publishedAlerts(c.Alerts, at)
	if err != nil {
		return fmt.Errorf("postgres: commit watch block %s %d: %w", c.Chain, h, err)
	}
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		_, err := publishTx(ctx, tx, pub)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: commit watch block %s %d: %w", c.Chain, h, err)
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
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for _, q := range []string{qWatchRewindDel, qWatchRewindUnspnd, qWatchRewindTaintd, qWatchRewindBlocks, qWatchRewindEval} {
			if _, err := tx.Exec(ctx, q, chain, height); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, qWatchRewindAlerts, now(), chain, height)
		if err != nil {
			return err
		}
		orphaned = tag.RowsAffected()
		_, err = tx.Exec(ctx, qWatchSetCursor, chain, to.Height, to.Hash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: rewind watch %s to %d: %w", chain, height, err)
	}
	return int(orphaned), nil
}

// TaintedAddresses implements watch.Store.
func (s *Store) TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, qWatchTaintedAt, chain, height)
	if err != nil {
		return nil, fmt.Errorf("postgres: tainted addresses: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: tainted addresses: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}
