package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
)

// The alert delivery store (deliver.Store): webhook endpoints, deliveries
// and attempts, in the deliver_* tables of migration 0010.

const (
	qDeliverAddEndpoint = `INSERT INTO deliver_endpoints (id, url, secret, member, cursor, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	qDeliverEndpoints   = `SELECT id, url, secret, member, cursor, created_at FROM deliver_endpoints ORDER BY id`
	qDeliverRemove      = `DELETE FROM deliver_endpoints WHERE id = ?`
	qDeliverInsert      = `INSERT INTO deliver_deliveries (endpoint, event_id, payload, state, attempts, next_attempt_at,
		expires_at, created_at, updated_at, last_status, last_error)
		VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, 0, '') ON CONFLICT (endpoint, event_id) DO NOTHING`
	qDeliverCursor = `UPDATE deliver_endpoints SET cursor = MAX(cursor, ?) WHERE id = ?`
	deliveryCols   = `id, endpoint, event_id, payload, state, attempts, next_attempt_at, expires_at, created_at,
		updated_at, last_status, last_error`
	qDeliverDue = `SELECT ` + deliveryCols + ` FROM deliver_deliveries
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
	qDeliverClaim   = `UPDATE deliver_deliveries SET next_attempt_at = ? WHERE id = ?`
	qDeliverAttempt = `INSERT INTO deliver_attempts (delivery, n, at, status, error, duration_us) VALUES (?, ?, ?, ?, ?, ?)`
	qDeliverOutcome = `UPDATE deliver_deliveries SET state = ?, attempts = MAX(attempts, ?), next_attempt_at = ?,
		updated_at = ?, last_status = ?, last_error = ? WHERE id = ?`
	qDeliverOne      = `SELECT ` + deliveryCols + ` FROM deliver_deliveries WHERE id = ?`
	qDeliverAttempts = `SELECT delivery, n, at, status, error, duration_us FROM deliver_attempts WHERE delivery = ? ORDER BY n`
	qDeliverRequeue  = `UPDATE deliver_deliveries SET state = 'pending', next_attempt_at = ?, expires_at = ?, updated_at = ?
		WHERE id = ? AND state = 'dead'`
)

const (
	qDeliverPublish = `INSERT INTO deliver_events (key, member, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`
	qDeliverAfter   = `SELECT seq, member, payload FROM deliver_events WHERE seq > ? ORDER BY seq LIMIT ?`
)

// Publish appends alerts to the delivery log; see deliver.Outbox. The one
// writer connection makes numbers follow commit order.
func (s *Store) Publish(ctx context.Context, events []deliver.Published) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = publishTx(ctx, tx, events)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: publish alerts: %w", err)
	}
	return n, nil
}

// publishTx publishes inside a caller's transaction: the watch store's
// block commit can publish its alerts atomically with writing them.
func publishTx(ctx context.Context, tx *sql.Tx, events []deliver.Published) (int, error) {
	stmt, err := tx.PrepareContext(ctx, qDeliverPublish)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	at, n := toMicros(now()), 0
	for _, e := range events {
		if e.Key == "" {
			return 0, fmt.Errorf("an event without a key: %w", deliver.ErrInvalid)
		}
		res, err := stmt.ExecContext(ctx, e.Key, e.Member, []byte(e.Payload), at)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// AlertsAfter reads the delivery log; see deliver.AlertSource.
func (s *Store) AlertsAfter(ctx context.Context, after int64, limit int) ([]deliver.Event, error) {
	rows, err := s.reader.QueryContext(ctx, qDeliverAfter, after, defaultLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: alerts after %d: %w", after, err)
	}
	defer rows.Close()
	var out []deliver.Event
	for rows.Next() {
		var (
			e       deliver.Event
			payload []byte
		)
		if err := rows.Scan(&e.ID, &e.Member, &payload); err != nil {
			return nil, fmt.Errorf("sqlite: alerts after %d: %w", after, err)
		}
		e.Payload = payload
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: alerts after %d: %w", after, err)
	}
	return out, nil
}

// AddEndpoint registers a webhook endpoint; see deliver.Store.
func (s *Store) AddEndpoint(ctx context.Context, e deliver.Endpoint) error {
	created := e.CreatedAt
	if created.IsZero() {
		created = now()
	}
	_, err := s.writer.ExecContext(ctx, qDeliverAddEndpoint, e.ID, e.URL, e.Secret, e.Member, e.Cursor, toMicros(created))
	if isUnique(err) {
		return fmt.Errorf("sqlite: add webhook endpoint %s: %w", e.ID, deliver.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("sqlite: add webhook endpoint %s: %w", e.ID, err)
	}
	return nil
}

// Endpoints lists the webhook endpoints by id.
func (s *Store) Endpoints(ctx context.Context) ([]deliver.Endpoint, error) {
	rows, err := s.reader.QueryContext(ctx, qDeliverEndpoints)
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []deliver.Endpoint
	for rows.Next() {
		var (
			e  deliver.Endpoint
			at int64
		)
		if err := rows.Scan(&e.ID, &e.URL, &e.Secret, &e.Member, &e.Cursor, &at); err != nil {
			return nil, fmt.Errorf("sqlite: webhook endpoints: %w", err)
		}
		e.CreatedAt = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: webhook endpoints: %w", err)
	}
	return out, nil
}

// RemoveEndpoint deletes an endpoint with its deliveries and attempts.
func (s *Store) RemoveEndpoint(ctx context.Context, id string) error {
	res, err := s.writer.ExecContext(ctx, qDeliverRemove, id)
	if err != nil {
		return fmt.Errorf("sqlite: remove webhook endpoint %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: webhook endpoint %s: %w", id, deliver.ErrNotFound)
	}
	return nil
}

// Enqueue queues deliveries and moves the endpoint's cursor; see
// deliver.Store.
func (s *Store) Enqueue(ctx context.Context, endpoint string, events []deliver.Event, cursor int64, at, expires time.Time) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qDeliverCursor, cursor, endpoint)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fmt.Errorf("webhook endpoint %s: %w", endpoint, deliver.ErrNotFound)
		}
		stmt, err := tx.PrepareContext(ctx, qDeliverInsert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		a, e := toMicros(at), toMicros(expires)
		for _, ev := range events {
			res, err := stmt.ExecContext(ctx, endpoint, ev.ID, []byte(ev.Payload), a, e, a, a)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: queue webhook deliveries for %s: %w", endpoint, err)
	}
	return n, nil
}

// ClaimDue claims due deliveries; see deliver.Store. The one writer
// connection makes the select and the updates one atomic step.
func (s *Store) ClaimDue(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]deliver.Delivery, error) {
	var out []deliver.Delivery
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, qDeliverDue, toMicros(at), defaultLimit(limit))
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		until := at.Add(lease).UTC().Truncate(time.Microsecond)
		for i := range out {
			if _, err := tx.ExecContext(ctx, qDeliverClaim, toMicros(until), out[i].ID); err != nil {
				return err
			}
			out[i].NextAttempt = until
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim webhook deliveries: %w", err)
	}
	return out, nil
}

// RecordAttempt stores an attempt and its outcome; see deliver.Store.
func (s *Store) RecordAttempt(ctx context.Context, a deliver.Attempt, o deliver.Outcome) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		// The update first: it finds a missing delivery before the insert
		// would trip over the foreign key.
		res, err := tx.ExecContext(ctx, qDeliverOutcome, string(o.State), a.N, toMicros(o.Next), toMicros(now()),
			a.Status, a.Error, a.Delivery)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return deliver.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, qDeliverAttempt, a.Delivery, a.N, toMicros(a.At), a.Status, a.Error, a.Duration.Microseconds())
		if isUnique(err) {
			return fmt.Errorf("attempt %d already recorded: %w", a.N, deliver.ErrExists)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: record attempt of delivery %d: %w", a.Delivery, err)
	}
	return nil
}

// Deliveries lists deliveries newest first; see deliver.DeliveryFilter.
func (s *Store) Deliveries(ctx context.Context, f deliver.DeliveryFilter) ([]deliver.Delivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM deliver_deliveries WHERE (? = '' OR endpoint = ?) AND (? = '' OR state = ?)
		ORDER BY id DESC LIMIT ?`
	rows, err := s.reader.QueryContext(ctx, q, f.Endpoint, f.Endpoint, string(f.State), string(f.State), defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []deliver.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: webhook deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: webhook deliveries: %w", err)
	}
	return out, nil
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (deliver.Delivery, error) {
	d, err := scanDelivery(s.reader.QueryRowContext(ctx, qDeliverOne, id))
	if errors.Is(err, sql.ErrNoRows) {
		return deliver.Delivery{}, fmt.Errorf("sqlite: webhook delivery %d: %w", id, deliver.ErrNotFound)
	}
	if err != nil {
		return deliver.Delivery{}, fmt.Errorf("sqlite: webhook delivery %d: %w", id, err)
	}
	return d, nil
}

// Attempts lists a delivery's attempts in order.
func (s *Store) Attempts(ctx context.Context, delivery int64) ([]deliver.Attempt, error) {
	rows, err := s.reader.QueryContext(ctx, qDeliverAttempts, delivery)
	if err != nil {
		return nil, fmt.Errorf("sqlite: webhook attempts: %w", err)
	}
	defer rows.Close()
	var out []deliver.Attempt
	for rows.Next() {
		var (
			a      deliver.Attempt
			at, us int64
		)
		if err := rows.Scan(&a.Delivery, &a.N, &at, &a.Status, &a.Error, &us); err != nil {
			return nil, fmt.Errorf("sqlite: webhook attempts: %w", err)
		}
		a.At, a.Duration = fromMicros(at), time.Duration(us)*time.Microsecond
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: webhook attempts: %w", err)
	}
	return out, nil
}

// Requeue makes a dead delivery pending again; see deliver.Store.
func (s *Store) Requeue(ctx context.Context, id int64, at, expires time.Time) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qDeliverRequeue, toMicros(at), toMicros(expires), toMicros(now()), id)
		if err != nil {
			return fmt.Errorf("sqlite: requeue webhook delivery %d: %w", id, err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			return nil
		}
		var state string
		err = tx.QueryRowContext(ctx, `SELECT state FROM deliver_deliveries WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: webhook delivery %d: %w", id, deliver.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: requeue webhook delivery %d: %w", id, err)
		}
		return fmt.Errorf("sqlite: webhook delivery %d is %s: %w", id, state, deliver.ErrNotDead)
	})
}

func scanDelivery(r scanner) (deliver.Delivery, error) {
	var (
		d                          deliver.Delivery
		state                      string
		payload                    []byte
		next, exp, created, update int64
	)
	if err := r.Scan(&d.ID, &d.Endpoint, &d.EventID, &payload, &state, &d.Attempts, &next, &exp, &created, &update,
		&d.LastStatus, &d.LastError); err != nil {
		return deliver.Delivery{}, err
	}
	d.Payload, d.State = payload, deliver.State(state)
	d.NextAttempt, d.ExpiresAt, d.CreatedAt, d.UpdatedAt = fromMicros(next), fromMicros(exp), fromMicros(created), fromMicros(update)
	return d, nil
}
