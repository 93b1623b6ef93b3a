package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/notify/federate"
)

// The federation store (federate.Store): outbox, cursors, rejections.

const (
	fedOutboxCols = `seq, peer, record_id, indicator_id, state, attempts, created_at, queued_at, next_at, last_attempt_at, delivered_at, last_error`

	qFedOutboxAdd = `INSERT INTO federate_outbox (peer, record_id, indicator_id, object, state, created_at, queued_at, next_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (peer, record_id) DO NOTHING`
	qFedOutboxDue = `SELECT ` + fedOutboxCols + `, object FROM federate_outbox
WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT ?`
	qFedOutboxDelivered = `UPDATE federate_outbox SET state = 'delivered', attempts = attempts + 1, last_attempt_at = ?, delivered_at = ?, last_error = ''
WHERE peer = ? AND record_id = ?`
	qFedOutboxFailed = `UPDATE federate_outbox SET state = ?, attempts = attempts + 1, last_attempt_at = ?, next_at = ?, last_error = ?
WHERE peer = ? AND record_id = ? AND state <> 'delivered'`
	qFedOutboxExists = `SELECT 1 FROM federate_outbox WHERE peer = ? AND record_id = ?`
	qFedOutboxList   = `SELECT ` + fedOutboxCols + ` FROM federate_outbox
WHERE (? = '' OR peer = ?) AND (? = '' OR state = ?) ORDER BY seq LIMIT ?`
	qFedOutboxRequeue = `UPDATE federate_outbox SET state = 'pending', attempts = 0, queued_at = ?, next_at = ?
WHERE state = 'dead' AND (? = '' OR peer = ?) AND (? = '' OR record_id = ?)`
	qFedCursor     = `SELECT value FROM federate_cursors WHERE name = ?`
	qFedPutCursor  = `INSERT INTO federate_cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`
	qFedRejectAdd  = `INSERT INTO federate_rejections (at, source, via, object_id, version, record_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`
	qFedRejectList = `SELECT seq, at, source, via, object_id, version, record_id, reason FROM federate_rejections ORDER BY seq DESC LIMIT ?`
)

func fedLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return n
}

// micros0 writes a time that may be zero ("never") as 0.
func micros0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toMicros(t)
}

func fromMicros0(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

// OutboxAdd queues deliveries; an entry for the same peer and record stays.
func (s *Store) OutboxAdd(ctx context.Context, ds []federate.Delivery) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		st, err := tx.PrepareContext(ctx, qFedOutboxAdd)
		if err != nil {
			return err
		}
		defer st.Close()
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
			res, err := st.ExecContext(ctx, d.Peer, d.RecordID, d.IndicatorID, []byte(d.Object), toMicros(created), toMicros(queued), toMicros(next))
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: outbox add: %w", err)
	}
	return n, nil
}

func scanFedDelivery(row interface{ Scan(...any) error }, withObject bool) (federate.Delivery, error) {
	var (
		d                                  federate.Delivery
		state                              string
		created, queued, next, last, deliv int64
	)
	dst := []any{&d.Seq, &d.Peer, &d.RecordID, &d.IndicatorID, &state, &d.Attempts, &created, &queued, &next, &last, &deliv, &d.LastError}
	var obj []byte
	if withObject {
		dst = append(dst, &obj)
	}
	if err := row.Scan(dst...); err != nil {
		return d, err
	}
	d.State, d.Object = federate.DeliveryState(state), obj
	d.Created, d.Queued, d.NextAt = fromMicros(created), fromMicros(queued), fromMicros(next)
	d.LastAttempt, d.DeliveredAt = fromMicros0(last), fromMicros0(deliv)
	return d, nil
}

func (s *Store) fedDeliveries(ctx context.Context, withObject bool, q string, args ...any) ([]federate.Delivery, error) {
	rows, err := s.reader.QueryContext(ctx, q, args...)
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
	out, err := s.fedDeliveries(ctx, true, qFedOutboxDue, toMicros(at), fedLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox due: %w", err)
	}
	return out, nil
}

// OutboxDelivered marks an entry delivered.
func (s *Store) OutboxDelivered(ctx context.Context, peer, recordID string, at time.Time) error {
	res, err := s.writer.ExecContext(ctx, qFedOutboxDelivered, toMicros(at), toMicros(at), peer, recordID)
	if err != nil {
		return fmt.Errorf("sqlite: outbox delivered: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
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
	res, err := s.writer.ExecContext(ctx, qFedOutboxFailed, string(state), toMicros(f.At), toMicros(f.NextAt), f.Error, f.Peer, f.RecordID)
	if err != nil {
		return fmt.Errorf("sqlite: outbox failed: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		var one int
		err := s.reader.QueryRowContext(ctx, qFedOutboxExists, f.Peer, f.RecordID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: delivery of %s to %s", federate.ErrNotFound, f.RecordID, f.Peer)
		}
		// Delivered already (another node): a late failure changes nothing.
	}
	return nil
}

// OutboxList lists entries by seq, without objects.
func (s *Store) OutboxList(ctx context.Context, q federate.OutboxQuery) ([]federate.Delivery, error) {
	out, err := s.fedDeliveries(ctx, false, qFedOutboxList, q.Peer, q.Peer, string(q.State), string(q.State), fedLimit(q.Limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox list: %w", err)
	}
	return out, nil
}

// OutboxRequeue makes dead entries pending again.
func (s *Store) OutboxRequeue(ctx context.Context, peer, recordID string, at time.Time) (int, error) {
	res, err := s.writer.ExecContext(ctx, qFedOutboxRequeue, toMicros(at), toMicros(at), peer, peer, recordID, recordID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: outbox requeue: %w", err)
	}
	k, _ := res.RowsAffected()
	return int(k), nil
}

// FederationCursor returns a resume point, "" if none.
func (s *Store) FederationCursor(ctx context.Context, name string) (string, error) {
	var v string
	err := s.reader.QueryRowContext(ctx, qFedCursor, name).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: federation cursor: %w", err)
	}
	return v, nil
}

// PutFederationCursor sets a resume point.
func (s *Store) PutFederationCursor(ctx context.Context, name, value string) error {
	if _, err := s.writer.ExecContext(ctx, qFedPutCursor, name, value); err != nil {
		return fmt.Errorf("sqlite: put federation cursor: %w", err)
	}
	return nil
}

// AddFederationRejection records a rejected object.
func (s *Store) AddFederationRejection(ctx context.Context, r federate.Rejection) error {
	if r.At.IsZero() {
		r.At = now()
	}
	if _, err := s.writer.ExecContext(ctx, qFedRejectAdd, toMicros(r.At), r.Source, r.Via, r.ObjectID, r.Version, r.RecordID, r.Reason); err != nil {
		return fmt.Errorf("sqlite: add federation rejection: %w", err)
	}
	return nil
}

// FederationRejections lists the latest rejections, newest first.
func (s *Store) FederationRejections(ctx context.Context, limit int) ([]federate.Rejection, error) {
	rows, err := s.reader.QueryContext(ctx, qFedRejectList, fedLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: federation rejections: %w", err)
	}
	defer rows.Close()
	var out []federate.Rejection
	for rows.Next() {
		var (
			r  federate.Rejection
			at int64
		)
		if err := rows.Scan(&r.Seq, &at, &r.Source, &r.Via, &r.ObjectID, &r.Version, &r.RecordID, &r.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: federation rejections: %w", err)
		}
		r.At = fromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
