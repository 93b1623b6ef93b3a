package deliver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Errors callers branch on.
var (
	// ErrNotFound: no endpoint or delivery has that id.
	ErrNotFound = errors.New("not found")
	// ErrExists: an endpoint with that id is already registered.
	ErrExists = errors.New("already exists")
	// ErrNotDead: only a dead delivery can be queued again.
	ErrNotDead = errors.New("delivery is not dead")
	// ErrInvalid: an endpoint or secret that cannot be used.
	ErrInvalid = errors.New("invalid")
)

// Event is one alert as delivered: its id (increasing, the SSE event id and
// the webhook cursor), the member it belongs to ("" = the instance's own,
// visible to every key that may read alerts) and its JSON document.
type Event struct {
	ID      int64           `json:"id"`
	Member  string          `json:"member,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// AlertSource pages through alerts in id order (the watch store does). It
// returns at most limit alerts with an id above afterID.
type AlertSource interface {
	AlertsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error)
}

// Published is an alert handed to delivery: Key is its own id (publishing
// the same key again is a no-op, so a re-run of a block delivers nothing
// twice), Member the member it belongs to ("" = the instance's own).
type Published struct {
	Key     string
	Member  string
	Payload json.RawMessage
}

// Outbox is the state store's alert log (migration 0010): alerts are
// published once each and numbered in the order they were published, which
// is the order AlertsAfter returns them. It is an AlertSource for the
// Dispatcher and the Stream.
type Outbox interface {
	AlertSource
	// Publish appends the events whose key is new, in order, and returns
	// how many were new. Numbers are given in commit order, so a reader
	// following the log never skips one committed late.
	Publish(ctx context.Context, events []Published) (int, error)
}

// Endpoint is a registered webhook receiver.
type Endpoint struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Secret signs every request. It is stored because signing needs it,
	// and never marshalled, listed or logged.
	Secret string `json:"-"`
	// Member, when set, restricts the endpoint to that member's alerts and
	// the instance's own ("" member); empty receives every alert.
	Member string `json:"member,omitempty"`
	// Cursor is the id of the last alert queued for the endpoint.
	Cursor    int64     `json:"cursor"`
	CreatedAt time.Time `json:"created_at"`
}

// State is where a delivery is in its life.
type State string

// The states of a delivery.
const (
	StatePending   State = "pending"   // waiting for its next attempt
	StateDelivered State = "delivered" // a 2xx answer was received
	StateDead      State = "dead"      // gave up; `webhooks retry` queues it again
)

// Delivery is one alert for one endpoint.
type Delivery struct {
	ID       int64           `json:"id"`
	Endpoint string          `json:"endpoint"`
	EventID  int64           `json:"event_id"`
	Payload  json.RawMessage `json:"-"`
	State    State           `json:"state"`
	Attempts int             `json:"attempts"`
	// NextAttempt is when the delivery is due (or, while claimed, when the
	// claim lapses).
	NextAttempt time.Time `json:"next_attempt_at"`
	// ExpiresAt is when retrying stops and the delivery dies.
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
}

// IdempotencyKey is the key a receiver deduplicates by: the same on every
// attempt of a delivery, and never the same for two deliveries.
func (d Delivery) IdempotencyKey() string { return fmt.Sprintf("%s:%d", d.Endpoint, d.EventID) }

// Attempt is one try at a delivery.
type Attempt struct {
	Delivery int64     `json:"delivery"`
	N        int       `json:"n"` // 1 for the first attempt
	At       time.Time `json:"at"`
	// Status is the HTTP status received; 0 when there was no answer.
	Status   int           `json:"status,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Outcome is what an attempt changed in its delivery.
type Outcome struct {
	State State
	// Next is when a still pending delivery is due again.
	Next time.Time
}

// DeliveryFilter selects deliveries; the zero value is the latest 100.
type DeliveryFilter struct {
	Endpoint string
	State    State // "" = any
	Limit    int   // <= 0 means 100
}

// Store keeps endpoints, deliveries and attempts (the SQLite and PostgreSQL
// state stores do). Times come back in UTC, truncated to the microsecond.
type Store interface {
	// AddEndpoint registers e; ErrExists when its id is taken.
	AddEndpoint(ctx context.Context, e Endpoint) error
	// Endpoints lists endpoints by id, with their secrets.
	Endpoints(ctx context.Context) ([]Endpoint, error)
	// RemoveEndpoint deletes an endpoint and its deliveries; ErrNotFound
	// when there is none.
	RemoveEndpoint(ctx context.Context, id string) error
	// Enqueue queues one pending delivery per event for the endpoint, due at
	// at and expiring at expires, and moves its cursor to cursor, all in one
	// transaction. An event already queued for the endpoint is skipped; a
	// cursor lower than the stored one is kept. It returns how many
	// deliveries were queued.
	Enqueue(ctx context.Context, endpoint string, events []Event, cursor int64, at, expires time.Time) (int, error)
	// ClaimDue returns up to limit pending deliveries due at now, oldest
	// first, and moves their next attempt to now+lease so that no other
	// worker claims them meanwhile.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// RecordAttempt stores a and applies its outcome to the delivery in one
	// transaction.
	RecordAttempt(ctx context.Context, a Attempt, o Outcome) error
	// Deliveries lists deliveries, newest first.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	// Delivery returns one delivery; ErrNotFound when there is none.
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// Attempts lists a delivery's attempts in order.
	Attempts(ctx context.Context, delivery int64) ([]Attempt, error)
	// Requeue makes a dead delivery pending again, due at at and expiring
	// at expires; ErrNotFound or ErrNotDead otherwise.
	Requeue(ctx context.Context, id int64, at, expires time.Time) error
}

// NewSecret returns a random signing secret: "whsec_" and 32 random bytes
// in base64url.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// minSecretLen is the shortest secret accepted: anything shorter is
// guessable offline from one signed request.
const minSecretLen = 16

// CheckEndpoint checks what AddEndpoint is given: an id, an absolute http
// or https URL without user information, and a secret of at least 16 bytes.
func CheckEndpoint(e Endpoint) error {
	if e.ID == "" || strings.ContainsAny(e.ID, " \t\r\n") {
		return fmt.Errorf("endpoint id %q: %w", e.ID, ErrInvalid)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return fmt.Errorf("endpoint URL: %w: %w", ErrInvalid, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint URL %q: want an absolute http:// or https:// URL: %w", e.URL, ErrInvalid)
	}
	if u.User != nil {
		return fmt.Errorf("endpoint URL: user information is not allowed (the secret signs requests): %w", ErrInvalid)
	}
	if len(strings.TrimSpace(e.Secret)) < minSecretLen {
		return fmt.Errorf("endpoint secret: at least %d bytes: %w", minSecretLen, ErrInvalid)
	}
	return nil
}
