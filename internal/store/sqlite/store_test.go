package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/store/storetest"
)

// open returns a fresh store in a temporary directory, closed at cleanup.
func open(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), filepath.Join(tb.TempDir(), "state", "interdict.db"), nil)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) storetest.Backend { return open(b) })
}

func TestOpen(t *testing.T) {
	t.Run("reopening a database keeps its data and applies no migration twice", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.db")
		s, err := Open(t.Context(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveVersion(t.Context(), lists.Version{ID: "v1", Source: "ofac", SHA256: "ab"}, []byte("blob")); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s, err = Open(t.Context(), path, nil)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		if _, err := s.Version(t.Context(), "v1"); err != nil {
			t.Fatalf("Version after reopen: %v", err)
		}
		var n int
		if err := s.reader.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if migs, _ := loadMigrations(); n != len(migs) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(migs))
		}
	})
	t.Run("stores opened at once on a new file all migrate it safely", func(t *testing.T) {
		// The race to switch a new file to WAL is won by one opener; the
		// others must retry, not fail. Rounds make the race likely.
		const rounds, openers = 20, 6
		for range rounds {
			path := filepath.Join(t.TempDir(), "a.db")
			var wg sync.WaitGroup
			errs := make(chan error, openers)
			for range openers {
				wg.Go(func() {
					s, err := Open(t.Context(), path, nil)
					if err != nil {
						errs <- err
						return
					}
					errs <- errors.Join(s.RecordScreened(t.Context(), "name", "x"), s.Close())
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	t.Run("a database from a newer binary is refused", func(t *testing.T) {
		s := open(t)
		if _, err := s.writer.ExecContext(t.Context(), qInsertMigration, 9999, "future", 0); err != nil {
			t.Fatal(err)
		}
		if err := s.migrate(t.Context()); err == nil {
			t.Fatal("migrate accepted a schema newer than its migrations")
		}
	})
	t.Run("a cancelled context fails Open", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"), nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("Open error = %v, want context.Canceled", err)
		}
	})
	t.Run("a path with URI characters stays one file name", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "odd ?name#%.db")
		s, err := Open(t.Context(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := filepath.Glob(path); err != nil {
			t.Fatal(err)
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "*"))
		found := false
		for _, m := range matches {
			found = found || m == path
		}
		if !found {
			t.Fatalf("files in dir = %v, want %q among them", matches, path)
		}
	})
}

func TestMigrationsDownAndUp(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.migrateDown(ctx, 0); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	var tables int
	if err := s.writer.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence')`).Scan(&tables); err != nil {
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

// A migration numbered below one already applied (branches merged in the
// other order) is applied when the store opens, not skipped.
func TestMigrationGapIsFilled(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	migs, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	gap := migs[len(migs)-2] // not the newest: the newest stays applied
	if _, err := s.writer.ExecContext(ctx, gap.Down); err != nil {
		t.Fatalf("undo %s: %v", gap, err)
	}
	if _, err := s.writer.ExecContext(ctx, qDeleteMigration, gap.Version); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var n int
	if err := s.writer.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, gap.Version).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("migration %s not re-applied", gap)
	}
}
