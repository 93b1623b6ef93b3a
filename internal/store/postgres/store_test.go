package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/interdict/interdict/internal/store/storetest"
)

// urlEnv names the server the tests run against; `make test` starts one with
// scripts/pgtest.sh and sets it.
const urlEnv = "INTERDICT_TEST_POSTGRES_URL"

var (
	adminOnce sync.Once
	admin     *pgxpool.Pool
	adminErr  error
	schemaSeq atomic.Int64
)

// serverURL returns the test server's URL, or ends the test: under CI a missing
// server is a failure, since the PostgreSQL contract must really run there.
func serverURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(urlEnv)
	if u != "" {
		return u
	}
	const how = "start one with `make test`, or `scripts/pgtest.sh start && export $(scripts/pgtest.sh env)` then go test"
	if os.Getenv("CI") != "" {
		tb.Fatalf("%s is not set and CI is: the PostgreSQL contract tests must run; %s", urlEnv, how)
	}
	tb.Skipf("%s is not set, so PostgreSQL tests are skipped; %s", urlEnv, how)
	return ""
}

// freshSchema creates an empty schema, dropped at cleanup, and returns the URL
// whose search_path selects it: every store the tests open starts empty.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := serverURL(tb)
	adminOnce.Do(func() { admin, adminErr = pgxpool.New(context.Background(), base) })
	if adminErr != nil {
		tb.Fatalf("connect to %s: %v", urlEnv, adminErr)
	}
	name := fmt.Sprintf("storetest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(tb.Context(), "CREATE SCHEMA "+ident); err != nil {
		tb.Fatalf("create schema %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", name, err)
		}
	})
	return withSearchPath(tb, base, name)
}

// withSearchPath adds search_path to a URL or keyword/value connection string,
// and caps each store's pool: the default (one connection per CPU) times the
// parallel tests of a many-core machine would exceed the server's
// max_connections.
func withSearchPath(tb testing.TB, conn, schema string) string {
	tb.Helper()
	const maxConns = "10"
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		return conn + " search_path=" + schema + " pool_max_conns=" + maxConns
	}
	u, err := url.Parse(conn)
	if err != nil {
		tb.Fatalf("%s: %v", urlEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", maxConns)
	u.RawQuery = q.Encode()
	return u.String()
}

// open returns a store on a fresh schema, closed at cleanup.
func open(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), freshSchema(tb), nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

func TestContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	serverURL(b)
	storetest.Bench(b, func(b *testing.B) storetest.Backend { return open(b) })
}

func TestOpen(t *testing.T) {
	serverURL(t) // once here rather than in every case
	t.Run("nodes starting at once on one database apply each migration once", func(t *testing.T) {
		u := freshSchema(t)
		const nodes = 6
		stores := make([]*Store, nodes)
		var wg sync.WaitGroup
		errs := make([]error, nodes)
		for i := range nodes {
			wg.Go(func() { stores[i], errs[i] = Open(t.Context(), u, nil) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("node %d: %v", i, err)
			}
			defer stores[i].Close()
		}
		var n int
		if err := stores[0].pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if migs, _ := loadMigrations(); n != len(migs) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(migs))
		}
	})
	t.Run("a database from a newer binary is refused", func(t *testing.T) {
		s := open(t)
		if _, err := s.pool.Exec(t.Context(), qInsertMigration, 9999, "future", now()); err != nil {
			t.Fatal(err)
		}
		if err := s.migrate(t.Context()); err == nil {
			t.Fatal("migrate accepted a schema newer than its migrations")
		}
	})
	t.Run("an unreachable server fails Open without leaking the password", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, err := Open(ctx, "postgres://u:hunter2@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", nil)
		if err == nil {
			t.Fatal("Open succeeded against port 1")
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	})
	t.Run("a malformed URL is an error that does not echo it", func(t *testing.T) {
		_, err := Open(t.Context(), "postgres://u:hunter2@host:notaport/db", nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Open error = %v, want one without the password", err)
		}
	})
	t.Run("a cancelled context fails Open", func(t *testing.T) {
		u := freshSchema(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := Open(ctx, u, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("Open error = %v, want context.Canceled", err)
		}
	})
}

func TestMigrationsDownAndUp(t *testing.T) {
	serverURL(t) // once here rather than in every case
	s := open(t)
	ctx := t.Context()
	if err := s.migrateDown(ctx, 0); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	var tables int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables left after migrating down to 0", tables)
	}
	if err := s.migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	if _, err := s.Versions(ctx); err != nil {
		t.Fatalf("Versions after migrating down and up: %v", err)
	}
}
