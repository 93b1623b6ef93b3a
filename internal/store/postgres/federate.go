package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/notify/federate"
)

// The federation store (federate.Store): outbox, cursors, rejections.

const (
	fedOutboxCols = `seq, peer, record_id, indicator_id, state, attempts, created_at, queued_at, next_at, last_attempt_at, delivered_at, last_error`

	qFedOutboxAdd = `INSERT INTO federate_outbox (peer, record_id, indicator_id, object, state, created_at, queued_at, next_at)
VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) ON CONFLICT (peer, record_id) DO NOTHING`
	qFedOutboxDue = `SELECT ` + fedOutboxCols + `, object FROM federate_outbox
WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, seq LIMIT $2`
	qFedOutboxDelivered = `UPDATE federate_outbox SET state = 'delivered', attempts = attempts + 1, last_attempt_at = $1, delivered_at = $1, last_error = ''
WHERE peer = $2 AND record_id = $3`
	qFedOutboxFailed = `UPDATE federate_outbox SET state = $1, attempts = attempts + 1, last_attempt_at = $2, next_at = $3, last_error = $4
WHERE peer = $5 AND record_id = $6 AND state <> 'delivered'`
	qFedOutboxExists = `SELECT 1 FROM federate_outbox WHERE peer = $1 AND record_id = $2`
	qFedOutboxList   = `SELECT ` + fedOutboxCols + ` FROM federate_outbox
WHERE ($1 = '' OR peer = $1) AND ($2 = '' OR state = $2) ORDER BY seq LIMIT $3`
	qFedOutboxRequeue = `UPDATE federate_outbox SET state = 'pending', attempts = 0, queued_at = $1, next_at = $1
WHERE state = 'dead' AND ($2 = '' OR peer = $2) AND ($3 = '' OR record_id = $3)`
	qFedCursor     = `SELECT value FROM federate_cursors WHERE name = $1`
	qFedPutCursor  = `INSERT INTO federate_cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`
	qFedRejectAdd  = `INSERT INTO federate_rejections (at, source, via, object_id, version, record_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	qFedRejectList = `SELECT seq, at, source, via, object_id, version, record_id, reason FROM federate_rejections ORDER BY seq DESC LIMIT $1`
)

func fedLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return n
}

// OutboxAdd queues deliveries; an entry for the same peer and record stays.
func (s *Store) OutboxAdd(ctx context.Context, ds []federate.Delivery) (int, error) {
	// Insert in key order: two transactions queueing overlapping entries
	// in different orders would otherwise deadlock on the unique index.
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(a, b federate.Delivery) int {
		return cmp.Or(strings.Compare(a.Peer, b.Peer), strings.Compare(a.RecordID, b.RecordID))
	})
	n := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		n = 0
		at := now()
		for _, d := range ds {
			created, queued, next := d.Created, d.Queued, d.NextAt
			if created.IsZero() {
				created = at
			}
			if queued.IsZero() {
				queued = created
			}
			if next.IsZero() {
				next = queued
			}
			tag, err := tx.Exec(ctx, qFedOutboxAdd, d.Peer, d.RecordID, d.IndicatorID, []byte(d.Object), ts(created), ts(queued), ts(next))
			if err != nil {
				return err
			}
			n += int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: outbox add: %w", err)
	}
	return n, nil
}

func scanFedDelivery(row pgx.Row, withObject bool) (federate.Delivery, error) {
	var (
		d           federate.Delivery
		state       string
		last, deliv *time.Time
	)
	dst := []any{&d.Seq, &d.Peer, &d.RecordID, &d.IndicatorID, &state, &d.Attempts, &d.Created, &d.Queued, &d.NextAt, &last, &deliv, &d.LastError}
	var obj []byte
	if withObject {
		dst = append(dst, &obj)
	}
	if err := row.Scan(dst...); err != nil {
		return d, err
	}
	d.State, d.Object = federate.DeliveryState(state), obj
	d.Created, d.Queued, d.NextAt = d.Created.UTC(), d.Queued.UTC(), d.NextAt.UTC()
	if last != nil {
		d.LastAttempt = last.UTC()
	}
	if deliv != nil {
		d.DeliveredAt = deliv.UTC()
	}
	return d, nil
}

func (s *Store) fedDeliveries(ctx context.Context, withObject bool, q string, args ...any) ([]federate.Delivery, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federate.Delivery
	for rows.Next() {
		d, err := scanFedDelivery(rows, withObject)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// OutboxDue returns the pending entries due at now, oldest due first.
func (s *Store) OutboxDue(ctx context.Context, at time.Time, limit int) ([]federate.Delivery, error) {
	out, err := s.fedDeliveries(ctx, true, qFedOutboxDue, ts(at), fedLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: outbox due: %w", err)
	}
	return out, nil
}

// OutboxDelivered marks an entry delivered.
func (s *Store) OutboxDelivered(ctx context.Context, peer, recordID string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, qFedOutboxDelivered, ts(at), peer, recordID)
	if err != nil {
		return fmt.Errorf("postgres: outbox delivered: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: delivery of %s to %s", federate.ErrNotFound, recordID, peer)
	}
	return nil
}

// OutboxFailed records a failed attempt.
func (s *Store) OutboxFailed(ctx context.Context, f federate.Failure) error {
	state := federate.Pending
	if f.Dead {
		state = federate.Dead
	}
	tag, err := s.pool.Exec(ctx, qFedOutboxFailed, string(state), ts(f.At), ts(f.NextAt), f.Error, f.Peer, f.RecordID)
	if err != nil {
		return fmt.Errorf("postgres: outbox failed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var one int
		err := s.pool.QueryRow(ctx, qFedOutboxExists, f.Peer, f.RecordID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: delivery of %s to %s", federate.ErrNotFound, f.RecordID, f.Peer)
		}
		// Delivered already (another node): a late failure changes nothing.
	}
	return nil
}

// OutboxList lists entries by seq, without objects.
func (s *Store) OutboxList(ctx context.Context, q federate.OutboxQuery) ([]federate.Delivery, error) {
	out, err := s.fedDeliveries(ctx, false, qFedOutboxList, q.Peer, string(q.State), fedLimit(q.Limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: outbox list: %w", err)
	}
	return out, nil
}

// OutboxRequeue makes dead entries pending again.
func (s *Store) OutboxRequeue(ctx context.Context, peer, recordID string, at time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, qFedOutboxRequeue, ts(at), peer, recordID)
	if err != nil {
		return 0, fmt.Errorf("postgres: outbox requeue: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// FederationCursor returns a resume point, "" if none.
func (s *Store) FederationCursor(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, qFedCursor, name).Scan(&v)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: federation cursor: %w", err)
	}
	return v, nil
}

// PutFederationCursor sets a resume point.
func (s *Store) PutFederationCursor(ctx context.Context, name, value string) error {
	if _, err := s.pool.Exec(ctx, qFedPutCursor, name, value); err != nil {
		return fmt.Errorf("postgres: put federation cursor: %w", err)
	}
	return nil
}

// AddFederationRejection records a rejected object.
func (s *Store) AddFederationRejection(ctx context.Context, r federate.Rejection) error {
	if r.At.IsZero() {
		r.At = now()
	}
	if _, err := s.pool.Exec(ctx, qFedRejectAdd, ts(r.At), r.Source, r.Via, r.ObjectID, r.Version, r.RecordID, r.Reason); err != nil {
		return fmt.Errorf("postgres: add federation rejection: %w", err)
	}
	return nil
}

// FederationRejections lists the latest rejections, newest first.
func (s *Store) FederationRejections(ctx context.Context, limit int) ([]federate.Rejection, error) {
	rows, err := s.pool.Query(ctx, qFedRejectList, fedLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: federation rejections: %w", err)
	}
	defer rows.Close()
	var out []federate.Rejection
	for rows.Next() {
		var r federate.Rejection
		if err := rows.Scan(&r.Seq, &r.At, &r.Source, &r.Via, &r.ObjectID, &r.Version, &r.RecordID, &r.Reason); err != nil {
			return nil, fmt.Errorf("postgres: federation rejections: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
