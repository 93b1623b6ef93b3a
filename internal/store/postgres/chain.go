package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/migrations"
)

// ChainStore is the Bitcoin chain index (bitcoin.Store) in PostgreSQL: one
// table per key space of the canonical schema, so analysts can query blocks,
// transactions, outputs, spends and address history in SQL while the digest
// stays the one every backend computes. It is a separate store from Store
// (its own URL, --chain, and its own migration set and version table): the
// chain index is big and rebuildable, the state store small and precious.
//
// Several processes may share one database: every Commit takes a
// transaction-scoped advisory lock and checks that its changes extend the
// committed tip, so a second ingester gets bitcoin.ErrNotTip instead of
// corrupting the index. Readers never wait for the lock.
type ChainStore struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	target string
}

var _ bitcoin.Store = (*ChainStore)(nil)

//go:embed chainmigrations/*.sql
var chainMigrationFiles embed.FS

// OpenChain connects to the database at url, checks it answers and applies
// pending chain-index migrations. A nil logger discards logs.
func OpenChain(ctx context.Context, url string, logger *slog.Logger) (*ChainStore, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, errors.New("postgres: open chain: invalid connection URL")
	}
	cc := cfg.ConnConfig
	target := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open chain %s: %w", target, err)
	}
	s := &ChainStore{pool: pool, logger: logger.With("store", "postgres-chain", "target", target), target: target}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping %s: %w", target, err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close implements bitcoin.Store: it closes every connection, waiting for
// those in use to be released.
func (s *ChainStore) Close() error {
	s.pool.Close()
	return nil
}

func loadChainMigrations() ([]migrations.Migration, error) {
	return migrations.Load(chainMigrationFiles, "chainmigrations")
}

// migrate applies pending chain migrations under an advisory lock of their
// own, so ingesters starting at once apply each exactly once.
func (s *ChainStore) migrate(ctx context.Context) error {
	migs, err := loadChainMigrations()
	if err != nil {
		return fmt.Errorf("postgres: chain migrate: %w", err)
	}
	var applied []int
	err = withTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		applied, err = chainMigrations.up(ctx, tx, migs)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: chain migrate %s: %w", s.target, err)
	}
	if len(applied) > 0 {
		s.logger.Info("applied chain schema migrations", "versions", applied)
	}
	return nil
}

var chainMigrations = migrationTable{lockChainMigrate, qCreateChainMigrations, qChainMigrationVersion, qInsertChainMigration}

// migrateDown undoes applied chain migrations newer than target. Only tests
// call it, to prove the down scripts reverse the up scripts.
func (s *ChainStore) migrateDown(ctx context.Context, target int) error {
	migs, err := loadChainMigrations()
	if err != nil {
		return err
	}
	return withTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockChainMigrate); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, qChainMigrationVersion).Scan(&current); err != nil {
			return err
		}
		for _, m := range migrations.Undo(migs, current, target) {
			if _, err := tx.Exec(ctx, m.Down); err != nil {
				return fmt.Errorf("undo %s: %w", m, err)
			}
			if _, err := tx.Exec(ctx, qDeleteChainMigration, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
}

// withTx runs fn in a transaction of pool and commits it, or rolls it back if
// fn or the commit fails.
func withTx(ctx context.Context, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		// The rollback must run even when ctx is what failed.
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return tx.Commit(ctx)
}
