package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// The notification network's store (notify.Store): member registry, keys,
// accepted records, flags and the rejection log (migration 0007).

const (
	qNotifyMemberInsert = `INSERT INTO notify_members (id, org, role, endpoint_url, endpoint_credential, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qNotifyMemberGet    = `SELECT id, org, role, endpoint_url, endpoint_credential, created_at, updated_at FROM notify_members WHERE id = ?`
	qNotifyMemberList   = `SELECT id, org, role, endpoint_url, endpoint_credential, created_at, updated_at FROM notify_members ORDER BY id`
	qNotifyMemberDelete = `DELETE FROM notify_members WHERE id = ?`
	qNotifyMemberTouch  = `UPDATE notify_members SET updated_at = ? WHERE id = ?`
	qNotifyEndpointSet  = `UPDATE notify_members SET endpoint_url = ?, endpoint_credential = ?, updated_at = ? WHERE id = ?`
	qNotifyKeyInsert    = `INSERT INTO notify_member_keys (key_id, member, public_key, added_at, revoked_at) VALUES (?, ?, ?, ?, ?)`
	qNotifyKeysOf       = `SELECT key_id, public_key, added_at, revoked_at FROM notify_member_keys WHERE member = ? ORDER BY added_at, key_id`
	qNotifyKeyRevoke    = `UPDATE notify_member_keys SET revoked_at = CASE WHEN revoked_at = 0 OR revoked_at > ? THEN ? ELSE revoked_at END WHERE member = ? AND key_id = ?`
	qNotifySigningKey   = `SELECT m.id, m.role, k.public_key, k.revoked_at FROM notify_member_keys k JOIN notify_members m ON m.id = k.member WHERE k.key_id = ?`

	qNotifyRecordInsert = `INSERT INTO notify_records (id, kind, ref, issuer, key_id, payload, signature, source, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qNotifyRecordGet    = `SELECT key_id, payload, signature, source, received_at FROM notify_records WHERE id = ?`
	qNotifyHistory      = `SELECT key_id, payload, signature, source, received_at FROM notify_records WHERE id = ? OR ref = ? ORDER BY seq`

	notifyFlagCols     = notify.FlagColumns
	qNotifyFlagPut     = `INSERT OR REPLACE INTO notify_flags (` + notifyFlagCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qNotifyFlagGet     = `SELECT ` + notifyFlagCols + ` FROM notify_flags WHERE id = ?`
	qNotifyFlagList    = `SELECT ` + notifyFlagCols + ` FROM notify_flags ORDER BY issued_at, id`
	qNotifyFlagLive    = `SELECT ` + notifyFlagCols + ` FROM notify_flags WHERE state IN ('active', 'amended') AND (expires_at = 0 OR expires_at > ?) ORDER BY issued_at, id`
	qNotifyRejectAdd   = `INSERT INTO notify_rejections (at, source, record_id, issuer, key_id, size, sha256, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qNotifyRejectList  = `SELECT at, source, record_id, issuer, key_id, size, sha256, reason FROM notify_rejections ORDER BY seq DESC LIMIT ?`
	notifyDefaultLimit = 100
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// micros and unmicros store times with 0 for the zero time.
var (
	micros   = notify.Micros
	unmicros = notify.FromMicros
)

// AddMember registers a member with its keys.
func (s *Store) AddMember(ctx context.Context, m notify.Member) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Created.IsZero() {
		m.Created = now()
	}
	if m.Updated.IsZero() {
		m.Updated = m.Created
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, qNotifyMemberInsert, m.ID, m.Org, string(m.Role), m.Endpoint.URL, m.Endpoint.Credential.Reveal(), toMicros(m.Created), toMicros(m.Updated))
		if isUnique(err) {
			return fmt.Errorf("%w: member %s", notify.ErrExists, m.ID)
		}
		if err != nil {
			return err
		}
		for _, k := range m.Keys {
			if err := insertKey(ctx, tx, m.ID, k, m.Created); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: add member %s: %w", m.ID, err)
	}
	return nil
}

func insertKey(ctx context.Context, q querier, member string, k notify.MemberKey, added time.Time) error {
	if k.Added.IsZero() {
		k.Added = added
	}
	_, err := q.ExecContext(ctx, qNotifyKeyInsert, k.ID, member, []byte(k.Public), toMicros(k.Added), micros(k.RevokedAt))
	if isUnique(err) {
		return fmt.Errorf("%w: key %s is registered already", notify.ErrExists, k.ID)
	}
	return err
}

// Member returns one member with its keys.
func (s *Store) Member(ctx context.Context, id string) (notify.Member, error) {
	m, err := scanMember(s.reader.QueryRowContext(ctx, qNotifyMemberGet, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Member{}, fmt.Errorf("%w: member %s", notify.ErrNotFound, id)
	}
	if err == nil {
		m.Keys, err = memberKeys(ctx, s.reader, id)
	}
	if err != nil {
		return notify.Member{}, fmt.Errorf("sqlite: member %s: %w", id, err)
	}
	return m, nil
}

func scanMember(row interface{ Scan(...any) error }) (notify.Member, error) {
	var (
		m          notify.Member
		role, cred string
		c, u       int64
	)
	if err := row.Scan(&m.ID, &m.Org, &role, &m.Endpoint.URL, &cred, &c, &u); err != nil {
		return notify.Member{}, err
	}
	m.Role, m.Endpoint.Credential, m.Created, m.Updated = notify.Role(role), notify.Secret(cred), fromMicros(c), fromMicros(u)
	return m, nil
}

func memberKeys(ctx context.Context, q querier, member string) ([]notify.MemberKey, error) {
	rows, err := q.QueryContext(ctx, qNotifyKeysOf, member)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []notify.MemberKey{}
	for rows.Next() {
		var (
			k      notify.MemberKey
			pub    []byte
			ad, rv int64
		)
		if err := rows.Scan(&k.ID, &pub, &ad, &rv); err != nil {
			return nil, err
		}
		k.Public, k.Added, k.RevokedAt = pub, fromMicros(ad), unmicros(rv)
		out = append(out, k)
	}
	return out, rows.Err()
}

// Members lists members by id, with their keys.
func (s *Store) Members(ctx context.Context) ([]notify.Member, error) {
	rows, err := s.reader.QueryContext(ctx, qNotifyMemberList)
	if err != nil {
		return nil, fmt.Errorf("sqlite: members: %w", err)
	}
	var out []notify.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: members: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: members: %w", err)
	}
	for i := range out {
		if out[i].Keys, err = memberKeys(ctx, s.reader, out[i].ID); err != nil {
			return nil, fmt.Errorf("sqlite: members: %w", err)
		}
	}
	return out, nil
}

// RemoveMember deletes a member and its keys.
func (s *Store) RemoveMember(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx, qNotifyMemberDelete, id)
	if err != nil {
		return fmt.Errorf("sqlite: remove member %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: member %s", notify.ErrNotFound, id)
	}
	return nil
}

// updateMember runs fn on an existing member in a transaction and stamps
// its updated_at.
func (s *Store) updateMember(ctx context.Context, member string, fn func(tx *sql.Tx) error) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qNotifyMemberTouch, toMicros(now()), member)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: member %s", notify.ErrNotFound, member)
		}
		return fn(tx)
	})
}

// AddMemberKey registers another key of a member.
func (s *Store) AddMemberKey(ctx context.Context, member string, k notify.MemberKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	err := s.updateMember(ctx, member, func(tx *sql.Tx) error { return insertKey(ctx, tx, member, k, now()) })
	if err != nil {
		return fmt.Errorf("sqlite: add key to %s: %w", member, err)
	}
	return nil
}

// RevokeMemberKey revokes a key at at; an earlier revocation time stands.
func (s *Store) RevokeMemberKey(ctx context.Context, member, keyID string, at time.Time) error {
	if at.IsZero() {
		at = now()
	}
	err := s.updateMember(ctx, member, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qNotifyKeyRevoke, toMicros(at), toMicros(at), member, keyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: member %s has no key %s", notify.ErrNotFound, member, keyID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke key %s of %s: %w", keyID, member, err)
	}
	return nil
}

// SetMemberEndpoint replaces a member's endpoint.
func (s *Store) SetMemberEndpoint(ctx context.Context, member string, e notify.Endpoint) error {
	if err := (notify.Member{ID: member, Role: notify.RoleAuthority, Endpoint: e}).Validate(); err != nil {
		return err
	}
	err := s.updateMember(ctx, member, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, qNotifyEndpointSet, e.URL, e.Credential.Reveal(), toMicros(now()), member)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: endpoint of %s: %w", member, err)
	}
	return nil
}

// SigningKey implements notify.Keyring.
func (s *Store) SigningKey(ctx context.Context, keyID string) (notify.SigningKey, error) {
	return signingKey(ctx, s.reader, keyID)
}

func signingKey(ctx context.Context, q querier, keyID string) (notify.SigningKey, error) {
	var (
		k    notify.SigningKey
		role string
		pub  []byte
		rv   int64
	)
	err := q.QueryRowContext(ctx, qNotifySigningKey, keyID).Scan(&k.Member, &role, &pub, &rv)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.SigningKey{}, fmt.Errorf("%w: key %s", notify.ErrNotFound, keyID)
	}
	if err != nil {
		return notify.SigningKey{}, fmt.Errorf("sqlite: key %s: %w", keyID, err)
	}
	k.Role, k.Public, k.RevokedAt = notify.Role(role), pub, unmicros(rv)
	return k, nil
}

// notifyTx is notify.FlagTx over one SQLite transaction.
type notifyTx struct{ tx *sql.Tx }

func (t notifyTx) SigningKey(ctx context.Context, keyID string) (notify.SigningKey, error) {
	return signingKey(ctx, t.tx, keyID)
}

func (t notifyTx) StoredRecord(ctx context.Context, id string) (notify.Stored, error) {
	return storedRecord(ctx, t.tx, id)
}

func (t notifyTx) Flag(ctx context.Context, id string) (notify.Flag, error) {
	return flagRow(ctx, t.tx, id)
}

func (t notifyTx) InsertRecord(ctx context.Context, st notify.Stored) error {
	r := st.Record
	_, err := t.tx.ExecContext(ctx, qNotifyRecordInsert, r.ID, string(r.Kind), r.Ref, r.Issuer, st.Envelope.KeyID,
		st.Envelope.Payload, st.Envelope.Signature, string(st.Source), toMicros(st.ReceivedAt))
	if isUnique(err) {
		return fmt.Errorf("%w: record %s exists", notify.ErrConflict, r.ID)
	}
	return err
}

func (t notifyTx) PutFlag(ctx context.Context, f notify.Flag) error {
	row, err := notify.FlagRow(f)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, qNotifyFlagPut, row...)
	return err
}

// UpdateFlags runs fn in one write transaction (BEGIN IMMEDIATE: one writer
// at a time).
func (s *Store) UpdateFlags(ctx context.Context, fn func(tx notify.FlagTx) error) error {
	return s.withTx(ctx, func(tx *sql.Tx) error { return fn(notifyTx{tx}) })
}

func storedRecord(ctx context.Context, q querier, id string) (notify.Stored, error) {
	st, err := scanStored(q.QueryRowContext(ctx, qNotifyRecordGet, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Stored{}, fmt.Errorf("%w: record %s", notify.ErrNotFound, id)
	}
	if err != nil {
		return notify.Stored{}, fmt.Errorf("sqlite: record %s: %w", id, err)
	}
	return st, nil
}

func scanStored(row interface{ Scan(...any) error }) (notify.Stored, error) {
	var (
		st  notify.Stored
		src string
		at  int64
	)
	if err := row.Scan(&st.Envelope.KeyID, &st.Envelope.Payload, &st.Envelope.Signature, &src, &at); err != nil {
		return notify.Stored{}, err
	}
	r, err := notify.ParsePayload(st.Envelope.Payload)
	if err != nil {
		return notify.Stored{}, fmt.Errorf("stored payload: %w", err)
	}
	st.Record, st.Source, st.ReceivedAt = r, notify.Source(src), fromMicros(at)
	return st, nil
}

// StoredRecord returns an accepted record.
func (s *Store) StoredRecord(ctx context.Context, id string) (notify.Stored, error) {
	return storedRecord(ctx, s.reader, id)
}

// FlagHistory lists a flag's records in the order they were accepted.
func (s *Store) FlagHistory(ctx context.Context, flagID string) ([]notify.Stored, error) {
	rows, err := s.reader.QueryContext(ctx, qNotifyHistory, flagID, flagID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: history of %s: %w", flagID, err)
	}
	defer rows.Close()
	var out []notify.Stored
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: history of %s: %w", flagID, err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func flagRow(ctx context.Context, q querier, id string) (notify.Flag, error) {
	f, err := notify.ScanFlag(q.QueryRowContext(ctx, qNotifyFlagGet, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Flag{}, fmt.Errorf("%w: flag %s", notify.ErrNotFound, id)
	}
	if err != nil {
		return notify.Flag{}, fmt.Errorf("sqlite: flag %s: %w", id, err)
	}
	return f, nil
}

// Flag returns one flag.
func (s *Store) Flag(ctx context.Context, id string) (notify.Flag, error) {
	return flagRow(ctx, s.reader, id)
}

func (s *Store) flags(ctx context.Context, q string, args ...any) ([]notify.Flag, error) {
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: flags: %w", err)
	}
	defer rows.Close()
	var out []notify.Flag
	for rows.Next() {
		f, err := notify.ScanFlag(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: flags: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Flags lists every flag.
func (s *Store) Flags(ctx context.Context) ([]notify.Flag, error) {
	return s.flags(ctx, qNotifyFlagList)
}

// LiveFlags lists the flags active or amended and unexpired at t.
func (s *Store) LiveFlags(ctx context.Context, t time.Time) ([]notify.Flag, error) {
	return s.flags(ctx, qNotifyFlagLive, toMicros(t))
}

// AddRejection logs a refused record.
func (s *Store) AddRejection(ctx context.Context, r notify.Rejection) error {
	if r.At.IsZero() {
		r.At = now()
	}
	_, err := s.writer.ExecContext(ctx, qNotifyRejectAdd, toMicros(r.At), string(r.Source), r.RecordID, r.Issuer, r.KeyID, r.Size, r.SHA256, r.Reason)
	if err != nil {
		return fmt.Errorf("sqlite: log rejection: %w", err)
	}
	return nil
}

// Rejections lists refused records, newest first.
func (s *Store) Rejections(ctx context.Context, limit int) ([]notify.Rejection, error) {
	if limit <= 0 {
		limit = notifyDefaultLimit
	}
	rows, err := s.reader.QueryContext(ctx, qNotifyRejectList, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rejections: %w", err)
	}
	defer rows.Close()
	var out []notify.Rejection
	for rows.Next() {
		var (
			r   notify.Rejection
			at  int64
			src string
		)
		if err := rows.Scan(&at, &src, &r.RecordID, &r.Issuer, &r.KeyID, &r.Size, &r.SHA256, &r.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: rejections: %w", err)
		}
		r.At, r.Source = fromMicros(at), notify.Source(src)
		out = append(out, r)
	}
	return out, rows.Err()
}
