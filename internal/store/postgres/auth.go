package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/serve/auth"
)

var _ auth.Store = (*Store)(nil)

// CreateKey stores k; a zero CreatedAt is set to now. The error wraps
// auth.ErrExists if the ID or the hash is taken.
func (s *Store) CreateKey(ctx context.Context, k auth.Key) error {
	if k.ID == "" || len(k.Hash) == 0 {
		return fmt.Errorf("postgres: create key %q: id and hash are required", k.ID)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	var revoked *time.Time
	if k.RevokedAt != nil {
		r := ts(*k.RevokedAt)
		revoked = &r
	}
	_, err := s.pool.Exec(ctx, qInsertKey, k.ID, k.Name, k.Member, string(k.Role), k.Hash, ts(k.CreatedAt), revoked)
	switch {
	case isUnique(err):
		return fmt.Errorf("postgres: create key %s: %w", k.ID, auth.ErrExists)
	case err != nil:
		return fmt.Errorf("postgres: create key %s: %w", k.ID, err)
	}
	return nil
}

// KeyByHash returns the key with this hash, revoked or not; the error wraps
// auth.ErrNotFound if none. The hash itself never appears in errors.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (auth.Key, error) {
	k, err := scanKey(s.pool.QueryRow(ctx, qKeyByHash, hash))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return auth.Key{}, fmt.Errorf("postgres: key by hash: %w", auth.ErrNotFound)
	case err != nil:
		return auth.Key{}, fmt.Errorf("postgres: key by hash: %w", err)
	}
	return k, nil
}

// Keys lists all keys, oldest first.
func (s *Store) Keys(ctx context.Context) ([]auth.Key, error) {
	rows, err := s.pool.Query(ctx, qKeys)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Key, error) { return scanKey(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	return out, nil
}

// RevokeKey marks a key revoked at the given time; revoking it again keeps the
// first time. The error wraps auth.ErrNotFound if the key is absent.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, qRevokeKey, ts(at), id)
	if err != nil {
		return fmt.Errorf("postgres: revoke key %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: revoke key %s: %w", id, auth.ErrNotFound)
	}
	return nil
}

// AppendAudit adds an entry; the database assigns its ID and a zero At is set
// to now.
func (s *Store) AppendAudit(ctx context.Context, e auth.AuditEntry) error {
	at := now()
	if !e.At.IsZero() {
		at = ts(e.At)
	}
	if _, err := s.pool.Exec(ctx, qInsertAudit, at, e.KeyID, e.Member, e.Action, e.Target, e.Status); err != nil {
		return fmt.Errorf("postgres: append audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit returns the newest entries first, at most limit (0 = 100).
func (s *Store) Audit(ctx context.Context, limit int) ([]auth.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, qAudit, defaultLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.AuditEntry, error) {
		var e auth.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.KeyID, &e.Member, &e.Action, &e.Target, &e.Status)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	return out, nil
}

func scanKey(r pgx.Row) (auth.Key, error) {
	var (
		k       auth.Key
		role    string
		revoked *time.Time
	)
	if err := r.Scan(&k.ID, &k.Name, &k.Member, &role, &k.Hash, &k.CreatedAt, &revoked); err != nil {
		return auth.Key{}, err
	}
	k.Role = auth.Role(role)
	k.CreatedAt = k.CreatedAt.UTC()
	if revoked != nil {
		r := revoked.UTC()
		k.RevokedAt = &r
	}
	return k, nil
}
