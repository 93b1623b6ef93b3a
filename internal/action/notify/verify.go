package notify

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Role is what a member is in the network.
type Role string

// Member roles.
const (
	RoleAuthority  Role = "authority"
	RoleExchange   Role = "exchange"
	RoleCustodian  Role = "custodian"
	RoleISAC       Role = "isac"
	RoleResearcher Role = "researcher"
)

// Roles lists every role.
var Roles = []Role{RoleAuthority, RoleExchange, RoleCustodian, RoleISAC, RoleResearcher}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fmt.Errorf("%w: role %q: want authority, exchange, custodian, isac or researcher", ErrMalformed, s)
}

// SigningKey is a member's registered public key as a verifier sees it.
type SigningKey struct {
	Member    string
	Role      Role
	Public    ed25519.PublicKey
	RevokedAt time.Time // zero: in force
}

// Keyring finds the member holding a key id. It returns an error wrapping
// ErrNotFound when no member does.
type Keyring interface {
	SigningKey(ctx context.Context, keyID string) (SigningKey, error)
}

// Policy says which roles may issue records and how much clock skew is
// tolerated.
type Policy struct {
	// IssuerRoles may issue flags, revocations and amendments (default:
	// authority only).
	IssuerRoles []Role
	// Skew is how far in the future a record's issued_at may be (default 5 min).
	Skew time.Duration
}

func (p Policy) roles() []Role {
	if len(p.IssuerRoles) == 0 {
		return []Role{RoleAuthority}
	}
	return p.IssuerRoles
}

// Verify checks an envelope as received and returns its record: size,
// known and unrevoked key, signature, canonical payload, issuer matching the
// key's member, the issuer's role, and expiry at now. Each failure wraps one
// of the package's errors with a reason a person can act on. It does not
// check the record against earlier ones (replays, revocations): the store
// does that when it accepts the record.
func Verify(ctx context.Context, kr Keyring, p Policy, env Envelope, now time.Time) (Record, error) {
	if n := len(env.Payload) + len(env.Signature) + len(env.KeyID); n > MaxEnvelopeBytes {
		return Record{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, n, MaxEnvelopeBytes)
	}
	if len(env.Payload) == 0 {
		return Record{}, fmt.Errorf("%w: empty payload", ErrMalformed)
	}
	if env.KeyID == "" || len(env.Signature) == 0 {
		return Record{}, fmt.Errorf("%w: unsigned (no key id or signature)", ErrBadSignature)
	}
	k, err := kr.SigningKey(ctx, env.KeyID)
	if errors.Is(err, ErrNotFound) {
		return Record{}, fmt.Errorf("%w: no member holds key %s", ErrUnknownIssuer, env.KeyID)
	}
	if err != nil {
		return Record{}, fmt.Errorf("notify: look up key %s: %w", env.KeyID, err)
	}
	if len(k.Public) != ed25519.PublicKeySize || KeyID(k.Public) != env.KeyID {
		return Record{}, fmt.Errorf("%w: key %s is registered wrongly", ErrUnknownIssuer, env.KeyID)
	}
	if len(env.Signature) != ed25519.SignatureSize || !ed25519.Verify(k.Public, signedMessage(env.Payload), env.Signature) {
		return Record{}, fmt.Errorf("%w: signature does not verify under key %s of %s", ErrBadSignature, env.KeyID, k.Member)
	}
	r, err := decodeCanonical(env.Payload)
	if err != nil {
		return Record{}, err
	}
	if r.Issuer != k.Member {
		return Record{}, fmt.Errorf("%w: record says issuer %q but key %s belongs to %q", ErrUnknownIssuer, r.Issuer, env.KeyID, k.Member)
	}
	if !k.RevokedAt.IsZero() && !r.IssuedAt.Before(k.RevokedAt) {
		return Record{}, fmt.Errorf("%w: key %s of %s was revoked at %s, before the record was issued", ErrUnknownIssuer, env.KeyID, k.Member, k.RevokedAt.UTC().Format(time.RFC3339))
	}
	if !slices.Contains(p.roles(), k.Role) {
		return Record{}, fmt.Errorf("%w: %s is a %s; %s records come only from %v", ErrNotAuthorised, k.Member, k.Role, r.Kind, p.roles())
	}
	skew := p.Skew
	if skew == 0 {
		skew = 5 * time.Minute
	}
	if r.IssuedAt.After(now.Add(skew)) {
		return Record{}, fmt.Errorf("%w: issued_at %s is in the future", ErrExpired, r.IssuedAt.Format(time.RFC3339))
	}
	if !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt) {
		return Record{}, fmt.Errorf("%w: %s %s expired at %s", ErrExpired, r.Kind, r.ID, r.ExpiresAt.Format(time.RFC3339))
	}
	return r, nil
}
