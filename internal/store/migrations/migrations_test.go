package migrations

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func files(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		fsys["m/"+n] = &fstest.MapFile{Data: []byte("-- " + n)}
	}
	return fsys
}

func versions(migs []Migration) []int {
	out := make([]int, len(migs))
	for i, m := range migs {
		out[i] = m.Version
	}
	return out
}

func TestLoad(t *testing.T) {
	t.Run("scripts are paired by version and ordered", func(t *testing.T) {
		migs, err := Load(files("0010_b.up.sql", "0002_a.down.sql", "0010_b.down.sql", "0002_a.up.sql"), "m")
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(migs); !slices.Equal(got, []int{2, 10}) {
			t.Fatalf("versions = %v, want [2 10]", got)
		}
		m := migs[0]
		if m.String() != "0002_a" || m.Up != "-- 0002_a.up.sql" || m.Down != "-- 0002_a.down.sql" {
			t.Errorf("first migration = %+v", m)
		}
	})
	for _, tc := range []struct {
		name  string
		fsys  fstest.MapFS
		error string
	}{
		{"a version without its down script is refused", files("0001_init.up.sql"), "0001_init: needs both up and down scripts"},
		{"a version without its up script is refused", files("0001_init.down.sql"), "0001_init: needs both up and down scripts"},
		{"a file not named NNNN_name.(up|down).sql is refused", files("0001_init.up.sql", "0001_init.down.sql", "init.sql"), "init.sql: name is not"},
		{"upper case in a name is refused", files("0001_Init.up.sql"), "name is not"},
		{"a missing directory is an error", fstest.MapFS{}, "read embedded migrations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.fsys, "m")
			if err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Fatalf("Load error = %v, want one containing %q", err, tc.error)
			}
		})
	}
}

func TestMissingAndUndo(t *testing.T) {
	migs := []Migration{{Version: 1, Name: "a"}, {Version: 2, Name: "b"}, {Version: 3, Name: "c"}}
	for _, tc := range []struct {
		name    string
		applied []int
		want    []int
	}{
		{"a new database gets every migration, oldest first", nil, []int{1, 2, 3}},
		{"a database part way gets the rest", []int{1}, []int{2, 3}},
		{"an up-to-date database gets none", []int{1, 2, 3}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Missing(migs, tc.applied)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(versions(got), tc.want) {
				t.Errorf("Missing(%v) = %v, want %v", tc.applied, versions(got), tc.want)
			}
		})
	}
	t.Run("a database from a newer binary is refused", func(t *testing.T) {
		if _, err := Missing(migs, []int{1, 2, 3, 9999}); err == nil || !strings.Contains(err.Error(), "newer than this binary's 3") {
			t.Fatalf("Missing error = %v, want a refusal", err)
		}
	})
	for _, tc := range []struct {
		name            string
		current, target int
		want            []int
	}{
		{"undoing to zero runs every applied down script, newest first", 3, 0, []int{3, 2, 1}},
		{"undoing stops at the target", 3, 1, []int{3, 2}},
		{"migrations never applied are not undone", 2, 0, []int{2, 1}},
		{"a target at the current version undoes nothing", 2, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Undo(migs, tc.current, tc.target)
			if !slices.Equal(versions(got), tc.want) {
				t.Errorf("Undo(%d, %d) = %v, want %v", tc.current, tc.target, versions(got), tc.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	migs := []Migration{{Version: 1}, {Version: 2}, {Version: 7}, {Version: 9}}
	for _, c := range []struct {
		applied []int
		want    []int
		err     bool
	}{
		{nil, []int{1, 2, 7, 9}, false},
		{[]int{1, 2, 7, 9}, nil, false},
		{[]int{1, 2, 9}, []int{7}, false}, // the gap a highest-version check would skip
		{[]int{1, 2}, []int{7, 9}, false},
		{[]int{1, 2, 7, 9, 10}, nil, true}, // written by a newer binary
	} {
		got, err := Missing(migs, c.applied)
		if (err != nil) != c.err {
			t.Fatalf("Missing(%v): err %v", c.applied, err)
		}
		if !slices.Equal(versions(got), c.want) {
			t.Errorf("Missing(%v) = %v, want %v", c.applied, versions(got), c.want)
		}
	}
}
