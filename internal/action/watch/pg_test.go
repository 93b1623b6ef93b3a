package watch_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/postgres"
)

// testStore is a state store as the engine tests use it.
type testStore interface {
	watch.Store
	watch.Auditor
	Audit(ctx context.Context, limit int) ([]auth.AuditEntry, error)
}

var pgSeq atomic.Int64

// openPostgres opens a state store on a fresh schema of the test server
// (INTERDICT_TEST_POSTGRES_URL), dropped at cleanup. Without the variable
// the test is skipped, unless CI is set: then it fails.
func openPostgres(t *testing.T) testStore {
	t.Helper()
	base := os.Getenv("INTERDICT_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("INTERDICT_TEST_POSTGRES_URL is not set and CI is: the PostgreSQL engine tests must run")
		}
		t.Skip("INTERDICT_TEST_POSTGRES_URL is not set")
	}
	admin, err := pgx.Connect(t.Context(), base)
	must(t, err)
	defer admin.Close(context.Background())
	name := fmt.Sprintf("watchtest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, pgSeq.Add(1))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+ident); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE")
			_ = c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	must(t, err)
	q := u.Query()
	q.Set("search_path", name)
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	st, err := postgres.Open(t.Context(), u.String(), nil)
	must(t, err)
	t.Cleanup(st.Close)
	return st
}

// backends are the state stores the engine tests run on.
var backends = []struct {
	name string
	open func(t *testing.T) testStore
}{
	{"sqlite", func(t *testing.T) testStore { return openStore(t) }},
	{"postgres", openPostgres},
}
