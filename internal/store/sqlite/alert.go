package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
	if _, err := s.stmts.recordScreened.ExecContext(ctx, kind, query, toMicros(now())); err != nil {
		return fmt.Errorf("sqlite: record screened %s: %w", kind, err)
	}
	return nil
}

// ScreenedSubjects lists every subject in the order first screened.
func (s *Store) ScreenedSubjects(ctx context.Context) ([]alert.Screened, error) {
	rows, err := s.reader.QueryContext(ctx, qScreened)
	if err != nil {
		return nil, fmt.Errorf("sqlite: screened subjects: %w", err)
	}
	defer rows.Close()
	var out []alert.Screened
	for rows.Next() {
		var (
			sc        alert.Screened
			firstSeen int64
		)
		if err := rows.Scan(&sc.Kind, &sc.Query, &firstSeen); err != nil {
			return nil, fmt.Errorf("sqlite: screened subjects: %w", err)
		}
		sc.FirstSeen = fromMicros(firstSeen)
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: screened subjects: %w", err)
	}
	return out, nil
}

// AddAlerts stores alerts in one transaction. IDs are always assigned by the
// database (a caller's ID is ignored); a zero CreatedAt is set to now.
func (s *Store) AddAlerts(ctx context.Context, alerts []alert.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	ts := now()
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, qInsertAlert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, a := range alerts {
			created := a.CreatedAt
			if created.IsZero() {
				created = ts
			}
			if _, err := stmt.ExecContext(ctx, toMicros(created), a.ListVersion, a.Kind, a.Query,
				a.EntityID, a.Name, a.Score, a.Reason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: add %d alerts: %w", len(alerts), err)
	}
	return nil
}

// Alerts returns alerts with ID > f.AfterID in ascending ID order, at most
// f.Limit (0 = 100).
func (s *Store) Alerts(ctx context.Context, f alert.Filter) ([]alert.Alert, error) {
	rows, err := s.stmts.alerts.QueryContext(ctx, f.AfterID, defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: alerts after %d: %w", f.AfterID, err)
	}
	defer rows.Close()
	var out []alert.Alert
	for rows.Next() {
		var (
			a       alert.Alert
			created int64
		)
		if err := rows.Scan(&a.ID, &created, &a.ListVersion, &a.Kind, &a.Query, &a.EntityID,
			&a.Name, &a.Score, &a.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: alerts after %d: %w", f.AfterID, err)
		}
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: alerts after %d: %w", f.AfterID, err)
	}
	return out, nil
}
