package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interdict/interdict/internal/index/people"
)

var _ people.Store = (*Store)(nil)

// Person queries (schema: migrations/0005_people.up.sql).
const (
	qUpsertPerson = `INSERT INTO people (id, kind, role, privileges, consent_basis, consent_given, consent_ref,
  retain_until, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, role = excluded.role, privileges = excluded.privileges,
  consent_basis = excluded.consent_basis, consent_given = excluded.consent_given, consent_ref = excluded.consent_ref,
  retain_until = excluded.retain_until, updated = excluded.updated`
	qDeletePersonIDs   = `DELETE FROM person_identifiers WHERE person_id = ?`
	qInsertPersonID    = `INSERT INTO person_identifiers (person_id, seq, type, hash, sealed, hint, retain_until) VALUES (?, ?, ?, ?, ?, ?, ?)`
	personColumns      = `id, kind, role, privileges, consent_basis, consent_given, consent_ref, retain_until, created`
	qPerson            = `SELECT ` + personColumns + ` FROM people WHERE id = ?`
	qPeople            = `SELECT ` + personColumns + ` FROM people WHERE id > ? ORDER BY id LIMIT ?`
	qPersonIDs         = `SELECT type, hash, sealed, hint, retain_until FROM person_identifiers WHERE person_id = ? ORDER BY seq`
	qDeletePerson      = `DELETE FROM people WHERE id = ?`
	qPurgeIdentifiers  = `DELETE FROM person_identifiers WHERE retain_until <= ? OR person_id IN (SELECT id FROM people WHERE retain_until <= ?)`
	qPurgePeople       = `DELETE FROM people WHERE retain_until <= ?`
	linksBatch         = 500
	qLinksByHashPrefix = `SELECT hash, type, person_id FROM person_identifiers WHERE hash IN (`
)

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMicros(t), Valid: true}
}

func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
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
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return putPerson(ctx, tx, r) }); err != nil {
		return fmt.Errorf("sqlite: put person %s: %w", r.ID, err)
	}
	s.checkpointApart()
	return nil
}

// checkpointEvery is how many single-person commits pass between two WAL
// checkpoints run apart from the write path (0: none, SQLite's automatic
// checkpoint only).
//
// Why: a person's commit writes about 16 WAL pages (the row, its
// identifiers, and one random leaf of the hash index per identifier), so
// SQLite's automatic checkpoint (at 1,000 WAL pages) fell inside about one
// commit in 60, and that commit waited for 1,000 pages to be copied into the
// database and the file to be synced: with the commit's own WAL sync, that
// was the p99 of adding a person (docs/benchmarks.md "People"). A PASSIVE
// checkpoint from a reader connection every 8 commits (~130 pages) copies the
// WAL back in small steps while the writer goes on; the writer then restarts
// the WAL at its next transaction and rarely reaches the automatic
// threshold. Every 8 measured better than every 32 or 128 and kept the p50;
// every 1 or 2 cut the tail as much but raised the p50 by a third.
// Durability is unchanged: commits still sync the WAL (synchronous=FULL),
// and a checkpoint only moves committed pages.
var checkpointEvery = 8

// apartCheckpoints holds each store's count of person commits and whether a
// checkpoint is running.
var apartCheckpoints sync.Map // *Store -> *apartCheckpoint

type apartCheckpoint struct {
	commits atomic.Int64
	running atomic.Bool
}

// checkpointApart counts a person commit and, every checkpointEvery, starts
// a PASSIVE checkpoint on a reader connection unless one is running. Its
// error is ignored: a checkpoint that cannot finish (a reader holds an old
// snapshot, the store is closing) leaves SQLite's own to do the work.
func (s *Store) checkpointApart() {
	if checkpointEvery <= 0 {
		return
	}
	v, _ := apartCheckpoints.LoadOrStore(s, &apartCheckpoint{})
	c := v.(*apartCheckpoint)
	if c.commits.Add(1)%int64(checkpointEvery) != 0 || !c.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.running.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), busyTimeout)
		defer cancel()
		if _, err := s.reader.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			s.logger.Debug("people: checkpoint apart", "err", err)
		}
	}()
}

// PutPeople implements people.Store.
func (s *Store) PutPeople(ctx context.Context, rs []people.Record) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rs {
			if err := putPerson(ctx, tx, r); err != nil {
				return fmt.Errorf("person %s: %w", r.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put people: %w", err)
	}
	return nil
}

func putPerson(ctx context.Context, tx *sql.Tx, r people.Record) error {
	created := r.Created
	if created.IsZero() {
		created = now()
	}
	if _, err := tx.ExecContext(ctx, qUpsertPerson, r.ID, string(r.Kind), r.Role, joinPrivileges(r.Privileges),
		r.Consent.Basis, nullMicros(r.Consent.Given), r.Consent.Reference, nullMicros(r.RetainUntil),
		toMicros(created), toMicros(now())); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qDeletePersonIDs, r.ID); err != nil {
		return err
	}
	// One statement for up to idsPerInsert identifiers: a person's dozen
	// rows cost one parse and one step instead of twelve.
	per := idsPerInsert
	if insertRowByRow { // the former way, for BenchmarkPeopleTail's "before"
		per = 1
	}
	for lo := 0; lo < len(r.Identifiers); lo += per {
		chunk := r.Identifiers[lo:min(lo+per, len(r.Identifiers))]
		args := make([]any, 0, 7*len(chunk))
		for i, id := range chunk {
			args = append(args, r.ID, lo+i, string(id.Type), id.Hash[:], id.Sealed, id.Hint, nullMicros(id.RetainUntil))
		}
		q := qInsertPersonID + strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", len(chunk)-1)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// idsPerInsert bounds the rows of one identifier INSERT (7 parameters each,
// well under SQLite's 32,766).
const idsPerInsert = 500

// insertRowByRow makes putPerson insert one identifier per statement, as it
// did before; only BenchmarkPeopleTail sets it, to measure the difference.
var insertRowByRow = false

type rowScanner interface{ Scan(dst ...any) error }

func scanPerson(sc rowScanner) (people.Record, error) {
	var (
		r             people.Record
		kind, privs   string
		given, retain sql.NullInt64
		created       int64
	)
	if err := sc.Scan(&r.ID, &kind, &r.Role, &privs, &r.Consent.Basis, &given, &r.Consent.Reference, &retain, &created); err != nil {
		return r, err
	}
	r.Kind, r.Privileges = people.Kind(kind), splitPrivileges(privs)
	r.Consent.Given, r.RetainUntil, r.Created = fromNullMicros(given), fromNullMicros(retain), fromMicros(created)
	return r, nil
}

func (s *Store) personIdentifiers(ctx context.Context, r *people.Record) error {
	rows, err := s.reader.QueryContext(ctx, qPersonIDs, r.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			si     people.StoredIdentifier
			typ    string
			hash   []byte
			retain sql.NullInt64
		)
		if err := rows.Scan(&typ, &hash, &si.Sealed, &si.Hint, &retain); err != nil {
			return err
		}
		if len(hash) != len(si.Hash) {
			return fmt.Errorf("identifier hash of %d bytes", len(hash))
		}
		si.Type, si.RetainUntil = people.Type(typ), fromNullMicros(retain)
		copy(si.Hash[:], hash)
		r.Identifiers = append(r.Identifiers, si)
	}
	return rows.Err()
}

// Person implements people.Store.
func (s *Store) Person(ctx context.Context, id string) (people.Record, error) {
	r, err := scanPerson(s.reader.QueryRowContext(ctx, qPerson, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("sqlite: person %s: %w", id, people.ErrNotFound)
	}
	if err == nil {
		err = s.personIdentifiers(ctx, &r)
	}
	if err != nil {
		return r, fmt.Errorf("sqlite: person %s: %w", id, err)
	}
	return r, nil
}

// People implements people.Store.
func (s *Store) People(ctx context.Context, after string, limit int) ([]people.Record, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.reader.QueryContext(ctx, qPeople, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: people: %w", err)
	}
	var out []people.Record
	for rows.Next() {
		r, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: people: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: people: %w", err)
	}
	for i := range out {
		if err := s.personIdentifiers(ctx, &out[i]); err != nil {
			return nil, fmt.Errorf("sqlite: people: %w", err)
		}
	}
	return out, nil
}

// LinksByHash implements people.Store.
func (s *Store) LinksByHash(ctx context.Context, hashes []people.Hash) ([]people.Link, error) {
	var out []people.Link
	for start := 0; start < len(hashes); start += linksBatch {
		batch := hashes[start:min(start+linksBatch, len(hashes))]
		args := make([]any, len(batch))
		for i := range batch {
			args[i] = batch[i][:]
		}
		q := qLinksByHashPrefix + strings.Repeat("?,", len(batch)-1) + "?) ORDER BY hash, person_id, seq"
		rows, err := s.reader.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: links by hash: %w", err)
		}
		for rows.Next() {
			var (
				l    people.Link
				hash []byte
				typ  string
			)
			if err := rows.Scan(&hash, &typ, &l.PersonID); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: links by hash: %w", err)
			}
			copy(l.Hash[:], hash)
			l.Type = people.Type(typ)
			out = append(out, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: links by hash: %w", err)
		}
	}
	return out, nil
}

// DeletePerson implements people.Store.
func (s *Store) DeletePerson(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx, qDeletePerson, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete person %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: delete person %s: %w", id, people.ErrNotFound)
	}
	return nil
}

// PurgeExpired implements people.Store.
func (s *Store) PurgeExpired(ctx context.Context, at time.Time) (people.Purged, error) {
	var p people.Purged
	t := toMicros(at)
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qPurgeIdentifiers, t, t)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		p.Identifiers = int(n)
		if res, err = tx.ExecContext(ctx, qPurgePeople, t); err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		p.Persons = int(n)
		return nil
	})
	if err != nil {
		return people.Purged{}, fmt.Errorf("sqlite: purge expired people: %w", err)
	}
	return p, nil
}

// CheckKey implements people.Store.
func (s *Store) CheckKey(ctx context.Context, fingerprint []byte) error {
	var stored []byte
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO people_key (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, fingerprint); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT fingerprint FROM people_key WHERE id = 1`).Scan(&stored)
	})
	if err != nil {
		return fmt.Errorf("sqlite: check people key: %w", err)
	}
	if !bytes.Equal(stored, fingerprint) {
		return fmt.Errorf("sqlite: %w: this database's people were stored with another key", people.ErrKey)
	}
	return nil
}

var _ people.EventStore = (*Store)(nil)

// Event queries (schema: migrations/0012_people_logs.up.sql).
const (
	qInsertEvent = `INSERT OR IGNORE INTO person_events (person_id, at, source, kind, ip_hash, country, asn, login_hash,
  account_created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qEvents = `SELECT at, source, kind, ip_hash, country, asn, login_hash, account_created FROM person_events
WHERE person_id = ? ORDER BY at, source, kind`
	qPersonsByIP = `SELECT DISTINCT person_id FROM person_events WHERE ip_hash = ? ORDER BY person_id`
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
	return toMicros(t)
}

// PutEvents implements people.EventStore.
func (s *Store) PutEvents(ctx context.Context, es []people.Event) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, qInsertEvent)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, e := range es {
			if _, err := st.ExecContext(ctx, e.PersonID, toMicros(e.Time), e.Source, e.Kind, eventHashBytes(e.IPHash), e.Country, e.ASN,
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
		return fmt.Errorf("sqlite: put events: %w", err)
	}
	return nil
}

func isEventPersonFK(err error) bool {
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// Events implements people.EventStore.
func (s *Store) Events(ctx context.Context, personID string) ([]people.Event, error) {
	rows, err := s.reader.QueryContext(ctx, qEvents, personID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", personID, err)
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
			return nil, fmt.Errorf("sqlite: events of %s: %w", personID, err)
		}
		e.PersonID, e.Time = personID, fromMicros(atUS)
		copy(e.IPHash[:], ipH)
		copy(e.LoginHash[:], loginH)
		if acct != 0 {
			e.AccountCreated = fromMicros(acct)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events of %s: %w", personID, err)
	}
	return out, nil
}

// PersonsByIP implements people.EventStore.
func (s *Store) PersonsByIP(ctx context.Context, h people.Hash) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, qPersonsByIP, h[:])
	if err != nil {
		return nil, fmt.Errorf("sqlite: persons by ip: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: persons by ip: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: persons by ip: %w", err)
	}
	return out, nil
}
