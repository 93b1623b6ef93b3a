package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/interdict/interdict/internal/action/alert"
)

// RecordScreenedBatch records many subjects in one transaction (one fsync), with
// RecordScreened's semantics for each: repeats keep their first time.
func (s *Store) RecordScreenedBatch(ctx context.Context, subjects []alert.Screened) error {
	if len(subjects) == 0 {
		return nil
	}
	at := toMicros(now())
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		stmt := tx.StmtContext(ctx, s.stmts.recordScreened)
		defer stmt.Close()
		for _, sc := range subjects {
			if _, err := stmt.ExecContext(ctx, sc.Kind, sc.Query, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: record %d screened subjects: %w", len(subjects), err)
	}
	return nil
}
