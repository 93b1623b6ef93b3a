package federate_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/store/postgres"
)

const pgURLEnv = "INTERDICT_TEST_POSTGRES_URL"

var pgSchemas atomic.Int64

// openPostgres opens a PostgreSQL state store on a fresh schema (prefixed
// federate_), dropped at cleanup.
func openPostgres(t *testing.T, name string) backend {
	t.Helper()
	base := os.Getenv(pgURLEnv)
	if base == "" {
		t.Fatalf("%s is not set and CI is: the PostgreSQL scenario tests must run", pgURLEnv)
	}
	admin, err := pgxpool.New(t.Context(), base)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgURLEnv, err)
	}
	t.Cleanup(admin.Close)
	schema := fmt.Sprintf("federate_%s_%d_%d_%d", name, os.Getpid(), time.Now().UnixNano()%1e9, pgSchemas.Add(1))
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	st, err := postgres.Open(t.Context(), searchPath(t, base, schema), nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// searchPath selects schema in a URL or keyword/value connection string,
// with a small pool.
func searchPath(t *testing.T, conn, schema string) string {
	t.Helper()
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		return conn + " search_path=" + schema + " pool_max_conns=4"
	}
	u, err := url.Parse(conn)
	if err != nil {
		t.Fatalf("%s: %v", pgURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	return u.String()
}
