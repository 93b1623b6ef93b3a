package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	vet "github.com/interdict/interdict/internal/analysis/people"
)

var _ vet.CaseStore = (*Store)(nil)

// Case queries (schema: migrations/0011_people_workflows.up.sql).
const (
	qInsertCase = `INSERT INTO people_cases (id, status, disposition, decided, opened, opened_by, reason, updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertCasePerson = `INSERT INTO people_case_persons (case_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qInsertCaseEvent  = `INSERT INTO people_case_events (case_id, seq, at, actor, action, disposition, text, signals)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qNextCaseSeq  = `SELECT COALESCE(MAX(seq), 0) + 1 FROM people_case_events WHERE case_id = ?`
	qUpdateCase   = `UPDATE people_cases SET status = ?, disposition = ?, decided = ?, updated = ? WHERE id = ?`
	qTouchCase    = `UPDATE people_cases SET updated = ? WHERE id = ?`
	caseColumns   = `c.id, c.status, c.disposition, c.decided, c.opened, c.opened_by, c.reason, c.updated`
	qCase         = `SELECT ` + caseColumns + ` FROM people_cases c WHERE c.id = ?`
	qCasePersons  = `SELECT person_id FROM people_case_persons WHERE case_id = ? ORDER BY person_id`
	qCaseEvents   = `SELECT seq, at, actor, action, disposition, text, signals FROM people_case_events WHERE case_id = ? ORDER BY seq`
	qSignalSeen   = `INSERT INTO people_signals_seen (person_id, fingerprint, rule, first_seen) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	casesOrderBy  = ` ORDER BY c.opened DESC, c.id LIMIT ?`
	casesByPerson = ` JOIN people_case_persons p ON p.case_id = c.id AND p.person_id = ?`
)

// CreateCase implements people.CaseStore.
func (s *Store) CreateCase(ctx context.Context, c vet.Case, first vet.CaseEvent) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qInsertCase, c.ID, string(c.Status), string(c.Disposition), nullMicros(c.Decided),
			toMicros(c.Opened), c.OpenedBy, c.Reason, toMicros(c.Updated)); err != nil {
			return err
		}
		for _, p := range c.Persons {
			if _, err := tx.ExecContext(ctx, qInsertCasePerson, c.ID, p); err != nil {
				return err
			}
		}
		first.Seq = 1
		return insertCaseEvent(ctx, tx, c.ID, first)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create case %s: %w", c.ID, err)
	}
	return nil
}

func insertCaseEvent(ctx context.Context, tx *sql.Tx, id string, e vet.CaseEvent) error {
	_, err := tx.ExecContext(ctx, qInsertCaseEvent, id, e.Seq, toMicros(e.At), e.Actor, string(e.Action),
		string(e.Disposition), e.Text, strings.Join(e.Signals, "\n"))
	return err
}

// AppendCaseEvent implements people.CaseStore.
func (s *Store) AppendCaseEvent(ctx context.Context, id string, e vet.CaseEvent, next *vet.CaseState) (vet.CaseEvent, error) {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var (
			res sql.Result
			err error
		)
		if next == nil {
			res, err = tx.ExecContext(ctx, qTouchCase, toMicros(e.At), id)
		} else {
			res, err = tx.ExecContext(ctx, qUpdateCase, string(next.Status), string(next.Disposition), nullMicros(next.Decided), toMicros(e.At), id)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return vet.ErrCaseNotFound
		}
		if next != nil {
			for _, p := range next.AddPersons {
				if _, err := tx.ExecContext(ctx, qInsertCasePerson, id, p); err != nil {
					return err
				}
			}
		}
		if err := tx.QueryRowContext(ctx, qNextCaseSeq, id).Scan(&e.Seq); err != nil {
			return err
		}
		return insertCaseEvent(ctx, tx, id, e)
	})
	if err != nil {
		return vet.CaseEvent{}, fmt.Errorf("sqlite: case %s: append event: %w", id, err)
	}
	return e, nil
}

func scanCase(sc rowScanner) (vet.Case, error) {
	var (
		c                     vet.Case
		status, disp          string
		decided               sql.NullInt64
		opened, updatedMicros int64
	)
	if err := sc.Scan(&c.ID, &status, &disp, &decided, &opened, &c.OpenedBy, &c.Reason, &updatedMicros); err != nil {
		return c, err
	}
	c.Status, c.Disposition = vet.CaseStatus(status), vet.Disposition(disp)
	c.Decided, c.Opened, c.Updated = fromNullMicros(decided), fromMicros(opened), fromMicros(updatedMicros)
	return c, nil
}

func (s *Store) casePersons(ctx context.Context, c *vet.Case) error {
	rows, err := s.reader.QueryContext(ctx, qCasePersons, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return err
		}
		c.Persons = append(c.Persons, p)
	}
	return rows.Err()
}

// Case implements people.CaseStore.
func (s *Store) Case(ctx context.Context, id string) (vet.Case, error) {
	c, err := scanCase(s.reader.QueryRowContext(ctx, qCase, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("sqlite: case %s: %w", id, vet.ErrCaseNotFound)
	}
	if err == nil {
		err = s.casePersons(ctx, &c)
	}
	if err == nil {
		err = s.caseEvents(ctx, &c)
	}
	if err != nil {
		return vet.Case{}, fmt.Errorf("sqlite: case %s: %w", id, err)
	}
	return c, nil
}

func (s *Store) caseEvents(ctx context.Context, c *vet.Case) error {
	rows, err := s.reader.QueryContext(ctx, qCaseEvents, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e                    vet.CaseEvent
			at                   int64
			action, disp, signal string
		)
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &action, &disp, &e.Text, &signal); err != nil {
			return err
		}
		e.At, e.Action, e.Disposition = fromMicros(at), vet.Action(action), vet.Disposition(disp)
		if signal != "" {
			e.Signals = strings.Split(signal, "\n")
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
		q += casesByPerson
		args = append(args, f.PersonID)
	}
	if f.Status != "" {
		q += ` WHERE c.status = ?`
		args = append(args, string(f.Status))
	}
	rows, err := s.reader.QueryContext(ctx, q+casesOrderBy, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	var out []vet.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: cases: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: cases: %w", err)
	}
	for i := range out {
		if err := s.casePersons(ctx, &out[i]); err != nil {
			return nil, fmt.Errorf("sqlite: cases: %w", err)
		}
	}
	return out, nil
}

// RecordSignals implements people.CaseStore.
func (s *Store) RecordSignals(ctx context.Context, personID string, keys []vet.SignalKey, at time.Time) ([]bool, error) {
	fresh := make([]bool, len(keys))
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for i, k := range keys {
			res, err := tx.ExecContext(ctx, qSignalSeen, personID, k.Fingerprint[:], k.Rule, toMicros(at))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			fresh[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: record signals of %s: %w", personID, err)
	}
	return fresh, nil
}
