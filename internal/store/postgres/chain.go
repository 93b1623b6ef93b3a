package postgres

import (
	"context"
	"embed"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/index/bitcoin"
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

var (
	_ bitcoin.Store      = (*ChainStore)(nil)
	_ bitcoin.BlockTimer = (*ChainStore)(nil)
)

//go:embed chainmigrations/*.sql
var chainMigrationFiles embed.FS

// OpenChain connects to the database at url, checks it answers and applies
// pending chain-index migrations. A nil logger discards logs.
func OpenChain(ctx context.Context, url string, logger *slog.Logger) (*ChainStore, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("store", "postgres-chain")
	pool, target, err := openMigrated(ctx, url, chainMigrations, logger)
	if err != nil {
		return nil, err
	}
	return &ChainStore{pool: pool, logger: logger.With("target", target), target: target}, nil
}

// Close implements bitcoin.Store: it closes every connection, waiting for
// those in use to be released.
func (s *ChainStore) Close() error {
	s.pool.Close()
	return nil
}

var chainMigrations = migrationSet{"chain", chainMigrationFiles, "chainmigrations", lockChainMigrate,
	qCreateChainMigrations, qChainMigrationVersion, qInsertChainMigration, qDeleteChainMigration, qChainMigrationVersions}

// migrate applies pending chain migrations (see migrationSet.apply).
func (s *ChainStore) migrate(ctx context.Context) error {
	return chainMigrations.apply(ctx, s.pool, s.target, s.logger)
}

// migrateDown undoes chain migrations newer than target (tests only).
func (s *ChainStore) migrateDown(ctx context.Context, target int) error {
	return chainMigrations.undo(ctx, s.pool, s.target, target)
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
