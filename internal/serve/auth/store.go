// Package auth authenticates API callers by API key and authorises them by
// role. Keys are random secrets shown once; only their SHA-256 is stored. Every
// mutating call is written to the audit log.
package auth

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors; backends return them (wrapped) so callers can branch.
var (
	ErrNotFound = errors.New("api key not found")
	ErrExists   = errors.New("api key already exists")
)

// Role is what a key may do. Roles are ordered: admin ⊃ analyst ⊃ screener.
type Role string

// Roles.
const (
	RoleAdmin    Role = "admin"    // manage keys and lists, everything below
	RoleAnalyst  Role = "analyst"  // read lists, diffs and alerts, screen
	RoleScreener Role = "screener" // screen only
)

// Key is a stored API key. Hash is SHA-256 of the secret; the secret itself is
// never stored.
type Key struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Member    string     `json:"member"`
	Role      Role       `json:"role"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// AuditEntry records one mutating call.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	KeyID  string    `json:"key_id"`
	Member string    `json:"member"`
	Action string    `json:"action"` // e.g. "POST /v1/screen"
	Target string    `json:"target,omitempty"`
	Status int       `json:"status"`
}

// Store persists keys and the audit log.
type Store interface {
	// CreateKey stores k; ErrExists if the ID or hash is taken.
	CreateKey(ctx context.Context, k Key) error
	// KeyByHash returns the key with this hash, revoked or not; ErrNotFound if none.
	KeyByHash(ctx context.Context, hash []byte) (Key, error)
	// Keys lists all keys, oldest first.
	Keys(ctx context.Context) ([]Key, error)
	// RevokeKey marks a key revoked at the given time; ErrNotFound if absent.
	RevokeKey(ctx context.Context, id string, at time.Time) error
	// AppendAudit adds an entry, assigning its ID.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit returns the newest entries first, at most limit (0 = 100).
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}
