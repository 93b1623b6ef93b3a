package notify

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ErrExists: a member or key with this id is already registered.
var ErrExists = errors.New("notify: already exists")

// Secret is a credential kept in the registry (a peer's TAXII API key). It
// never prints, logs or encodes to JSON as its value.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts the secret in %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue redacts the secret in slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret's value, for the one caller that sends it.
func (s Secret) Reveal() string { return string(s) }

// Endpoint is where a member's instance is reached: its TAXII 2.1
// collection URL and the credential this instance presents there.
type Endpoint struct {
	URL        string `json:"url,omitempty"`
	Credential Secret `json:"-"`
}

// MemberKey is one public key of a member. A key revoked at RevokedAt still
// verifies records issued before that instant (key rotation); revoking it
// at an earlier time withdraws those too (compromise).
type MemberKey struct {
	ID        string            `json:"key_id"`
	Public    ed25519.PublicKey `json:"public_key"`
	Added     time.Time         `json:"added_at"`
	RevokedAt time.Time         `json:"revoked_at,omitzero"`
}

// Member is a participant in the network as this instance registers it.
type Member struct {
	ID       string      `json:"id"`
	Org      string      `json:"org"`
	Role     Role        `json:"role"`
	Keys     []MemberKey `json:"keys"`
	Endpoint Endpoint    `json:"endpoint,omitzero"`
	Created  time.Time   `json:"created_at"`
	Updated  time.Time   `json:"updated_at"`
}

// NewMemberKey checks a public key and names it.
func NewMemberKey(pub []byte, added time.Time) (MemberKey, error) {
	if len(pub) != ed25519.PublicKeySize {
		return MemberKey{}, fmt.Errorf("%w: public key is %d bytes, want %d (Ed25519)", ErrMalformed, len(pub), ed25519.PublicKeySize)
	}
	p := ed25519.PublicKey(append([]byte(nil), pub...))
	return MemberKey{ID: KeyID(p), Public: p, Added: added}, nil
}

// Validate checks a member before it is stored.
func (m Member) Validate() error {
	switch {
	case m.ID == "" || len(m.ID) > 128 || strings.TrimSpace(m.ID) != m.ID:
		return fmt.Errorf("%w: member id must be 1–128 characters without surrounding space", ErrMalformed)
	case len(m.Org) > 256:
		return fmt.Errorf("%w: organisation is longer than 256 characters", ErrMalformed)
	}
	if _, err := ParseRole(string(m.Role)); err != nil {
		return err
	}
	for _, k := range m.Keys {
		if err := k.Validate(); err != nil {
			return err
		}
	}
	if u := m.Endpoint.URL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("%w: endpoint %q is not an http(s) URL", ErrMalformed, u)
	}
	return nil
}

// Validate checks that a key is an Ed25519 public key under its own id.
func (k MemberKey) Validate() error {
	if len(k.Public) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: key %s is not an Ed25519 public key", ErrMalformed, k.ID)
	}
	if k.ID != KeyID(k.Public) {
		return fmt.Errorf("%w: key id %s does not name its key (want %s)", ErrMalformed, k.ID, KeyID(k.Public))
	}
	return nil
}

// MemberStore is the member registry. It is also the Keyring records are
// verified against: SigningKey returns the key with its member's role.
type MemberStore interface {
	Keyring
	// AddMember registers a member with its keys and endpoint; ErrExists if
	// the member or one of its keys is registered already.
	AddMember(ctx context.Context, m Member) error
	// Member returns one member; ErrNotFound if unknown.
	Member(ctx context.Context, id string) (Member, error)
	// Members lists members by id.
	Members(ctx context.Context) ([]Member, error)
	// RemoveMember deletes a member and its keys: its records stop
	// verifying and its flags stop being active.
	RemoveMember(ctx context.Context, id string) error
	// AddMemberKey registers another key of a member.
	AddMemberKey(ctx context.Context, member string, k MemberKey) error
	// RevokeMemberKey sets a key's revocation time; of two revocations the
	// earlier time is kept.
	RevokeMemberKey(ctx context.Context, member, keyID string, at time.Time) error
	// SetMemberEndpoint replaces a member's endpoint.
	SetMemberEndpoint(ctx context.Context, member string, e Endpoint) error
}

// Source is where a record came from: "local" (issued here), "api",
// "import", or "peer:" and the member id it was pulled from.
type Source string

// Sources of records.
const (
	SourceLocal  Source = "local"
	SourceAPI    Source = "api"
	SourceImport Source = "import"
)

// SourcePeer is the source of a record received from member id.
func SourcePeer(id string) Source { return Source("peer:" + id) }

// Stored is an accepted record: the envelope exactly as received (so it can
// be verified again and forwarded byte for byte) and its decoded record.
type Stored struct {
	Envelope   Envelope  `json:"envelope"`
	Record     Record    `json:"record"`
	Source     Source    `json:"source"`
	ReceivedAt time.Time `json:"received_at"`
}

// State is where a flag stands.
type State string

// Flag states. Expired is not stored: it is an active or amended flag read
// after its expiry.
const (
	StateActive  State = "active"
	StateAmended State = "amended"
	StateRevoked State = "revoked"
	StateExpired State = "expired"
)

// Flag is a flag as it stands after its amendments and revocation. Record
// is the effective record: the flag's fields overlaid by its amendments.
type Flag struct {
	Record
	State      State     `json:"state"`
	KeyID      string    `json:"key_id,omitempty"`
	Source     Source    `json:"source"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// AmendedAt is the issued_at of the newest amendment applied.
	AmendedAt time.Time `json:"amended_at,omitzero"`
	// RevokedBy is the id of the revocation.
	RevokedBy string `json:"revoked_by,omitempty"`
	// Pending: the revocation arrived before the flag; the flag is known only
	// by id and issuer until it arrives, and then stays revoked.
	Pending bool `json:"pending,omitempty"`
}

// StateAt is the flag's state at t: active and amended flags past their
// expiry are expired.
func (f Flag) StateAt(t time.Time) State {
	if (f.State == StateActive || f.State == StateAmended) && !f.ExpiresAt.IsZero() && !t.Before(f.ExpiresAt) {
		return StateExpired
	}
	return f.State
}

// Rejection is a record refused, with the reason.
type Rejection struct {
	At       time.Time `json:"at"`
	Source   Source    `json:"source"`
	RecordID string    `json:"record_id,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	KeyID    string    `json:"key_id,omitempty"`
	Size     int       `json:"size"`
	SHA256   string    `json:"sha256"` // of the payload
	Reason   string    `json:"reason"`
}

// FlagTx is what Accept reads and writes inside one store transaction.
type FlagTx interface {
	Keyring
	// StoredRecord returns the accepted record with this id; ErrNotFound.
	StoredRecord(ctx context.Context, id string) (Stored, error)
	// Flag returns a flag's current row; ErrNotFound.
	Flag(ctx context.Context, id string) (Flag, error)
	// InsertRecord stores an accepted record.
	InsertRecord(ctx context.Context, s Stored) error
	// PutFlag inserts or replaces a flag's row.
	PutFlag(ctx context.Context, f Flag) error
}

// FlagStore keeps accepted records, flags and rejections.
type FlagStore interface {
	// UpdateFlags runs fn in one write transaction, serialised with every
	// other UpdateFlags, and commits it unless fn fails.
	UpdateFlags(ctx context.Context, fn func(tx FlagTx) error) error
	// StoredRecord returns an accepted record; ErrNotFound.
	StoredRecord(ctx context.Context, id string) (Stored, error)
	// Flag returns a flag; ErrNotFound.
	Flag(ctx context.Context, id string) (Flag, error)
	// Flags lists every flag by issued_at, then id.
	Flags(ctx context.Context) ([]Flag, error)
	// LiveFlags lists the flags active or amended and not expired at t.
	LiveFlags(ctx context.Context, t time.Time) ([]Flag, error)
	// FlagHistory lists the records of a flag (the flag, its amendments
	// and revocations) in the order they were accepted.
	FlagHistory(ctx context.Context, flagID string) ([]Stored, error)
	// AddRejection logs a refused record.
	AddRejection(ctx context.Context, r Rejection) error
	// Rejections lists refused records, newest first; limit ≤ 0 means 100.
	Rejections(ctx context.Context, limit int) ([]Rejection, error)
}

// Store is a state-store backend's notify side.
type Store interface {
	MemberStore
	FlagStore
}
