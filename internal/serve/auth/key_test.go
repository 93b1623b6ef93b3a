package auth_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/serve/auth"
)

func TestRoleAllows(t *testing.T) {
	all := []auth.Role{auth.RoleScreener, auth.RoleAnalyst, auth.RoleAdmin}
	want := map[auth.Role]map[auth.Role]bool{
		auth.RoleScreener: {auth.RoleScreener: true},
		auth.RoleAnalyst:  {auth.RoleScreener: true, auth.RoleAnalyst: true},
		auth.RoleAdmin:    {auth.RoleScreener: true, auth.RoleAnalyst: true, auth.RoleAdmin: true},
	}
	for _, have := range all {
		for _, need := range all {
			t.Run(string(have)+" may call what needs "+string(need)+" only if it ranks at least as high", func(t *testing.T) {
				if got := have.Allows(need); got != want[have][need] {
					t.Errorf("%s.Allows(%s) = %v, want %v", have, need, got, want[have][need])
				}
			})
		}
	}
	t.Run("an unknown role allows nothing and is allowed by nothing", func(t *testing.T) {
		for _, r := range all {
			if auth.Role("root").Allows(r) || r.Allows("root") || r.Allows("") {
				t.Errorf("unknown role mixed with %s was allowed", r)
			}
		}
	})
}

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    auth.Role
		wantErr bool
	}{
		{"admin", auth.RoleAdmin, false},
		{"analyst", auth.RoleAnalyst, false},
		{"screener", auth.RoleScreener, false},
		{"Admin", "", true},
		{"", "", true},
		{"superuser", "", true},
	} {
		t.Run("parsing "+`"`+tc.in+`"`, func(t *testing.T) {
			got, err := auth.ParseRole(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseRole(%q) = %q, %v", tc.in, got, err)
			}
			if err != nil && !errors.Is(err, auth.ErrInvalidRole) {
				t.Errorf("error %v is not ErrInvalidRole", err)
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	t.Run("the secret is prefixed, random and stored only as its sha256", func(t *testing.T) {
		secret, k, err := auth.NewKey("acme", "ci", auth.RoleAnalyst)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.SecretPrefix) || len(secret) != 47 {
			t.Errorf("secret %q: want itd_ + 43 base64url characters", secret)
		}
		sum := sha256.Sum256([]byte(secret))
		if !bytes.Equal(k.Hash, sum[:]) || !bytes.Equal(auth.Hash(secret), sum[:]) {
			t.Error("Hash is not sha256(secret)")
		}
		if k.Member != "acme" || k.Name != "ci" || k.Role != auth.RoleAnalyst || k.RevokedAt != nil || k.CreatedAt.IsZero() {
			t.Errorf("key fields wrong: %+v", k)
		}
		if len(k.ID) != 16 || strings.Contains(secret, k.ID) {
			t.Errorf("id %q: want 16 hex characters unrelated to the secret", k.ID)
		}
		secret2, k2, _ := auth.NewKey("acme", "ci", auth.RoleAnalyst)
		if secret2 == secret || k2.ID == k.ID {
			t.Error("two keys share a secret or an id")
		}
	})
	t.Run("an unknown role or an empty member is refused", func(t *testing.T) {
		if _, _, err := auth.NewKey("acme", "x", "root"); !errors.Is(err, auth.ErrInvalidRole) {
			t.Errorf("role root: err = %v", err)
		}
		if _, _, err := auth.NewKey(" ", "x", auth.RoleAdmin); err == nil {
			t.Error("empty member accepted")
		}
	})
}
