package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

var _ auth.Store = (*Store)(nil)

// CreateKey stores k; a zero CreatedAt is set to now. The error wraps
// auth.ErrExists if the ID or the hash is taken.
func (s *Store) CreateKey(ctx context.Context, k auth.Key) error {
	if k.ID == "" || len(k.Hash) == 0 {
		return fmt.Errorf("sqlite: create key %q: id and hash are required", k.ID)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	var revoked sql.NullInt64
	if k.RevokedAt != nil {
		revoked = sql.NullInt64{Int64: toMicros(*k.RevokedAt), Valid: true}
	}
	_, err := s.writer.ExecContext(ctx, qInsertKey, k.ID, k.Name, k.Member, string(k.Role), k.Hash,
		toMicros(k.CreatedAt), revoked)
	switch {
	case isUnique(err):
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, auth.ErrExists)
	case err != nil:
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, err)
	}
	return nil
}

// KeyByHash returns the key with this hash, revoked or not; the error wraps
// auth.ErrNotFound if none. The hash itself never appears in errors.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (auth.Key, error) {
	k, err := scanKey(s.stmts.keyByHash.QueryRowContext(ctx, hash))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.Key{}, fmt.Errorf("sqlite: key by hash: %w", auth.ErrNotFound)
	case err != nil:
		return auth.Key{}, fmt.Errorf("sqlite: key by hash: %w", err)
	}
	return k, nil
}

// Keys lists all keys, oldest first.
func (s *Store) Keys(ctx context.Context) ([]auth.Key, error) {
	rows, err := s.reader.QueryContext(ctx, qKeys)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	defer rows.Close()
	var out []auth.Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	return out, nil
}

// RevokeKey marks a key revoked at the given time; revoking it again keeps the
// first time. The error wraps auth.ErrNotFound if the key is absent.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	res, err := s.writer.ExecContext(ctx, qRevokeKey, toMicros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: revoke key %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: revoke key %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: revoke key %s: %w", id, auth.ErrNotFound)
	}
	return nil
}

// AppendAudit adds an entry; the database assigns its ID and a zero At is set
// to now.
func (s *Store) AppendAudit(ctx context.Context, e auth.AuditEntry) error {
	if e.At.IsZero() {
		e.At = now()
	}
	if _, err := s.stmts.insertAudit.ExecContext(ctx, toMicros(e.At), e.KeyID, e.Member, e.Action,
		e.Target, e.Status); err != nil {
		return fmt.Errorf("sqlite: append audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit returns the newest entries first, at most limit (0 = 100).
func (s *Store) Audit(ctx context.Context, limit int) ([]auth.AuditEntry, error) {
	rows, err := s.reader.QueryContext(ctx, qAudit, defaultLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []auth.AuditEntry
	for rows.Next() {
		var (
			e  auth.AuditEntry
			at int64
		)
		if err := rows.Scan(&e.ID, &at, &e.KeyID, &e.Member, &e.Action, &e.Target, &e.Status); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	return out, nil
}

func scanKey(r scanner) (auth.Key, error) {
	var (
		k       auth.Key
		role    string
		created int64
		revoked sql.NullInt64
	)
	if err := r.Scan(&k.ID, &k.Name, &k.Member, &role, &k.Hash, &created, &revoked); err != nil {
		return auth.Key{}, err
	}
	k.Role = auth.Role(role)
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		t := fromMicros(revoked.Int64)
		k.RevokedAt = &t
	}
	return k, nil
}
