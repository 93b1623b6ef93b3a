package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// newStore opens a real SQLite store in a temp dir: the Authenticator is
// tested against the backend it runs on, not a stand-in.
func newStore(t *testing.T) auth.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
