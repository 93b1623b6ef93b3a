package deliver_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/store/postgres"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// pgEnv names the PostgreSQL server of the tests (`make test` starts one).
const pgEnv = "INTERDICT_TEST_POSTGRES_URL"

var schemaSeq atomic.Int64

// backend opens a fresh, empty delivery store.
type backend struct {
	name string
	open func(tb testing.TB) deliver.Store
}

// backends are the state stores the dispatcher tests run on: SQLite always,
// PostgreSQL when a server is given (and under CI, where it must be).
func backends(t *testing.T) []backend {
	bs := []backend{{"sqlite", openSQLite}}
	if os.Getenv(pgEnv) != "" || os.Getenv("CI") != "" {
		bs = append(bs, backend{"postgres", openPostgres})
	} else {
		t.Logf("%s is not set: the PostgreSQL runs are skipped", pgEnv)
	}
	return bs
}

func openSQLite(tb testing.TB) deliver.Store {
	tb.Helper()
	st, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "state.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// openPostgres opens a store on a new schema, dropped at cleanup.
func openPostgres(tb testing.TB) deliver.Store {
	tb.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		tb.Fatalf("%s is not set and CI is: the PostgreSQL runs must happen", pgEnv)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", pgEnv, err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("delivertest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	target := base + " search_path=" + name + " pool_max_conns=4"
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", name)
		q.Set("pool_max_conns", "4")
		u.RawQuery = q.Encode()
		target = u.String()
	}
	st, err := postgres.Open(ctx, target, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(st.Close)
	return st
}
