package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/store/migrations"
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

var ethMigrations = migrationTable{lockEthMigrate, qCreateEthMigrations, qEthMigrationVersion, qInsertEthMigration}

// OpenEth connects to the database at url, checks it answers and applies
// pending Ethereum-index migrations. A nil logger discards logs.
func OpenEth(ctx context.Context, url string, logger *slog.Logger) (*EthStore, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, errors.New("postgres: open eth chain: invalid connection URL")
	}
	cc := cfg.ConnConfig
	target := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open eth chain %s: %w", target, err)
	}
	s := &EthStore{pool: pool, logger: logger.With("store", "postgres-eth", "target", target), target: target}
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

// Close implements eth.Store.
func (s *EthStore) Close() error {
	s.pool.Close()
	return nil
}

func loadEthMigrations() ([]migrations.Migration, error) {
	return migrations.Load(ethMigrationFiles, "ethmigrations")
}

func (s *EthStore) migrate(ctx context.Context) error {
	migs, err := loadEthMigrations()
	if err != nil {
		return fmt.Errorf("postgres: eth migrate: %w", err)
	}
	var applied []int
	err = withTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		applied, err = ethMigrations.up(ctx, tx, migs)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: eth migrate %s: %w", s.target, err)
	}
	if len(applied) > 0 {
		s.logger.Info("applied eth chain schema migrations", "versions", applied)
	}
	return nil
}

// migrateDown undoes applied migrations newer than target. Only tests call
// it, to prove the down scripts reverse the up scripts.
func (s *EthStore) migrateDown(ctx context.Context, target int) error {
	migs, err := loadEthMigrations()
	if err != nil {
		return err
	}
	return withTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockEthMigrate); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, qEthMigrationVersion).Scan(&current); err != nil {
			return err
		}
		for _, m := range migrations.Undo(migs, current, target) {
			if _, err := tx.Exec(ctx, m.Down); err != nil {
				return fmt.Errorf("undo %s: %w", m, err)
			}
			if _, err := tx.Exec(ctx, qDeleteEthMigration, m.Version); err != nil {
				return err
			}
		}
		return nil
	})
}
