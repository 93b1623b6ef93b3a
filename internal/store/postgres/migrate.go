package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/store/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationSet is one set of embedded migrations with its own advisory lock
// and version table: the state store, the Bitcoin chain index and the
// Ethereum chain index each keep theirs, so each can live in its own
// database or share one.
type migrationSet struct {
	name                            string // in errors and logs: "state", "chain", "eth chain"
	files                           embed.FS
	dir                             string
	lock                            int64
	create, version, insert, delete string
	versions                        string // every applied version, ascending
}

var stateMigrations = migrationSet{"state", migrationFiles, "migrations", lockMigrate,
	qCreateMigrations, qMigrationVersion, qInsertMigration, qDeleteMigration, qMigrationVersions}

// load reads the set's scripts, ordered by version.
func (ms migrationSet) load() ([]migrations.Migration, error) {
	return migrations.Load(ms.files, ms.dir)
}

// apply applies every pending up migration in one transaction that first
// takes the set's advisory lock, so nodes starting at once against one
// database apply each migration exactly once: the others wait, then find
// nothing to do.
func (ms migrationSet) apply(ctx context.Context, pool *pgxpool.Pool, target string, log *slog.Logger) error {
	migs, err := ms.load()
	if err != nil {
		return fmt.Errorf("postgres: %s migrate: %w", ms.name, err)
	}
	var applied []int
	err = withTx(ctx, pool, func(tx pgx.Tx) (err error) {
		applied, err = ms.up(ctx, tx, migs)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: %s migrate %s: %w", ms.name, target, err)
	}
	if len(applied) > 0 {
		log.Info("applied "+ms.name+" schema migrations", "versions", applied)
	}
	return nil
}

// undo undoes applied migrations newer than to, newest first. Only tests
// call it, to prove every down script reverses its up script.
func (ms migrationSet) undo(ctx context.Context, pool *pgxpool.Pool, target string, to int) error {
	migs, err := ms.load()
	if err != nil {
		return fmt.Errorf("postgres: %s migrate down: %w", ms.name, err)
	}
	err = withTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, ms.lock); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, ms.version).Scan(&current); err != nil {
			return err
		}
		for _, m := range migrations.Undo(migs, current, to) {
			if _, err := tx.Exec(ctx, m.Down); err != nil {
				return fmt.Errorf("undo %s: %w", m, err)
			}
			if _, err := tx.Exec(ctx, ms.delete, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: %s migrate down %s: %w", ms.name, target, err)
	}
	return nil
}

// openMigrated connects to the database at url, checks that it answers and
// applies the set's pending migrations. target (host:port/database) names
// the database in errors and logs without the URL's password.
func openMigrated(ctx context.Context, url string, ms migrationSet, log *slog.Logger) (pool *pgxpool.Pool, target string, err error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, "", fmt.Errorf("postgres: open %s store: %w", ms.name, errors.New("invalid connection URL"))
	}
	cc := cfg.ConnConfig
	target = fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: open %s store %s: %w", ms.name, target, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, "", fmt.Errorf("postgres: ping %s: %w", target, err)
	}
	if err := ms.apply(ctx, pool, target, log); err != nil {
		pool.Close()
		return nil, "", err
	}
	return pool, target, nil
}

// loadMigrations reads the state store's scripts, ordered by version.
func loadMigrations() ([]migrations.Migration, error) { return stateMigrations.load() }

// migrate applies the state store's pending migrations (see apply).
func (s *Store) migrate(ctx context.Context) error {
	return stateMigrations.apply(ctx, s.pool, s.target, s.logger)
}

// migrateDown undoes the state store's migrations newer than target.
func (s *Store) migrateDown(ctx context.Context, target int) error {
	return stateMigrations.undo(ctx, s.pool, s.target, target)
}

// up applies the pending migrations of migs inside tx, under the set's
// advisory lock, and returns the versions applied.
func (ms migrationSet) up(ctx context.Context, tx pgx.Tx, migs []migrations.Migration) ([]int, error) {
	if _, err := tx.Exec(ctx, qAdvisoryXactLock, ms.lock); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, ms.create); err != nil {
		return nil, err
	}
	// Every version recorded, so a gap (a lower-numbered migration merged
	// after a higher one) is applied too.
	rows, err := tx.Query(ctx, ms.versions)
	if err != nil {
		return nil, err
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, err
	}
	pending, err := migrations.Missing(migs, done)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range pending {
		if _, err := tx.Exec(ctx, m.Up); err != nil {
			return nil, fmt.Errorf("apply %s: %w", m, err)
		}
		if _, err := tx.Exec(ctx, ms.insert, m.Version, m.Name, now()); err != nil {
			return nil, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}
