package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/interdict/interdict/internal/index/people"
)

var _ people.Store = (*Store)(nil)

// Person queries (schema: migrations/0005_people.up.sql).
const (
	qUpsertPerson = `INSERT INTO people (id, kind, role, privileges, consent_basis, consent_given, consent_ref,
  retain_until, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, role = excluded.role, privileges = excluded.privileges,
  consent_basis = excluded.consent_basis, consent_given = excluded.consent_given, consent_ref = excluded.consent_ref,
  retain_until = excluded.retain_until, updated = excluded.updated`
	qDeletePersonIDs  = `DELETE FROM person_identifiers WHERE person_id = $1`
	personColumns     = `id, kind, role, privileges, consent_basis, consent_given, consent_ref, retain_until, created`
	qPerson           = `SELECT ` + personColumns + ` FROM people WHERE id = $1`
	qPeople           = `SELECT ` + personColumns + ` FROM people WHERE id > $1 ORDER BY id LIMIT $2`
	qPersonIDs        = `SELECT person_id, type, hash, sealed, hint, retain_until FROM person_identifiers WHERE person_id = ANY($1) ORDER BY person_id, seq`
	qLinksByHash      = `SELECT hash, type, person_id FROM person_identifiers WHERE hash = ANY($1) ORDER BY hash, person_id, seq`
	qDeletePerson     = `DELETE FROM people WHERE id = $1`
	qPurgeIdentifiers = `DELETE FROM person_identifiers WHERE retain_until <= $1 OR person_id IN (SELECT id FROM people WHERE retain_until <= $1)`
	qPurgePeople      = `DELETE FROM people WHERE retain_until <= $1`
)

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := ts(t)
	return &u
}

func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func joinPrivileges(ps []people.Privilege) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

func splitPrivileges(s string) []people.Privilege {
	if s == "" {
		return nil
	}
	var out []people.Privilege
	for p := range strings.SplitSeq(s, ",") {
		out = append(out, people.Privilege(p))
	}
	return out
}

// PutPerson implements people.Store.
func (s *Store) PutPerson(ctx context.Context, r people.Record) error {
	if err := s.withTx(ctx, func(tx pgx.Tx) error { return putPerson(ctx, tx, r) }); err != nil {
		return fmt.Errorf("postgres: put person %s: %w", r.ID, err)
	}
	return nil
}

// PutPeople implements people.Store.
func (s *Store) PutPeople(ctx context.Context, rs []people.Record) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for _, r := range rs {
			if err := putPerson(ctx, tx, r); err != nil {
				return fmt.Errorf("person %s: %w", r.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put people: %w", err)
	}
	return nil
}

func putPerson(ctx context.Context, tx pgx.Tx, r people.Record) error {
	created := r.Created
	if created.IsZero() {
		created = now()
	}
	if _, err := tx.Exec(ctx, qUpsertPerson, r.ID, string(r.Kind), r.Role, joinPrivileges(r.Privileges),
		r.Consent.Basis, nullTime(r.Consent.Given), r.Consent.Reference, nullTime(r.RetainUntil),
		ts(created), now()); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, qDeletePersonIDs, r.ID); err != nil {
		return err
	}
	if len(r.Identifiers) == 0 {
		return nil
	}
	rows := make([][]any, len(r.Identifiers))
	for i, id := range r.Identifiers {
		rows[i] = []any{r.ID, int32(i), string(id.Type), id.Hash[:], id.Sealed, id.Hint, nullTime(id.RetainUntil)}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"person_identifiers"},
		[]string{"person_id", "seq", "type", "hash", "sealed", "hint", "retain_until"}, pgx.CopyFromRows(rows))
	return err
}

func scanPerson(row pgx.Row) (people.Record, error) {
	var (
		r             people.Record
		kind, privs   string
		given, retain *time.Time
		created       time.Time
	)
	if err := row.Scan(&r.ID, &kind, &r.Role, &privs, &r.Consent.Basis, &given, &r.Consent.Reference, &retain, &created); err != nil {
		return r, err
	}
	r.Kind, r.Privileges = people.Kind(kind), splitPrivileges(privs)
	r.Consent.Given, r.RetainUntil, r.Created = fromNullTime(given), fromNullTime(retain), created.UTC()
	return r, nil
}

// attachIdentifiers loads the identifiers of every record in rs.
func (s *Store) attachIdentifiers(ctx context.Context, rs []people.Record) error {
	ids := make([]string, len(rs))
	at := make(map[string]int, len(rs))
	for i, r := range rs {
		ids[i], at[r.ID] = r.ID, i
	}
	rows, err := s.pool.Query(ctx, qPersonIDs, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			si     people.StoredIdentifier
			pid    string
			typ    string
			hash   []byte
			retain *time.Time
		)
		if err := rows.Scan(&pid, &typ, &hash, &si.Sealed, &si.Hint, &retain); err != nil {
			return err
		}
		if len(hash) != len(si.Hash) {
			return fmt.Errorf("identifier hash of %d bytes", len(hash))
		}
		si.Type, si.RetainUntil = people.Type(typ), fromNullTime(retain)
		copy(si.Hash[:], hash)
		r := &rs[at[pid]]
		r.Identifiers = append(r.Identifiers, si)
	}
	return rows.Err()
}

// Person implements people.Store.
func (s *Store) Person(ctx context.Context, id string) (people.Record, error) {
	r, err := scanPerson(s.pool.QueryRow(ctx, qPerson, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("postgres: person %s: %w", id, people.ErrNotFound)
	}
	if err == nil {
		rs := []people.Record{r}
		err = s.attachIdentifiers(ctx, rs)
		r = rs[0]
	}
	if err != nil {
		return r, fmt.Errorf("postgres: person %s: %w", id, err)
	}
	return r, nil
}

// People implements people.Store.
func (s *Store) People(ctx context.Context, after string, limit int) ([]people.Record, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, qPeople, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: people: %w", err)
	}
	var out []people.Record
	for rows.Next() {
		r, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: people: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: people: %w", err)
	}
	if len(out) > 0 {
		if err := s.attachIdentifiers(ctx, out); err != nil {
			return nil, fmt.Errorf("postgres: people: %w", err)
		}
	}
	return out, nil
}

// LinksByHash implements people.Store.
func (s *Store) LinksByHash(ctx context.Context, hashes []people.Hash) ([]people.Link, error) {
	if len(hashes) == 0 {
		return nil, nil
	}
	args := make([][]byte, len(hashes))
	for i := range hashes {
		args[i] = hashes[i][:]
	}
	rows, err := s.pool.Query(ctx, qLinksByHash, args)
	if err != nil {
		return nil, fmt.Errorf("postgres: links by hash: %w", err)
	}
	defer rows.Close()
	var out []people.Link
	for rows.Next() {
		var (
			l    people.Link
			hash []byte
			typ  string
		)
		if err := rows.Scan(&hash, &typ, &l.PersonID); err != nil {
			return nil, fmt.Errorf("postgres: links by hash: %w", err)
		}
		copy(l.Hash[:], hash)
		l.Type = people.Type(typ)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: links by hash: %w", err)
	}
	return out, nil
}

// DeletePerson implements people.Store.
func (s *Store) DeletePerson(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, qDeletePerson, id)
	if err != nil {
		return fmt.Errorf("postgres: delete person %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete person %s: %w", id, people.ErrNotFound)
	}
	return nil
}

// PurgeExpired implements people.Store.
func (s *Store) PurgeExpired(ctx context.Context, at time.Time) (people.Purged, error) {
	var p people.Purged
	t := ts(at)
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, qPurgeIdentifiers, t)
		if err != nil {
			return err
		}
		p.Identifiers = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, qPurgePeople, t); err != nil {
			return err
		}
		p.Persons = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return people.Purged{}, fmt.Errorf("postgres: purge expired people: %w", err)
	}
	return p, nil
}

// CheckKey implements people.Store.
func (s *Store) CheckKey(ctx context.Context, fingerprint []byte) error {
	var stored []byte
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO people_key (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, fingerprint); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT fingerprint FROM people_key WHERE id = 1`).Scan(&stored)
	})
	if err != nil {
		return fmt.Errorf("postgres: check people key: %w", err)
	}
	if !bytes.Equal(stored, fingerprint) {
		return fmt.Errorf("postgres: %w: this database's people were stored with another key", people.ErrKey)
	}
	return nil
}

var _ people.EventStore = (*Store)(nil)

// Event queries (schema: migrations/0012_people_logs.up.sql).
const (
	qInsertEvent = `INSERT INTO person_events (person_id, at, source, kind, ip_hash, country, asn, login_hash,
  account_created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`
	qEvents = `SELECT at, source, kind, ip_hash, country, asn, login_hash, account_created FROM person_events
WHERE person_id = $1 ORDER BY at, source, kind`
	qPersonsByIP = `SELECT DISTINCT person_id FROM person_events WHERE ip_hash = $1 ORDER BY person_id`
)

func eventHashBytes(h people.Hash) []byte {
	if h == (people.Hash{}) {
		return []byte{}
	}
	return h[:]
}

func eventMicros0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// PutEvents implements people.EventStore.
func (s *Store) PutEvents(ctx context.Context, es []people.Event) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for i, e := range es {
			if _, err := tx.Exec(ctx, qInsertEvent, e.PersonID, e.Time.UnixMicro(), e.Source, e.Kind, eventHashBytes(e.IPHash), e.Country, e.ASN,
				eventHashBytes(e.LoginHash), eventMicros0(e.AccountCreated)); err != nil {
				if isEventPersonFK(err) {
					return fmt.Errorf("event %d: person %s: %w", i+1, e.PersonID, people.ErrNotFound)
				}
				return fmt.Errorf("event %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put events: %w", err)
	}
	return nil
}

// Events implements people.EventStore.
func (s *Store) Events(ctx context.Context, personID string) ([]people.Event, error) {
	rows, err := s.pool.Query(ctx, qEvents, personID)
	if err != nil {
		return nil, fmt.Errorf("postgres: events of %s: %w", personID, err)
	}
	defer rows.Close()
	var out []people.Event
	for rows.Next() {
		var (
			e           people.Event
			atUS, acct  int64
			ipH, loginH []byte
		)
		if err := rows.Scan(&atUS, &e.Source, &e.Kind, &ipH, &e.Country, &e.ASN, &loginH, &acct); err != nil {
			return nil, fmt.Errorf("postgres: events of %s: %w", personID, err)
		}
		e.PersonID, e.Time = personID, time.UnixMicro(atUS).UTC()
		copy(e.IPHash[:], ipH)
		copy(e.LoginHash[:], loginH)
		if acct != 0 {
			e.AccountCreated = time.UnixMicro(acct).UTC()
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: events of %s: %w", personID, err)
	}
	return out, nil
}

// PersonsByIP implements people.EventStore.
func (s *Store) PersonsByIP(ctx context.Context, h people.Hash) ([]string, error) {
	rows, err := s.pool.Query(ctx, qPersonsByIP, h[:])
	if err != nil {
		return nil, fmt.Errorf("postgres: persons by ip: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("postgres: persons by ip: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: persons by ip: %w", err)
	}
	return out, nil
}

// isEventPersonFK reports a foreign-key violation: an event of an unknown person.
func isEventPersonFK(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}
