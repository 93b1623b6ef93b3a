package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/alert"
)

// RecordScreenedBatch records many subjects in one transaction, with
// RecordScreened's semantics for each: repeats keep their first time.
func (s *Store) RecordScreenedBatch(ctx context.Context, subjects []alert.Screened) error {
	if len(subjects) == 0 {
		return nil
	}
	at := now()
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, sc := range subjects {
			b.Queue(qRecordScreened, sc.Kind, sc.Query, at)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: record %d screened subjects: %w", len(subjects), err)
	}
	return nil
}
