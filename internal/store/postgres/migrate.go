package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/store/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// loadMigrations reads the embedded scripts, ordered by version.
func loadMigrations() ([]migrations.Migration, error) {
	return migrations.Load(migrationFiles, "migrations")
}

// migrate applies every pending up migration in one transaction that first
// takes an advisory lock, so API nodes starting at once against one database
// apply each migration exactly once: the others wait, then find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	var applied []int
	err = s.withTx(ctx, func(tx pgx.Tx) (err error) {
		applied, err = stateMigrations.up(ctx, tx, migs)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", s.target, err)
	}
	if len(applied) > 0 {
		s.logger.Info("applied schema migrations", "versions", applied)
	}
	return nil
}

// migrateDown undoes applied migrations newer than target, newest first. Only
// tests call it, to prove every down script reverses its up script.
func (s *Store) migrateDown(ctx context.Context, target int) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("postgres: migrate down: %w", err)
	}
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockMigrate); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, qMigrationVersion).Scan(&current); err != nil {
			return err
		}
		for _, m := range migrations.Undo(migs, current, target) {
			if _, err := tx.Exec(ctx, m.Down); err != nil {
				return fmt.Errorf("undo %s: %w", m, err)
			}
			if _, err := tx.Exec(ctx, qDeleteMigration, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate down %s: %w", s.target, err)
	}
	return nil
}

// migrationTable names one migration set's lock and version-table queries:
// the state store and the chain store each keep their own.
type migrationTable struct {
	lock                    int64
	create, version, insert string
}

var stateMigrations = migrationTable{lockMigrate, qCreateMigrations, qMigrationVersion, qInsertMigration}

// up applies the pending migrations of migs inside tx, under the set's
// advisory lock, and returns the versions applied.
func (mt migrationTable) up(ctx context.Context, tx pgx.Tx, migs []migrations.Migration) ([]int, error) {
	if _, err := tx.Exec(ctx, qAdvisoryXactLock, mt.lock); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, mt.create); err != nil {
		return nil, err
	}
	var current int
	if err := tx.QueryRow(ctx, mt.version).Scan(&current); err != nil {
		return nil, err
	}
	pending, err := migrations.Pending(migs, current)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range pending {
		if _, err := tx.Exec(ctx, m.Up); err != nil {
			return nil, fmt.Errorf("apply %s: %w", m, err)
		}
		if _, err := tx.Exec(ctx, mt.insert, m.Version, m.Name, now()); err != nil {
			return nil, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}
