package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/deliver"
)

// The alert delivery store (deliver.Store): webhook endpoints, deliveries
// and attempts, in the deliver_* tables of migration 0010.

const (
	qDeliverAddEndpoint = `INSERT INTO deliver_endpoints (id, url, secret, member, cursor, created_at) VALUES ($1, $2, $3, $4, $5, $6)`
	qDeliverEndpoints   = `SELECT id, url, secret, member, cursor, created_at FROM deliver_endpoints ORDER BY id`
	qDeliverRemove      = `DELETE FROM deliver_endpoints WHERE id = $1`
	qDeliverInsert      = `INSERT INTO deliver_deliveries (endpoint, event_id, payload, state, attempts, next_attempt_at,
		expires_at, created_at, updated_at, last_status, last_error)
		VALUES ($1, $2, $3, 'pending', 0, $4, $5, $4, $4, 0, '') ON CONFLICT (endpoint, event_id) DO NOTHING`
	qDeliverCursor = `UPDATE deliver_endpoints SET cursor = GREATEST(cursor, $1) WHERE id = $2`
	deliveryCols   = `id, endpoint, event_id, payload, state, attempts, next_attempt_at, expires_at, created_at,
		updated_at, last_status, last_error`
	// SKIP LOCKED lets API nodes sharing the database claim disjoint sets.
	qDeliverClaim = `UPDATE deliver_deliveries SET next_attempt_at = $3 WHERE id IN (
		SELECT id FROM deliver_deliveries WHERE state = 'pending' AND next_attempt_at <= $1
		ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING ` + deliveryCols
	qDeliverAttempt = `INSERT INTO deliver_attempts (delivery, n, at, status, error, duration_us) VALUES ($1, $2, $3, $4, $5, $6)`
	qDeliverOutcome = `UPDATE deliver_deliveries SET state = $1, attempts = GREATEST(attempts, $2), next_attempt_at = $3,
		updated_at = $4, last_status = $5, last_error = $6 WHERE id = $7`
	qDeliverList = `SELECT ` + deliveryCols + ` FROM deliver_deliveries WHERE ($1 = '' OR endpoint = $1) AND ($2 = '' OR state = $2)
		ORDER BY id DESC LIMIT $3`
	qDeliverOne      = `SELECT ` + deliveryCols + ` FROM deliver_deliveries WHERE id = $1`
	qDeliverAttempts = `SELECT delivery, n, at, status, error, duration_us FROM deliver_attempts WHERE delivery = $1 ORDER BY n`
	qDeliverRequeue  = `UPDATE deliver_deliveries SET state = 'pending', next_attempt_at = $1, expires_at = $2, updated_at = $3
		WHERE id = $4 AND state = 'dead'`
	qDeliverState = `SELECT state FROM deliver_deliveries WHERE id = $1`
)

const (
	qDeliverPublish = `INSERT INTO deliver_events (key, member, payload, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`
	qDeliverAfter   = `SELECT seq, member, payload FROM deliver_events WHERE seq > $1 ORDER BY seq LIMIT $2`
	// Publishers queue on this lock (readers do not), so that numbers are
	// committed in order and a follower never steps over one that commits
	// late.
	qDeliverLockLog = `LOCK TABLE deliver_events IN EXCLUSIVE MODE`
)

// Publish appends alerts to the delivery log; see deliver.Outbox.
func (s *Store) Publish(ctx context.Context, events []deliver.Published) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = publishTx(ctx, tx, events)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: publish alerts: %w", err)
	}
	return n, nil
}

// publishTx publishes inside a caller's transaction: the watch store's
// block commit can publish its alerts atomically with writing them. It
// takes the log's lock, held to the commit.
func publishTx(ctx context.Context, tx pgx.Tx, events []deliver.Published) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, qDeliverLockLog); err != nil {
		return 0, err
	}
	at, n := now(), 0
	for _, e := range events {
		if e.Key == "" {
			return 0, fmt.Errorf("an event without a key: %w", deliver.ErrInvalid)
		}
		payload := []byte(e.Payload)
		if payload == nil {
			payload = []byte{}
		}
		tag, err := tx.Exec(ctx, qDeliverPublish, e.Key, e.Member, payload, at)
		if err != nil {
			return 0, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

// AlertsAfter reads the delivery log; see deliver.AlertSource.
func (s *Store) AlertsAfter(ctx context.Context, after int64, limit int) ([]deliver.Event, error) {
	rows, err := s.pool.Query(ctx, qDeliverAfter, after, defaultLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: alerts after %d: %w", after, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deliver.Event, error) {
		var e deliver.Event
		err := r.Scan(&e.ID, &e.Member, &e.Payload)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: alerts after %d: %w", after, err)
	}
	return out, nil
}

// AddEndpoint registers a webhook endpoint; see deliver.Store.
func (s *Store) AddEndpoint(ctx context.Context, e deliver.Endpoint) error {
	created := e.CreatedAt
	if created.IsZero() {
		created = now()
	}
	_, err := s.pool.Exec(ctx, qDeliverAddEndpoint, e.ID, e.URL, e.Secret, e.Member, e.Cursor, ts(created))
	if isUnique(err) {
		return fmt.Errorf("postgres: add webhook endpoint %s: %w", e.ID, deliver.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("postgres: add webhook endpoint %s: %w", e.ID, err)
	}
	return nil
}

// Endpoints lists the webhook endpoints by id.
func (s *Store) Endpoints(ctx context.Context) ([]deliver.Endpoint, error) {
	rows, err := s.pool.Query(ctx, qDeliverEndpoints)
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook endpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deliver.Endpoint, error) {
		var e deliver.Endpoint
		err := r.Scan(&e.ID, &e.URL, &e.Secret, &e.Member, &e.Cursor, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook endpoints: %w", err)
	}
	return out, nil
}

// RemoveEndpoint deletes an endpoint with its deliveries and attempts.
func (s *Store) RemoveEndpoint(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, qDeliverRemove, id)
	if err != nil {
		return fmt.Errorf("postgres: remove webhook endpoint %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: webhook endpoint %s: %w", id, deliver.ErrNotFound)
	}
	return nil
}

// Enqueue queues deliveries and moves the endpoint's cursor; see
// deliver.Store.
func (s *Store) Enqueue(ctx context.Context, endpoint string, events []deliver.Event, cursor int64, at, expires time.Time) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, qDeliverCursor, cursor, endpoint)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("webhook endpoint %s: %w", endpoint, deliver.ErrNotFound)
		}
		var b pgx.Batch
		for _, ev := range events {
			payload := []byte(ev.Payload)
			if payload == nil {
				payload = []byte{}
			}
			b.Queue(qDeliverInsert, endpoint, ev.ID, payload, ts(at), ts(expires))
		}
		br := tx.SendBatch(ctx, &b)
		for range events {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return err
			}
			n += int(tag.RowsAffected())
		}
		return br.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: queue webhook deliveries for %s: %w", endpoint, err)
	}
	return n, nil
}

// ClaimDue claims due deliveries; see deliver.Store.
func (s *Store) ClaimDue(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]deliver.Delivery, error) {
	rows, err := s.pool.Query(ctx, qDeliverClaim, ts(at), defaultLimit(limit), ts(at.Add(lease)))
	if err != nil {
		return nil, fmt.Errorf("postgres: claim webhook deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deliver.Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: claim webhook deliveries: %w", err)
	}
	// RETURNING comes in no particular order.
	slices.SortFunc(out, func(a, b deliver.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// RecordAttempt stores an attempt and its outcome; see deliver.Store.
func (s *Store) RecordAttempt(ctx context.Context, a deliver.Attempt, o deliver.Outcome) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		// The update first: it finds a missing delivery before the insert
		// would trip over the foreign key.
		tag, err := tx.Exec(ctx, qDeliverOutcome, string(o.State), a.N, ts(o.Next), now(), a.Status, a.Error, a.Delivery)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return deliver.ErrNotFound
		}
		_, err = tx.Exec(ctx, qDeliverAttempt, a.Delivery, a.N, ts(a.At), a.Status, a.Error, a.Duration.Microseconds())
		if isUnique(err) {
			return fmt.Errorf("attempt %d already recorded: %w", a.N, deliver.ErrExists)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record attempt of delivery %d: %w", a.Delivery, err)
	}
	return nil
}

// Deliveries lists deliveries newest first; see deliver.DeliveryFilter.
func (s *Store) Deliveries(ctx context.Context, f deliver.DeliveryFilter) ([]deliver.Delivery, error) {
	rows, err := s.pool.Query(ctx, qDeliverList, f.Endpoint, string(f.State), defaultLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deliver.Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook deliveries: %w", err)
	}
	return out, nil
}

// Delivery returns one delivery.
func (s *Store) Delivery(ctx context.Context, id int64) (deliver.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, qDeliverOne, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return deliver.Delivery{}, fmt.Errorf("postgres: webhook delivery %d: %w", id, deliver.ErrNotFound)
	}
	if err != nil {
		return deliver.Delivery{}, fmt.Errorf("postgres: webhook delivery %d: %w", id, err)
	}
	return d, nil
}

// Attempts lists a delivery's attempts in order.
func (s *Store) Attempts(ctx context.Context, delivery int64) ([]deliver.Attempt, error) {
	rows, err := s.pool.Query(ctx, qDeliverAttempts, delivery)
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook attempts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deliver.Attempt, error) {
		var (
			a  deliver.Attempt
			us int64
		)
		err := r.Scan(&a.Delivery, &a.N, &a.At, &a.Status, &a.Error, &us)
		a.At, a.Duration = a.At.UTC(), time.Duration(us)*time.Microsecond
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: webhook attempts: %w", err)
	}
	return out, nil
}

// Requeue makes a dead delivery pending again; see deliver.Store.
func (s *Store) Requeue(ctx context.Context, id int64, at, expires time.Time) error {
	tag, err := s.pool.Exec(ctx, qDeliverRequeue, ts(at), ts(expires), now(), id)
	if err != nil {
		return fmt.Errorf("postgres: requeue webhook delivery %d: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var state string
	err = s.pool.QueryRow(ctx, qDeliverState, id).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: webhook delivery %d: %w", id, deliver.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("postgres: requeue webhook delivery %d: %w", id, err)
	}
	return fmt.Errorf("postgres: webhook delivery %d is %s: %w", id, state, deliver.ErrNotDead)
}

func scanDelivery(r pgx.Row) (deliver.Delivery, error) {
	var (
		d     deliver.Delivery
		state string
	)
	if err := r.Scan(&d.ID, &d.Endpoint, &d.EventID, &d.Payload, &state, &d.Attempts, &d.NextAttempt, &d.ExpiresAt,
		&d.CreatedAt, &d.UpdatedAt, &d.LastStatus, &d.LastError); err != nil {
		return deliver.Delivery{}, err
	}
	d.State = deliver.State(state)
	d.NextAttempt, d.ExpiresAt, d.CreatedAt, d.UpdatedAt = d.NextAttempt.UTC(), d.ExpiresAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, nil
}
