package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// KeyLookup is what Authenticate needs of a Store.
type KeyLookup interface {
	KeyByHash(ctx context.Context, hash []byte) (Key, error)
}

// Authenticator resolves the secret a request presents to a stored Key.
type Authenticator struct {
	keys KeyLookup
}

// NewAuthenticator returns an Authenticator over keys (usually a Store).
func NewAuthenticator(keys KeyLookup) *Authenticator { return &Authenticator{keys: keys} }

// Authenticate reads the secret from h ("Authorization: Bearer <secret>" or
// "X-API-Key: <secret>") and returns its key. Missing, malformed, unknown and
// revoked keys are all ErrUnauthenticated (wrapped with the reason, for the
// log only); a store failure is returned as is so it becomes a 5xx, not a 401.
// The secret itself never appears in an error.
func (a *Authenticator) Authenticate(ctx context.Context, h http.Header) (Key, error) {
	secret, err := SecretFromHeader(h)
	if err != nil {
		return Key{}, err
	}
	return a.Resolve(ctx, secret)
}

// Resolve returns the live key whose secret is secret.
func (a *Authenticator) Resolve(ctx context.Context, secret string) (Key, error) {
	// Anything not shaped like one of our secrets cannot match a stored hash;
	// refusing it here keeps junk away from the store.
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > maxSecretLen {
		return Key{}, fmt.Errorf("%w: not an interdict key", ErrUnauthenticated)
	}
	k, err := a.keys.KeyByHash(ctx, Hash(secret))
	switch {
	case errors.Is(err, ErrNotFound):
		return Key{}, fmt.Errorf("%w: unknown key", ErrUnauthenticated)
	case err != nil:
		return Key{}, fmt.Errorf("look up api key: %w", err)
	case k.RevokedAt != nil:
		return Key{}, fmt.Errorf("%w: key %s revoked", ErrUnauthenticated, k.ID)
	}
	return k, nil
}

// Require returns nil if k's role allows required, else ErrForbidden.
func Require(k Key, required Role) error {
	if !k.Role.Allows(required) {
		return fmt.Errorf("%w: key %s has role %q, the call needs %q", ErrForbidden, k.ID, k.Role, required)
	}
	return nil
}

// SecretFromHeader extracts the presented secret. Both headers may be sent
// only if they agree, so a proxy that adds one cannot be confused with the
// caller's own.
func SecretFromHeader(h http.Header) (string, error) {
	var fromAuth string
	if v := h.Get("Authorization"); v != "" {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", fmt.Errorf("%w: Authorization is not a Bearer token", ErrUnauthenticated)
		}
		fromAuth = strings.TrimSpace(rest)
		if fromAuth == "" {
			return "", fmt.Errorf("%w: empty Bearer token", ErrUnauthenticated)
		}
	}
	fromKey := strings.TrimSpace(h.Get("X-API-Key"))
	switch {
	case fromAuth != "" && fromKey != "" && fromAuth != fromKey:
		return "", fmt.Errorf("%w: Authorization and X-API-Key disagree", ErrUnauthenticated)
	case fromAuth != "":
		return fromAuth, nil
	case fromKey != "":
		return fromKey, nil
	}
	return "", fmt.Errorf("%w: no api key presented", ErrUnauthenticated)
}
