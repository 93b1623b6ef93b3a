package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/interdict/interdict/internal/store/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// loadMigrations reads the embedded scripts, ordered by version.
func loadMigrations() ([]migrations.Migration, error) {
	return migrations.Load(migrationFiles, "migrations")
}

// migrate applies every pending up migration in one write transaction. BEGIN
// IMMEDIATE takes the database's write lock first, so two processes opening the
// same file at once apply each migration exactly once.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var applied []int
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qCreateMigrations); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		done, err := appliedVersions(ctx, tx)
		if err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		pending, err := migrations.Missing(migs, done)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.ExecContext(ctx, m.Up); err != nil {
				return fmt.Errorf("apply %s: %w", m, err)
			}
			if _, err := tx.ExecContext(ctx, qInsertMigration, m.Version, m.Name, toMicros(now())); err != nil {
				return err
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	if len(applied) > 0 {
		s.logger.Info("applied schema migrations", "path", s.path, "versions", applied)
	}
	return nil
}

// migrateDown undoes applied migrations newer than target, newest first. Only
// tests call it, to prove every down script reverses its up script.
func (s *Store) migrateDown(ctx context.Context, target int) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate down: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var current int
		if err := tx.QueryRowContext(ctx, qMigrationVersion).Scan(&current); err != nil {
			return err
		}
		for _, m := range migrations.Undo(migs, current, target) {
			if _, err := tx.ExecContext(ctx, m.Down); err != nil {
				return fmt.Errorf("undo %s: %w", m, err)
			}
			if _, err := tx.ExecContext(ctx, qDeleteMigration, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate down %s: %w", s.path, err)
	}
	return nil
}

// appliedVersions lists the versions recorded in schema_migrations.
func appliedVersions(ctx context.Context, tx *sql.Tx) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
