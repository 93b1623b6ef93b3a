package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

// mustKey creates and stores a key, returning its secret.
func mustKey(t *testing.T, s auth.Store, member string, role auth.Role) (string, auth.Key) {
	t.Helper()
	secret, k, err := auth.NewKey(member, "test "+string(role), role)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return secret, k
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	analyst, analystKey := mustKey(t, store, "acme", auth.RoleAnalyst)
	revoked, revokedKey := mustKey(t, store, "acme", auth.RoleAdmin)
	if err := store.RevokeKey(ctx, revokedKey.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	unknown, _, _ := auth.NewKey("acme", "never stored", auth.RoleAdmin)
	a := auth.NewAuthenticator(store)

	for _, tc := range []struct {
		name    string
		header  http.Header
		wantID  string
		wantErr error
	}{
		{"a Bearer token resolves to its key", http.Header{"Authorization": {"Bearer " + analyst}}, analystKey.ID, nil},
		{"the Bearer scheme is case-insensitive", http.Header{"Authorization": {"bearer " + analyst}}, analystKey.ID, nil},
		{"an X-API-Key header resolves to its key", http.Header{"X-Api-Key": {analyst}}, analystKey.ID, nil},
		{"both headers agreeing are accepted", http.Header{"Authorization": {"Bearer " + analyst}, "X-Api-Key": {analyst}}, analystKey.ID, nil},
		{"both headers disagreeing are refused", http.Header{"Authorization": {"Bearer " + analyst}, "X-Api-Key": {unknown}}, "", auth.ErrUnauthenticated},
		{"no header is refused", http.Header{}, "", auth.ErrUnauthenticated},
		{"Basic auth is refused", http.Header{"Authorization": {"Basic dXNlcjpwdw=="}}, "", auth.ErrUnauthenticated},
		{"an empty Bearer token is refused", http.Header{"Authorization": {"Bearer "}}, "", auth.ErrUnauthenticated},
		{"an unknown key is refused", http.Header{"Authorization": {"Bearer " + unknown}}, "", auth.ErrUnauthenticated},
		{"a revoked key is refused", http.Header{"Authorization": {"Bearer " + revoked}}, "", auth.ErrUnauthenticated},
		{"a string without the prefix is refused", http.Header{"X-Api-Key": {"hunter2"}}, "", auth.ErrUnauthenticated},
		{"an overlong secret is refused", http.Header{"X-Api-Key": {auth.SecretPrefix + strings.Repeat("a", 500)}}, "", auth.ErrUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := a.Authenticate(ctx, tc.header)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if k.ID != tc.wantID {
				t.Errorf("key id = %q, want %q", k.ID, tc.wantID)
			}
			if err != nil {
				for _, s := range []string{analyst, revoked, unknown} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error %q reveals a secret", err)
					}
				}
			}
		})
	}
}

func TestRequire(t *testing.T) {
	k := auth.Key{ID: "k1", Role: auth.RoleScreener}
	if err := auth.Require(k, auth.RoleScreener); err != nil {
		t.Errorf("screener refused a screener call: %v", err)
	}
	if err := auth.Require(k, auth.RoleAnalyst); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("screener on an analyst call: err = %v, want ErrForbidden", err)
	}
}

func FuzzSecretFromHeader(f *testing.F) {
	f.Add("Bearer itd_abc", "")
	f.Add("", "itd_abc")
	f.Add("Basic x", "itd_abc")
	f.Add("Bearer", "")
	f.Add("bEaReR   itd_x  ", "itd_x")
	f.Fuzz(func(t *testing.T, authorization, apiKey string) {
		h := http.Header{}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		if apiKey != "" {
			h.Set("X-API-Key", apiKey)
		}
		s, err := auth.SecretFromHeader(h)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) || s != "" {
				t.Fatalf("SecretFromHeader = %q, %v", s, err)
			}
			return
		}
		if s == "" || s != strings.TrimSpace(s) {
			t.Fatalf("secret %q is empty or untrimmed", s)
		}
	})
}
