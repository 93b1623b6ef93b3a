package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

var _ lists.Store = (*Store)(nil)

// SaveVersion stores v and its entity blob in one transaction. A zero LoadedAt
// is set to now. It returns an error wrapping lists.ErrExists if the ID or the
// (source, SHA256) pair is already stored.
func (s *Store) SaveVersion(ctx context.Context, v lists.Version, blob []byte) error {
	if v.LoadedAt.IsZero() {
		v.LoadedAt = now()
	}
	if blob == nil {
		blob = []byte{} // nil would bind as NULL
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qInsertVersion, v.ID, string(v.Source), toMicros(v.Published),
			v.SHA256, toMicros(v.LoadedAt), v.Entities, v.Addresses); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qInsertBlob, v.ID, blob)
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("sqlite: save list version %s (%s %s): %w", v.ID, v.Source, v.SHA256, lists.ErrExists)
	case err != nil:
		return fmt.Errorf("sqlite: save list version %s: %w", v.ID, err)
	}
	return nil
}

// Versions lists all versions, oldest loaded first.
func (s *Store) Versions(ctx context.Context) ([]lists.Version, error) {
	rows, err := s.reader.QueryContext(ctx, qVersions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list versions: %w", err)
	}
	defer rows.Close()
	var out []lists.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list versions: %w", err)
	}
	return out, nil
}

// Version returns one version; the error wraps lists.ErrNotFound if absent.
func (s *Store) Version(ctx context.Context, id string) (lists.Version, error) {
	v, err := scanVersion(s.stmts.version.QueryRowContext(ctx, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return lists.Version{}, fmt.Errorf("sqlite: list version %s: %w", id, lists.ErrNotFound)
	case err != nil:
		return lists.Version{}, fmt.Errorf("sqlite: list version %s: %w", id, err)
	}
	return v, nil
}

// VersionBlob returns the entity blob of a version; the error wraps
// lists.ErrNotFound if absent.
func (s *Store) VersionBlob(ctx context.Context, id string) ([]byte, error) {
	var blob []byte
	err := s.reader.QueryRowContext(ctx, qVersionBlob, id).Scan(&blob)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("sqlite: list version blob %s: %w", id, lists.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("sqlite: list version blob %s: %w", id, err)
	}
	if blob == nil {
		blob = []byte{}
	}
	return blob, nil
}

// scanner is satisfied by *sql.Row and *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanVersion(r scanner) (lists.Version, error) {
	var (
		v                   lists.Version
		source              string
		published, loadedAt int64
	)
	if err := r.Scan(&v.ID, &source, &published, &v.SHA256, &loadedAt, &v.Entities, &v.Addresses); err != nil {
		return lists.Version{}, err
	}
	v.Source = sanctions.Source(source)
	v.Published = fromMicros(published)
	v.LoadedAt = fromMicros(loadedAt)
	return v, nil
}
