package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/inspect"
)

// The self-inspection store (inspect.Store).

const (
	qInspectCreate   = `INSERT INTO inspect_inspections (id, org, title, created_at, previous) VALUES ($1, $2, $3, $4, $5)`
	qInspectGet      = `SELECT id, org, title, created_at, previous FROM inspect_inspections WHERE id = $1`
	qInspectList     = `SELECT id, org, title, created_at, previous FROM inspect_inspections WHERE $1 = '' OR org = $1 ORDER BY created_at, id`
	qInspectLock     = `SELECT 1 FROM inspect_inspections WHERE id = $1 FOR SHARE`
	qInspectAnswer   = `INSERT INTO inspect_answers (inspection, control, status, justification, note, answered_by, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	qInspectAnswers  = `SELECT DISTINCT ON (control) control, status, justification, note, answered_by, answered_at FROM inspect_answers WHERE inspection = $1 ORDER BY control, seq DESC`
	qInspectHistory  = `SELECT control, status, justification, note, answered_by, answered_at FROM inspect_answers WHERE inspection = $1 AND control = $2 ORDER BY seq`
	qInspectEvidence = `INSERT INTO inspect_evidence (inspection, id, control, kind, title, owner, taken_at, expires_at, sha256, uri, collector) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	qInspectEvList   = `SELECT id, control, kind, title, owner, taken_at, expires_at, sha256, uri, collector FROM inspect_evidence WHERE inspection = $1 ORDER BY control, id`
)

// CreateInspection stores a new inspection; its id must be new.
func (s *Store) CreateInspection(ctx context.Context, in inspect.Inspection) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if in.Created.IsZero() {
		in.Created = now()
	}
	_, err := s.pool.Exec(ctx, qInspectCreate, in.ID, in.Org, in.Title, in.Created.UTC(), in.Previous)
	if isUnique(err) {
		return fmt.Errorf("%w: inspection %s", inspect.ErrExists, in.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: create inspection %s: %w", in.ID, err)
	}
	return nil
}

// Inspection returns one inspection.
func (s *Store) Inspection(ctx context.Context, id string) (inspect.Inspection, error) {
	in, err := scanInspection(s.pool.QueryRow(ctx, qInspectGet, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return inspect.Inspection{}, fmt.Errorf("%w: inspection %s", inspect.ErrNotFound, id)
	}
	if err != nil {
		return inspect.Inspection{}, fmt.Errorf("postgres: inspection %s: %w", id, err)
	}
	return in, nil
}

func scanInspection(row pgx.Row) (inspect.Inspection, error) {
	var in inspect.Inspection
	if err := row.Scan(&in.ID, &in.Org, &in.Title, &in.Created, &in.Previous); err != nil {
		return inspect.Inspection{}, err
	}
	in.Created = in.Created.UTC()
	return in, nil
}

// Inspections lists inspections oldest first, of one organisation or all.
func (s *Store) Inspections(ctx context.Context, org string) ([]inspect.Inspection, error) {
	rows, err := s.pool.Query(ctx, qInspectList, org)
	if err != nil {
		return nil, fmt.Errorf("postgres: inspections: %w", err)
	}
	defer rows.Close()
	var out []inspect.Inspection
	for rows.Next() {
		in, err := scanInspection(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: inspections: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// inInspection runs fn in a transaction holding a share lock on the
// inspection's row, or fails with inspect.ErrNotFound.
func (s *Store) inInspection(ctx context.Context, id string, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var one int
	if err := tx.QueryRow(ctx, qInspectLock, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: inspection %s", inspect.ErrNotFound, id)
	} else if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// PutAnswer records an answer; earlier answers stay in the history.
func (s *Store) PutAnswer(ctx context.Context, inspection string, a inspect.Answer) error {
	if err := a.Validate(nil); err != nil {
		return err
	}
	err := s.inInspection(ctx, inspection, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, qInspectAnswer, inspection, a.Control, string(a.Status), a.Justification, a.Note, a.By, a.At.UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: answer %s in %s: %w", a.Control, inspection, err)
	}
	return nil
}

func (s *Store) answers(ctx context.Context, q string, args ...any) ([]inspect.Answer, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inspect.Answer
	for rows.Next() {
		var (
			a  inspect.Answer
			st string
		)
		if err := rows.Scan(&a.Control, &st, &a.Justification, &a.Note, &a.By, &a.At); err != nil {
			return nil, err
		}
		a.Status, a.At = inspect.Status(st), a.At.UTC()
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
		return nil, fmt.Errorf("postgres: answers of %s: %w", inspection, err)
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
		return nil, fmt.Errorf("postgres: answer history of %s in %s: %w", control, inspection, err)
	}
	return out, nil
}

// AddEvidence stores an evidence item; its id must be new in the inspection.
func (s *Store) AddEvidence(ctx context.Context, inspection string, e inspect.Evidence) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var exp *time.Time
	if !e.Expires.IsZero() {
		t := e.Expires.UTC()
		exp = &t
	}
	err := s.inInspection(ctx, inspection, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, qInspectEvidence, inspection, e.ID, e.Control, string(e.Kind), e.Title, e.Owner,
			e.Date.UTC(), exp, e.SHA256, e.URI, e.Collector)
		if isUnique(err) {
			return fmt.Errorf("%w: evidence %s", inspect.ErrExists, e.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: evidence %s in %s: %w", e.ID, inspection, err)
	}
	return nil
}

// Evidence lists an inspection's evidence by control and id.
func (s *Store) Evidence(ctx context.Context, inspection string) ([]inspect.Evidence, error) {
	if _, err := s.Inspection(ctx, inspection); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, qInspectEvList, inspection)
	if err != nil {
		return nil, fmt.Errorf("postgres: evidence of %s: %w", inspection, err)
	}
	defer rows.Close()
	var out []inspect.Evidence
	for rows.Next() {
		var (
			e    inspect.Evidence
			kind string
			exp  *time.Time
		)
		if err := rows.Scan(&e.ID, &e.Control, &kind, &e.Title, &e.Owner, &e.Date, &exp, &e.SHA256, &e.URI, &e.Collector); err != nil {
			return nil, fmt.Errorf("postgres: evidence of %s: %w", inspection, err)
		}
		e.Kind, e.Date = inspect.EvidenceKind(kind), e.Date.UTC()
		if exp != nil {
			e.Expires = exp.UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
