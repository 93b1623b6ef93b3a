// Package migrations reads the numbered up/down SQL scripts a SQL backend
// embeds and works out which of them to run. Each backend keeps what is its
// own: the transaction, the lock that lets one opener migrate at a time, and
// the SQL that records applied versions.
package migrations

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
)

// Migration is one numbered schema change with its undo script.
type Migration struct {
	Version  int
	Name     string
	Up, Down string
}

// String names the migration as its files do, without the suffix: 0001_init.
func (m Migration) String() string { return fmt.Sprintf("%04d_%s", m.Version, m.Name) }

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$`)

// Load reads the scripts in dir of fsys, ordered by version. Every file must
// be named NNNN_name.(up|down).sql and every version needs both scripts, so a
// half-written migration fails at start-up rather than on some later rollback.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	byVersion := map[int]*Migration{}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.(up|down).sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		mg := byVersion[v]
		if mg == nil {
			mg = &Migration{Version: v, Name: m[2]}
			byVersion[v] = mg
		}
		if m[3] == "up" {
			mg.Up = string(body)
		} else {
			mg.Down = string(body)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, mg := range byVersion {
		if mg.Up == "" || mg.Down == "" {
			return nil, fmt.Errorf("migration %s: needs both up and down scripts", mg)
		}
		out = append(out, *mg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Missing returns the migrations of migs (ordered as Load returns them)
// whose versions are not among applied, oldest first. Unlike Pending it also
// finds a gap: a migration numbered below one already applied (two branches
// that each added a migration, merged in the other order), which a
// comparison with the highest applied version would skip for good. A database holding a version newer than every
// migration was written by a newer binary and is refused.
func Missing(migs []Migration, applied []int) ([]Migration, error) {
	done := make(map[int]bool, len(applied))
	latest := 0
	if len(migs) > 0 {
		latest = migs[len(migs)-1].Version
	}
	for _, v := range applied {
		if v > latest {
			return nil, fmt.Errorf("database schema is at version %d, newer than this binary's %d", v, latest)
		}
		done[v] = true
	}
	var out []Migration
	for _, m := range migs {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// Undo returns the applied migrations of migs (ordered as Load returns them)
// that are newer than target, newest first: the order their down scripts run.
func Undo(migs []Migration, current, target int) []Migration {
	var out []Migration
	for i := len(migs) - 1; i >= 0; i-- {
		if m := migs[i]; m.Version > target && m.Version <= current {
			out = append(out, m)
		}
	}
	return out
}
