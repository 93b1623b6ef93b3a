package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors for callers that branch on why a request was refused.
var (
	// ErrUnauthenticated: no key, an unknown key or a revoked key. Callers must
	// not tell these apart to the client, so a guesser learns nothing.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the key is valid but its role does not allow the call.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidRole: a role name that is none of admin, analyst, screener.
	ErrInvalidRole = errors.New("invalid role (want admin, analyst or screener)")
)

// SecretPrefix starts every secret, so a leaked key is recognisable in logs,
// chat or source code and secret scanners can match it.
const SecretPrefix = "itd_"

// secretBytes of randomness: 256 bits, beyond any guessing.
const secretBytes = 32

// maxSecretLen bounds what Authenticate hashes; real secrets are 47 characters.
const maxSecretLen = 128

// rank orders the roles; a higher rank includes every lower one.
var rank = map[Role]int{RoleScreener: 1, RoleAnalyst: 2, RoleAdmin: 3}

// ParseRole returns the Role named s, or ErrInvalidRole.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if _, ok := rank[r]; !ok {
		return "", fmt.Errorf("%w: %q", ErrInvalidRole, s)
	}
	return r, nil
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { _, ok := rank[r]; return ok }

// Allows reports whether a key with role r may make a call that needs role
// required. An unknown role allows nothing and is allowed by nothing.
func (r Role) Allows(required Role) bool {
	have, ok1 := rank[r]
	need, ok2 := rank[required]
	return ok1 && ok2 && have >= need
}

// Hash is the SHA-256 of a secret, the only form in which keys are stored. A
// plain hash is enough: the secret has 256 bits of entropy, so there is no
// dictionary to slow down, and lookups by hash avoid timing leaks of a
// string comparison against a secret.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewKey makes a fresh key for member with the given name and role. It returns
// the secret, which is shown to the user once and never stored, and the Key
// to store (with its hash). The caller stores k with Store.CreateKey.
func NewKey(member, name string, role Role) (secret string, k Key, err error) {
	if !role.Valid() {
		return "", Key{}, fmt.Errorf("%w: %q", ErrInvalidRole, role)
	}
	if strings.TrimSpace(member) == "" {
		return "", Key{}, errors.New("new key: member is empty")
	}
	raw := make([]byte, secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", Key{}, fmt.Errorf("new key: %w", err)
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return "", Key{}, fmt.Errorf("new key: %w", err)
	}
	secret = SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	k = Key{
		ID:        hex.EncodeToString(id),
		Name:      name,
		Member:    member,
		Role:      role,
		Hash:      Hash(secret),
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
	return secret, k, nil
}
