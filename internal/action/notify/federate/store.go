package federate

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/interdict/interdict/internal/action/notify"
)

// ErrNotFound: no such delivery.
var ErrNotFound = errors.New("federate: not found")

// Acceptor takes a record received from a peer: it verifies the envelope,
// applies the replay and revocation rules and stores the record. It must be
// idempotent: the same envelope again returns fresh false and no error.
// Errors wrapping the notify sentinels (ErrMalformed, ErrBadSignature,
// ErrUnknownIssuer, ErrNotAuthorised, ErrExpired, ErrTooLarge, ErrConflict)
// are rejections; any other error is taken as transient, and the record is
// tried again later. source is "peer:" and the member it came from (as
// notify.SourcePeer writes it).
type Acceptor interface {
	Accept(ctx context.Context, env notify.Envelope, source string) (fresh bool, err error)
}

// Peer is another instance flags are exchanged with.
type Peer struct {
	// Member is the peer's member id; records pushed by it to our flags
	// collection are posted under its key, so Member is also their owner.
	Member string
	// URL is the peer's flags collection
	// (https://host/taxii2/ROOT/collections/ID/).
	URL string
	// User and Key are our credentials on the peer's TAXII server (the key
	// is sent as in taxii.Client).
	User, Key string
	// Push: local records are pushed to the peer. Pull: the peer's
	// collection is pulled.
	Push, Pull bool
}

// Peers lists the peers (the member registry does).
type Peers interface {
	Peers(ctx context.Context) ([]Peer, error)
}

// DeliveryState is where an outbox entry stands.
type DeliveryState string

// Delivery states.
const (
	Pending   DeliveryState = "pending"
	Delivered DeliveryState = "delivered"
	Dead      DeliveryState = "dead"
)

// Delivery is one record queued for one peer.
type Delivery struct {
	Seq         int64           `json:"seq"`
	Peer        string          `json:"peer"`
	RecordID    string          `json:"record_id"`
	IndicatorID string          `json:"indicator_id"`
	Object      json.RawMessage `json:"-"`
	State       DeliveryState   `json:"state"`
	Attempts    int             `json:"attempts"`
	Created     time.Time       `json:"created"`
	// Queued is when the entry was last queued (created or re-queued);
	// the maximum age counts from it.
	Queued      time.Time `json:"queued"`
	NextAt      time.Time `json:"next_at"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

// Failure is a failed attempt to deliver an entry.
type Failure struct {
	Peer, RecordID string
	At             time.Time
	Error          string
	// NextAt is when to try again; Dead gives up.
	NextAt time.Time
	Dead   bool
}

// OutboxQuery selects deliveries; zero fields match everything. Limit ≤ 0
// means 100.
type OutboxQuery struct {
	Peer  string
	State DeliveryState
	Limit int
}

// Rejection is a received object turned away, with the reason.
type Rejection struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	// Source is the peer it came from; Via "push" (our inbox) or "pull".
	Source   string `json:"source"`
	Via      string `json:"via"`
	ObjectID string `json:"object_id"`
	Version  string `json:"version,omitempty"`
	RecordID string `json:"record_id,omitempty"`
	Reason   string `json:"reason"`
}

// Store is the state federation keeps: the outbox, cursors and rejections.
// Implementations: internal/store/sqlite and internal/store/postgres; the
// contract suite is storetest.RunFederate. Times come back in UTC to the
// microsecond.
type Store interface {
	// OutboxAdd queues deliveries as pending, due at their NextAt (Created
	// and Queued when zero: now), and returns how many were new; an entry
	// for the same peer and record is left as it is.
	OutboxAdd(ctx context.Context, ds []Delivery) (int, error)
	// OutboxDue returns pending entries due at now, oldest due first, at
	// most limit (≤ 0: 100), with their objects.
	OutboxDue(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// OutboxDelivered marks an entry delivered (one more attempt).
	OutboxDelivered(ctx context.Context, peer, recordID string, at time.Time) error
	// OutboxFailed records a failed attempt: pending again at f.NextAt, or
	// dead. A missing entry is ErrNotFound.
	OutboxFailed(ctx context.Context, f Failure) error
	// OutboxList lists entries by Seq, without their objects.
	OutboxList(ctx context.Context, q OutboxQuery) ([]Delivery, error)
	// OutboxRequeue makes dead entries of peer pending again, due at at,
	// with their attempts reset; recordID "" re-queues all of the peer's,
	// peer "" every peer's. It returns how many were re-queued.
	OutboxRequeue(ctx context.Context, peer, recordID string, at time.Time) (int, error)

	// FederationCursor returns a resume point by name ("" when none);
	// PutFederationCursor sets it.
	FederationCursor(ctx context.Context, name string) (string, error)
	PutFederationCursor(ctx context.Context, name, value string) error

	// AddFederationRejection records a rejection (At zero: now);
	// FederationRejections lists the latest, newest first (limit ≤ 0: 100).
	AddFederationRejection(ctx context.Context, r Rejection) error
	FederationRejections(ctx context.Context, limit int) ([]Rejection, error)
}
