// Package postgres is the shared state store: list versions, screened subjects,
// alerts, API keys and the audit log in PostgreSQL (pgx/v5), so that several API
// nodes can serve from one database. It implements lists.Store, alert.Store and
// auth.Store, with the same schema and behaviour as the embedded sqlite store.
//
// Tables are created unqualified, in the first schema of the connection's
// search_path; a URL parameter such as ?search_path=interdict picks another.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostgreSQL state store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	target string // host:port/database, for messages; never the password
}

// Open connects to the database at url (postgres://user@host:port/db?...),
// checks it answers and applies pending migrations. A nil logger discards logs.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("store", "postgres")
	pool, target, err := openMigrated(ctx, url, stateMigrations, logger)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, logger: logger.With("target", target), target: target}, nil
}

// Close closes every connection, waiting for those in use to be released.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping %s: %w", s.target, err)
	}
	return nil
}

// withTx runs fn in a transaction and commits it, or rolls it back if fn or
// the commit fails.
func (s *Store) withTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
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

// isUnique reports whether err is a unique_violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// now is the time assigned to records written with a zero time.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ts normalises a time to what timestamptz stores: UTC, whole microseconds.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
