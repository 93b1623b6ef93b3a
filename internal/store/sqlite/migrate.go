package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change with its undo script.
type migration struct {
	version  int
	name     string
	up, down string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$`)

// loadMigrations reads the embedded files, ordered by version. Every version
// must have both an up and a down script.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.(up|down).sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		mg := byVersion[v]
		if mg == nil {
			mg = &migration{version: v, name: m[2]}
			byVersion[v] = mg
		}
		if m[3] == "up" {
			mg.up = string(body)
		} else {
			mg.down = string(body)
		}
	}
	out := make([]migration, 0, len(byVersion))
	for _, mg := range byVersion {
		if mg.up == "" || mg.down == "" {
			return nil, fmt.Errorf("migration %04d_%s: needs both up and down scripts", mg.version, mg.name)
		}
		out = append(out, *mg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies every pending up migration in one write transaction. BEGIN
// IMMEDIATE takes the database's write lock first, so two processes opening the
// same file at once apply each migration exactly once.
func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var applied []int
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, qCreateMigrations); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, qMigrationVersion).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if latest := migs[len(migs)-1].version; current > latest {
			return fmt.Errorf("database schema is at version %d, newer than this binary's %d", current, latest)
		}
		for _, m := range migs {
			if m.version <= current {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.up); err != nil {
				return fmt.Errorf("apply %04d_%s: %w", m.version, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, qInsertMigration, m.version, m.name, toMicros(now())); err != nil {
				return err
			}
			applied = append(applied, m.version)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", s.path, err)
	}
	if len(applied) > 0 {
		s.logger.Info("applied schema migrations", "path", s.path, "versions", applied)
	}
	return nil
}

// migrateDown undoes applied migrations newer than target, newest first. Only
// tests call it, to prove every down script reverses its up script.
func (s *Store) migrateDown(ctx context.Context, target int) error {
	migs, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate down: %w", err)
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var current int
		if err := tx.QueryRowContext(ctx, qMigrationVersion).Scan(&current); err != nil {
			return err
		}
		for i := len(migs) - 1; i >= 0; i-- {
			m := migs[i]
			if m.version <= target || m.version > current {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.down); err != nil {
				return fmt.Errorf("undo %04d_%s: %w", m.version, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, qDeleteMigration, m.version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate down %s: %w", s.path, err)
	}
	return nil
}
