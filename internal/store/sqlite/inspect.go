package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/interdict/interdict/internal/action/inspect"
)

// The self-inspection store (inspect.Store).

const (
	qInspectCreate   = `INSERT INTO inspect_inspections (id, org, title, created_at, previous) VALUES (?, ?, ?, ?, ?)`
	qInspectGet      = `SELECT id, org, title, created_at, previous FROM inspect_inspections WHERE id = ?`
	qInspectList     = `SELECT id, org, title, created_at, previous FROM inspect_inspections WHERE ? = '' OR org = ? ORDER BY created_at, id`
	qInspectExists   = `SELECT 1 FROM inspect_inspections WHERE id = ?`
	qInspectAnswer   = `INSERT INTO inspect_answers (inspection, control, status, justification, note, answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qInspectAnswers  = `SELECT control, status, justification, note, answered_by, answered_at FROM inspect_answers a WHERE inspection = ? AND seq = (SELECT max(seq) FROM inspect_answers b WHERE b.inspection = a.inspection AND b.control = a.control) ORDER BY control`
	qInspectHistory  = `SELECT control, status, justification, note, answered_by, answered_at FROM inspect_answers WHERE inspection = ? AND control = ? ORDER BY seq`
	qInspectEvidence = `INSERT INTO inspect_evidence (inspection, id, control, kind, title, owner, taken_at, expires_at, sha256, uri, collector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qInspectEvList   = `SELECT id, control, kind, title, owner, taken_at, expires_at, sha256, uri, collector FROM inspect_evidence WHERE inspection = ? ORDER BY control, id`
)

// CreateInspection stores a new inspection; its id must be new.
func (s *Store) CreateInspection(ctx context.Context, in inspect.Inspection) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if in.Created.IsZero() {
		in.Created = now()
	}
	_, err := s.writer.ExecContext(ctx, qInspectCreate, in.ID, in.Org, in.Title, toMicros(in.Created), in.Previous)
	if isUnique(err) {
		return fmt.Errorf("%w: inspection %s", inspect.ErrExists, in.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create inspection %s: %w", in.ID, err)
	}
	return nil
}

// Inspection returns one inspection.
func (s *Store) Inspection(ctx context.Context, id string) (inspect.Inspection, error) {
	in, err := scanInspection(s.reader.QueryRowContext(ctx, qInspectGet, id))
	if errors.Is(err, sql.ErrNoRows) {
		return inspect.Inspection{}, fmt.Errorf("%w: inspection %s", inspect.ErrNotFound, id)
	}
	if err != nil {
		return inspect.Inspection{}, fmt.Errorf("sqlite: inspection %s: %w", id, err)
	}
	return in, nil
}

func scanInspection(row interface{ Scan(...any) error }) (inspect.Inspection, error) {
	var (
		in inspect.Inspection
		us int64
	)
	if err := row.Scan(&in.ID, &in.Org, &in.Title, &us, &in.Previous); err != nil {
		return inspect.Inspection{}, err
	}
	in.Created = fromMicros(us)
	return in, nil
}

// Inspections lists inspections oldest first, of one organisation or all.
func (s *Store) Inspections(ctx context.Context, org string) ([]inspect.Inspection, error) {
	rows, err := s.reader.QueryContext(ctx, qInspectList, org, org)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspections: %w", err)
	}
	defer rows.Close()
	var out []inspect.Inspection
	for rows.Next() {
		in, err := scanInspection(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inspections: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// existsTx fails with inspect.ErrNotFound unless the inspection exists.
func existsTx(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, qInspectExists, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: inspection %s", inspect.ErrNotFound, id)
	}
	return err
}

// PutAnswer records an answer; earlier answers stay in the history.
func (s *Store) PutAnswer(ctx context.Context, inspection string, a inspect.Answer) error {
	if err := a.Validate(nil); err != nil {
		return err
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := existsTx(ctx, tx, inspection); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qInspectAnswer, inspection, a.Control, string(a.Status), a.Justification, a.Note, a.By, toMicros(a.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: answer %s in %s: %w", a.Control, inspection, err)
	}
	return nil
}

func (s *Store) answers(ctx context.Context, q string, args ...any) ([]inspect.Answer, error) {
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inspect.Answer
	for rows.Next() {
		var (
			a  inspect.Answer
			st string
			us int64
		)
		if err := rows.Scan(&a.Control, &st, &a.Justification, &a.Note, &a.By, &us); err != nil {
			return nil, err
		}
		a.Status, a.At = inspect.Status(st), fromMicros(us)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Answers returns the latest answer per control.
func (s *Store) Answers(ctx context.Context, inspection string) ([]inspect.Answer, error) {
	if _, err := s.Inspection(ctx, inspection); err != nil {
		return nil, err
	}
	out, err := s.answers(ctx, qInspectAnswers, inspection)
	if err != nil {
		return nil, fmt.Errorf("sqlite: answers of %s: %w", inspection, err)
	}
	return out, nil
}

// AnswerHistory returns every answer to one control, oldest first.
func (s *Store) AnswerHistory(ctx context.Context, inspection, control string) ([]inspect.Answer, error) {
	if _, err := s.Inspection(ctx, inspection); err != nil {
		return nil, err
	}
	out, err := s.answers(ctx, qInspectHistory, inspection, control)
	if err != nil {
		return nil, fmt.Errorf("sqlite: answer history of %s in %s: %w", control, inspection, err)
	}
	return out, nil
}

// AddEvidence stores an evidence item; its id must be new in the inspection.
func (s *Store) AddEvidence(ctx context.Context, inspection string, e inspect.Evidence) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var exp int64
	if !e.Expires.IsZero() {
		exp = toMicros(e.Expires)
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := existsTx(ctx, tx, inspection); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qInspectEvidence, inspection, e.ID, e.Control, string(e.Kind), e.Title, e.Owner,
			toMicros(e.Date), exp, e.SHA256, e.URI, e.Collector)
		if isUnique(err) {
			return fmt.Errorf("%w: evidence %s", inspect.ErrExists, e.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: evidence %s in %s: %w", e.ID, inspection, err)
	}
	return nil
}

// Evidence lists an inspection's evidence by control and id.
func (s *Store) Evidence(ctx context.Context, inspection string) ([]inspect.Evidence, error) {
	if _, err := s.Inspection(ctx, inspection); err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, qInspectEvList, inspection)
	if err != nil {
		return nil, fmt.Errorf("sqlite: evidence of %s: %w", inspection, err)
	}
	defer rows.Close()
	var out []inspect.Evidence
	for rows.Next() {
		var (
			e       inspect.Evidence
			kind    string
			at, exp int64
		)
		if err := rows.Scan(&e.ID, &e.Control, &kind, &e.Title, &e.Owner, &at, &exp, &e.SHA256, &e.URI, &e.Collector); err != nil {
			return nil, fmt.Errorf("sqlite: evidence of %s: %w", inspection, err)
		}
		e.Kind, e.Date = inspect.EvidenceKind(kind), fromMicros(at)
		if exp != 0 {
			e.Expires = fromMicros(exp)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
