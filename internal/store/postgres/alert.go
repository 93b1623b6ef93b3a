package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/alert"
)

var _ alert.Store = (*Store)(nil)

// defaultLimit applies the consumers' "0 = 100" rule to any non-positive limit.
func defaultLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return n
}

// RecordScreened remembers a screened subject; recording it again is a no-op
// that keeps the first FirstSeen.
func (s *Store) RecordScreened(ctx context.Context, kind, query string) error {
	if _, err := s.pool.Exec(ctx, qRecordScreened, kind, query, now()); err != nil {
		return fmt.Errorf("postgres: record screened %s: %w", kind, err)
	}
	return nil
}

// ScreenedSubjects lists every subject in the order first screened.
func (s *Store) ScreenedSubjects(ctx context.Context) ([]alert.Screened, error) {
	rows, err := s.pool.Query(ctx, qScreened)
	if err != nil {
		return nil, fmt.Errorf("postgres: screened subjects: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (alert.Screened, error) {
		var sc alert.Screened
		err := r.Scan(&sc.Kind, &sc.Query, &sc.FirstSeen)
		sc.FirstSeen = sc.FirstSeen.UTC()
		return sc, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: screened subjects: %w", err)
	}
	return out, nil
}

// AddAlerts stores alerts in one statement, in one transaction. IDs are always
// assigned by the database (a caller's ID is ignored); a zero CreatedAt is set
// to now.
//
// Identity values are handed out when rows are inserted, not when they commit,
// so two nodes adding alerts at once could commit ID 8 before ID 7; a client
// that had already read 8 and pages with AfterID=8 would never see 7. An
// advisory lock held to commit makes alerts commit in ID order.
func (s *Store) AddAlerts(ctx context.Context, alerts []alert.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	var (
		stamp                                   = now()
		created                                 = make([]time.Time, len(alerts))
		version, kind, query, entity, name, why = strs(len(alerts)), strs(len(alerts)), strs(len(alerts)), strs(len(alerts)), strs(len(alerts)), strs(len(alerts))
		score                                   = make([]float64, len(alerts))
	)
	for i, a := range alerts {
		created[i] = stamp
		if !a.CreatedAt.IsZero() {
			created[i] = ts(a.CreatedAt)
		}
		version[i], kind[i], query[i], entity[i], name[i], why[i] = a.ListVersion, a.Kind, a.Query, a.EntityID, a.Name, a.Reason
		score[i] = a.Score
	}
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockAlerts); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, qInsertAlerts, created, version, kind, query, entity, name, score, why)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: add %d alerts: %w", len(alerts), err)
	}
	return nil
}

func strs(n int) []string { return make([]string, n) }

// Alerts returns alerts with ID > f.AfterID in ascending ID order, at most
// f.Limit (0 = 100).
func (s *Store) Alerts(ctx context.Context, f alert.Filter) ([]alert.Alert, error) {
	rows, err := s.pool.Query(ctx, qAlerts, f.AfterID, defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: alerts after %d: %w", f.AfterID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (alert.Alert, error) {
		var a alert.Alert
		err := r.Scan(&a.ID, &a.CreatedAt, &a.ListVersion, &a.Kind, &a.Query, &a.EntityID, &a.Name, &a.Score, &a.Reason)
		a.CreatedAt = a.CreatedAt.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: alerts after %d: %w", f.AfterID, err)
	}
	return out, nil
}
