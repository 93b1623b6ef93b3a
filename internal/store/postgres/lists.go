package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qInsertVersion, v.ID, string(v.Source), ts(v.Published), v.SHA256,
			ts(v.LoadedAt), v.Entities, v.Addresses); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, qInsertBlob, v.ID, blob)
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("postgres: save list version %s (%s %s): %w", v.ID, v.Source, v.SHA256, lists.ErrExists)
	case err != nil:
		return fmt.Errorf("postgres: save list version %s: %w", v.ID, err)
	}
	return nil
}

// Versions lists all versions, oldest loaded first.
func (s *Store) Versions(ctx context.Context) ([]lists.Version, error) {
	rows, err := s.pool.Query(ctx, qVersions)
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lists.Version, error) { return scanVersion(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions: %w", err)
	}
	return out, nil
}

// Version returns one version; the error wraps lists.ErrNotFound if absent.
func (s *Store) Version(ctx context.Context, id string) (lists.Version, error) {
	v, err := scanVersion(s.pool.QueryRow(ctx, qVersion, id))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return lists.Version{}, fmt.Errorf("postgres: list version %s: %w", id, lists.ErrNotFound)
	case err != nil:
		return lists.Version{}, fmt.Errorf("postgres: list version %s: %w", id, err)
	}
	return v, nil
}

// VersionBlob returns the entity blob of a version; the error wraps
// lists.ErrNotFound if absent.
func (s *Store) VersionBlob(ctx context.Context, id string) ([]byte, error) {
	var blob []byte
	err := s.pool.QueryRow(ctx, qVersionBlob, id).Scan(&blob)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("postgres: list version blob %s: %w", id, lists.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("postgres: list version blob %s: %w", id, err)
	}
	if blob == nil {
		blob = []byte{}
	}
	return blob, nil
}

func scanVersion(r pgx.Row) (lists.Version, error) {
	var (
		v      lists.Version
		source string
	)
	if err := r.Scan(&v.ID, &source, &v.Published, &v.SHA256, &v.LoadedAt, &v.Entities, &v.Addresses); err != nil {
		return lists.Version{}, err
	}
	v.Source = sanctions.Source(source)
	v.Published = v.Published.UTC()
	v.LoadedAt = v.LoadedAt.UTC()
	return v, nil
}
