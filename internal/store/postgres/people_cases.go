package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	vet "github.com/interdict/interdict/internal/analysis/people"
)

var _ vet.CaseStore = (*Store)(nil)

// Case queries (schema: migrations/0011_people_workflows.up.sql).
const (
	qInsertCase = `INSERT INTO people_cases (id, status, disposition, decided, opened, opened_by, reason, updated)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	qInsertCasePerson = `INSERT INTO people_case_persons (case_id, person_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`
	qInsertCaseEvent  = `INSERT INTO people_case_events (case_id, seq, at, actor, action, disposition, text, signals)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	// The row lock serialises appends to one case, so seq has no gaps nor twins.
	qLockCase     = `SELECT id FROM people_cases WHERE id = $1 FOR UPDATE`
	qNextCaseSeq  = `SELECT COALESCE(MAX(seq), 0) + 1 FROM people_case_events WHERE case_id = $1`
	qUpdateCase   = `UPDATE people_cases SET status = $1, disposition = $2, decided = $3, updated = $4 WHERE id = $5`
	qTouchCase    = `UPDATE people_cases SET updated = $1 WHERE id = $2`
	caseColumns   = `c.id, c.status, c.disposition, c.decided, c.opened, c.opened_by, c.reason, c.updated`
	qCasePersons  = `SELECT case_id, person_id FROM people_case_persons WHERE case_id = ANY($1) ORDER BY case_id, person_id`
	qCaseEvents   = `SELECT seq, at, actor, action, disposition, text, signals FROM people_case_events WHERE case_id = $1 ORDER BY seq`
	qSignalSeen   = `INSERT INTO people_signals_seen (person_id, fingerprint, rule, first_seen) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	casesOrderBy  = ` ORDER BY c.opened DESC, c.id LIMIT `
	casesByPerson = ` JOIN people_case_persons p ON p.case_id = c.id AND p.person_id = `
)

// CreateCase implements people.CaseStore.
func (s *Store) CreateCase(ctx context.Context, c vet.Case, first vet.CaseEvent) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qInsertCase, c.ID, string(c.Status), string(c.Disposition), nullTime(c.Decided),
			ts(c.Opened), c.OpenedBy, c.Reason, ts(c.Updated)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, qInsertCasePerson, c.ID, c.Persons); err != nil {
			return err
		}
		first.Seq = 1
		return insertCaseEvent(ctx, tx, c.ID, first)
	})
	if err != nil {
		return fmt.Errorf("postgres: create case %s: %w", c.ID, err)
	}
	return nil
}

func insertCaseEvent(ctx context.Context, tx pgx.Tx, id string, e vet.CaseEvent) error {
	signals := e.Signals
	if signals == nil {
		signals = []string{}
	}
	_, err := tx.Exec(ctx, qInsertCaseEvent, id, e.Seq, ts(e.At), e.Actor, string(e.Action), string(e.Disposition), e.Text, signals)
	return err
}

// AppendCaseEvent implements people.CaseStore.
func (s *Store) AppendCaseEvent(ctx context.Context, id string, e vet.CaseEvent, next *vet.CaseState) (vet.CaseEvent, error) {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var got string
		if err := tx.QueryRow(ctx, qLockCase, id).Scan(&got); errors.Is(err, pgx.ErrNoRows) {
			return vet.ErrCaseNotFound
		} else if err != nil {
			return err
		}
		var err error
		if next == nil {
			_, err = tx.Exec(ctx, qTouchCase, ts(e.At), id)
		} else {
			_, err = tx.Exec(ctx, qUpdateCase, string(next.Status), string(next.Disposition), nullTime(next.Decided), ts(e.At), id)
			if err == nil && len(next.AddPersons) > 0 {
				_, err = tx.Exec(ctx, qInsertCasePerson, id, next.AddPersons)
			}
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, qNextCaseSeq, id).Scan(&e.Seq); err != nil {
			return err
		}
		return insertCaseEvent(ctx, tx, id, e)
	})
	if err != nil {
		return vet.CaseEvent{}, fmt.Errorf("postgres: case %s: append event: %w", id, err)
	}
	e.At = ts(e.At)
	return e, nil
}

func scanCase(row pgx.Row) (vet.Case, error) {
	var (
		c               vet.Case
		status, disp    string
		decided         *time.Time
		opened, updated time.Time
	)
	if err := row.Scan(&c.ID, &status, &disp, &decided, &opened, &c.OpenedBy, &c.Reason, &updated); err != nil {
		return c, err
	}
	c.Status, c.Disposition = vet.CaseStatus(status), vet.Disposition(disp)
	c.Decided, c.Opened, c.Updated = fromNullTime(decided), opened.UTC(), updated.UTC()
	return c, nil
}

// attachCasePersons loads the persons of every case in cs.
func (s *Store) attachCasePersons(ctx context.Context, cs []vet.Case) error {
	ids := make([]string, len(cs))
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		ids[i], at[c.ID] = c.ID, i
	}
	rows, err := s.pool.Query(ctx, qCasePersons, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cid, pid string
		if err := rows.Scan(&cid, &pid); err != nil {
			return err
		}
		c := &cs[at[cid]]
		c.Persons = append(c.Persons, pid)
	}
	return rows.Err()
}

// Case implements people.CaseStore.
func (s *Store) Case(ctx context.Context, id string) (vet.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM people_cases c WHERE c.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("postgres: case %s: %w", id, vet.ErrCaseNotFound)
	}
	if err == nil {
		cs := []vet.Case{c}
		err = s.attachCasePersons(ctx, cs)
		c = cs[0]
	}
	if err == nil {
		err = s.caseEvents(ctx, &c)
	}
	if err != nil {
		return vet.Case{}, fmt.Errorf("postgres: case %s: %w", id, err)
	}
	return c, nil
}

func (s *Store) caseEvents(ctx context.Context, c *vet.Case) error {
	rows, err := s.pool.Query(ctx, qCaseEvents, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e            vet.CaseEvent
			at           time.Time
			action, disp string
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &action, &disp, &e.Text, &e.Signals); err != nil {
			return err
		}
		e.At, e.Action, e.Disposition = at.UTC(), vet.Action(action), vet.Disposition(disp)
		if len(e.Signals) == 0 {
			e.Signals = nil
		}
		c.Events = append(c.Events, e)
	}
	return rows.Err()
}

// Cases implements people.CaseStore.
func (s *Store) Cases(ctx context.Context, f vet.CaseFilter) ([]vet.Case, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q, args := `SELECT `+caseColumns+` FROM people_cases c`, []any{}
	if f.PersonID != "" {
		args = append(args, f.PersonID)
		q += casesByPerson + fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		q += fmt.Sprintf(` WHERE c.status = $%d`, len(args))
	}
	args = append(args, limit)
	rows, err := s.pool.Query(ctx, q+casesOrderBy+fmt.Sprintf("$%d", len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: cases: %w", err)
	}
	var out []vet.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: cases: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: cases: %w", err)
	}
	if len(out) > 0 {
		if err := s.attachCasePersons(ctx, out); err != nil {
			return nil, fmt.Errorf("postgres: cases: %w", err)
		}
	}
	return out, nil
}

// RecordSignals implements people.CaseStore.
func (s *Store) RecordSignals(ctx context.Context, personID string, keys []vet.SignalKey, at time.Time) ([]bool, error) {
	fresh := make([]bool, len(keys))
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for i, k := range keys {
			tag, err := tx.Exec(ctx, qSignalSeen, personID, k.Fingerprint[:], k.Rule, ts(at))
			if err != nil {
				return err
			}
			fresh[i] = tag.RowsAffected() == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: record signals of %s: %w", personID, err)
	}
	return fresh, nil
}
