package etl_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/etl"
	"github.com/interdict/interdict/internal/sharedtest"
)

// etlRoot is ethereum-etl's test resources inside the shared data.
var etlRoot = []string{"blockchain", "ethereum-etl"}

func caseDir(t testing.TB, job, name string) string {
	t.Helper()
	return sharedtest.Path(t, append(append([]string{}, etlRoot...), job, name)...)
}

// expectedFiles lists the expected_* files of a case folder (names without
// a .gz suffix), so a test can check it compared every one.
func expectedFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "expected_") {
			out = append(out, strings.TrimSuffix(e.Name(), ".gz"))
		}
	}
	return out
}

// readExpected reads an expected file of the case folder, decompressing a
// .gz twin when the plain file does not exist.
func readExpected(t testing.TB, dir, name string) []byte {
	t.Helper()
	rel, err := filepath.Rel(sharedtest.Dir(t), filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		rel += ".gz"
	}
	return sharedtest.ReadAll(t, strings.Split(filepath.ToSlash(rel), "/")...)
}

// row is one exported item with every value as text; null is "<null>" so
// that JSON's null and "" stay apart (CSV has no null: both are "").
type row map[string]string

func parseRows(t *testing.T, name string, data []byte) []row {
	t.Helper()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if strings.HasSuffix(name, ".csv") {
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out []row
		for _, rec := range recs[1:] {
			r := row{}
			for i, c := range recs[0] {
				r[c] = rec[i]
			}
			out = append(out, r)
		}
		return out
	}
	var out []row
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s line %d: %v", name, i+1, err)
		}
		r := row{}
		for k, v := range m {
			r[k] = canonical(v)
		}
		out = append(out, r)
	}
	return out
}

func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "<null>"
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v) // lists and objects: key-sorted JSON
	return string(b)
}

func (r row) String() string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s;", k, r[k])
	}
	return b.String()
}

// compareRows checks got equals want as ethereum-etl's tests do: the same
// rows in any order, every field equal. It reports the first differing
// field of the closest row.
func compareRows(t *testing.T, name string, got, want []row) {
	t.Helper()
	sortRows(got)
	sortRows(want)
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", name, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, gok := g[k]
			wv, wok := w[k]
			if gok != wok || gv != wv {
				t.Errorf("%s row %d field %q: got %s, want %s", name, i, k, show(gv, gok), show(wv, wok))
				return
			}
		}
	}
}

func show(v string, ok bool) string {
	if !ok {
		return "(no such field)"
	}
	if len(v) > 120 {
		v = v[:120] + "…"
	}
	return fmt.Sprintf("%q", v)
}

func sortRows(rs []row) {
	slices.SortFunc(rs, func(a, b row) int { return strings.Compare(a.String(), b.String()) })
}

// sortedLines is the file's lines sorted, for a byte-for-byte comparison
// that ignores row order (upstream writes rows in thread order).
func sortedLines(data []byte, csv bool) []string {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if csv && len(lines) > 1 {
		slices.Sort(lines[1:]) // the header stays first
	} else {
		slices.Sort(lines)
	}
	return lines
}

// checkExport writes recs as kind in the format the expected file's name
// says and compares field by field; with exact it also requires the same
// bytes (up to row order).
func checkExport(t *testing.T, dir, name string, kind etl.EthKind, recs []etl.Record, exact bool) {
	t.Helper()
	format := etl.FormatJSON
	if strings.HasSuffix(name, ".csv") {
		format = etl.FormatCSV
	}
	var buf bytes.Buffer
	if err := etl.WriteEth(&buf, format, kind, recs); err != nil {
		t.Fatal(err)
	}
	checkBytes(t, dir, name, buf.Bytes(), exact)
}

func checkBytes(t *testing.T, dir, name string, got []byte, exact bool) {
	t.Helper()
	want := readExpected(t, dir, name)
	compareRows(t, name, parseRows(t, name, got), parseRows(t, name, want))
	if exact && !t.Failed() && len(bytes.TrimSpace(want)) > 0 {
		isCSV := strings.HasSuffix(name, ".csv")
		g, w := sortedLines(got, isCSV), sortedLines(want, isCSV)
		if !slices.Equal(g, w) {
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Errorf("%s: same fields, different bytes:\n got %.300s\nwant %.300s", name, g[i], w[i])
					return
				}
			}
			t.Errorf("%s: %d lines, want %d", name, len(g), len(w))
		}
	}
}
