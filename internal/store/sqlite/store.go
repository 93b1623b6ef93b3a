// Package sqlite is the embedded state store: list versions, screened subjects,
// alerts, API keys and the audit log in one SQLite file (modernc.org/sqlite, pure
// Go, WAL mode). It implements lists.Store, alert.Store and auth.Store.
//
// SQLite allows one writer at a time. Instead of letting goroutines race for the
// write lock and fail with SQLITE_BUSY, every write goes through a pool of exactly
// one connection, so database/sql queues writers in process; reads use a separate
// pool and run concurrently under WAL. busy_timeout covers the remaining case of
// another process (a CLI next to a running server) holding the lock.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a connection waits for another process's write lock.
const busyTimeout = 10 * time.Second

// Store is the SQLite state store. It is safe for concurrent use.
type Store struct {
	writer *sql.DB // exactly one connection: serialises writers
	reader *sql.DB // query_only connections for concurrent reads
	stmts  stmts
	logger *slog.Logger
	path   string
}

// stmts are the statements on hot paths (every API request authenticates and
// most are audited), prepared once: preparing costs as much as running them.
type stmts struct {
	keyByHash, version, alerts  *sql.Stmt // on reader
	insertAudit, recordScreened *sql.Stmt // on writer
}

func (s *Store) prepare(ctx context.Context) error {
	for _, p := range []struct {
		dst *(*sql.Stmt)
		db  *sql.DB
		sql string
	}{
		{&s.stmts.keyByHash, s.reader, qKeyByHash},
		{&s.stmts.version, s.reader, qVersion},
		{&s.stmts.alerts, s.reader, qAlerts},
		{&s.stmts.insertAudit, s.writer, qInsertAudit},
		{&s.stmts.recordScreened, s.writer, qRecordScreened},
	} {
		st, err := p.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("sqlite: prepare: %w", err)
		}
		*p.dst = st
	}
	return nil
}

// Open opens (creating if needed) the database file at path, creates its parent
// directory, and applies pending migrations. A nil logger discards logs.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	writer, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	// Keep the one connection for good: reopening it costs pragmas and the
	// schema parse.
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)

	s := &Store{writer: writer, logger: logger.With("store", "sqlite"), path: abs}
	// The writer connection must exist before readers open the file: it turns
	// on WAL, which query_only connections cannot do.
	if err := s.migrateRetry(ctx); err != nil {
		writer.Close()
		return nil, err
	}

	reader, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	s.reader = reader
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// dsn builds the modernc.org/sqlite data source name. The path is written as a
// file: URI so characters such as '?' or '#' in it stay part of the name.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		// WAL is a property of the file, set once by the writer.
		q.Set("_journal_mode", "WAL")
		// FULL: the audit log and key revocations must survive a power cut.
		q.Set("_synchronous", "FULL")
		// Take the write lock at BEGIN, so a transaction never fails halfway
		// when it upgrades from read to write.
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	// url.URL renders "file:///abs"; SQLite accepts it, but "file:/abs" is the
	// documented local form.
	return "file:" + u.EscapedPath() + "?" + u.RawQuery
}

// Close closes both connection pools.
func (s *Store) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.stmts.keyByHash, s.stmts.version, s.stmts.alerts, s.stmts.insertAudit, s.stmts.recordScreened} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// Ping checks that the database answers on both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping %s: %w", s.path, err)
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping %s: %w", s.path, err)
	}
	return nil
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it, or
// rolls it back if fn or the commit fails.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// migrateRetry migrates, retrying while the file is busy. Processes that open
// a new file at the same moment race to switch it to WAL, and SQLite answers
// the losers SQLITE_BUSY at once, without waiting out busy_timeout; once the
// file is in WAL mode that no longer happens.
func (s *Store) migrateRetry(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := s.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		s.logger.Debug("database busy at open; retrying", "path", s.path, "wait", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("sqlite: migrate %s: %w", s.path, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// isBusy reports whether err is SQLITE_BUSY, with any extended code.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// now is the time assigned to records written with a zero time.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// toMicros converts a time to the stored form: microseconds since the epoch.
func toMicros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
