package postgres

import (
	"context"
	"embed"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	eth "github.com/interdict/interdict/internal/index/ethereum"
)

// EthStore is the Ethereum chain index (eth.Store) in PostgreSQL: eth_*
// tables, one per kind of record, with the transfers' address history and
// balance flows served by indexes on eth_transfers, so analysts can query
// transfers in SQL while the digest stays the one every backend computes. It
// has its own migration set and version table (eth_schema_migrations).
//
// Every Commit takes a transaction-scoped advisory lock and checks that its
// changes extend the committed tip, so a second ingester gets eth.ErrNotTip
// instead of corrupting the index. Readers never wait for the lock.
type EthStore struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	target string
}

var _ eth.Store = (*EthStore)(nil)

//go:embed ethmigrations/*.sql
var ethMigrationFiles embed.FS

var ethMigrations = migrationSet{"eth chain", ethMigrationFiles, "ethmigrations", lockEthMigrate,
	qCreateEthMigrations, qEthMigrationVersion, qInsertEthMigration, qDeleteEthMigration, qEthMigrationVersions}

// OpenEth connects to the database at url, checks it answers and applies
// pending Ethereum-index migrations. A nil logger discards logs.
func OpenEth(ctx context.Context, url string, logger *slog.Logger) (*EthStore, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("store", "postgres-eth")
	pool, target, err := openMigrated(ctx, url, ethMigrations, logger)
	if err != nil {
		return nil, err
	}
	return &EthStore{pool: pool, logger: logger.With("target", target), target: target}, nil
}

// Close implements eth.Store.
func (s *EthStore) Close() error {
	s.pool.Close()
	return nil
}

// migrate applies pending Ethereum-index migrations (see migrationSet.apply).
func (s *EthStore) migrate(ctx context.Context) error {
	return ethMigrations.apply(ctx, s.pool, s.target, s.logger)
}

// migrateDown undoes Ethereum-index migrations newer than target (tests only).
func (s *EthStore) migrateDown(ctx context.Context, target int) error {
	return ethMigrations.undo(ctx, s.pool, s.target, target)
}
