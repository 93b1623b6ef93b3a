// Package sharedtest locates the project's shared third-party test data
// (../shared/data from the repository root) for tests. When CI is set and the
// data is missing the test fails; elsewhere it is skipped with a clear message.
// Compressed files are read through a per-machine cache of their uncompressed
// content (Decompressed, Open, ReadAll).
package sharedtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the absolute path of ../shared/data, or ends the test.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("INTERDICT_SHARED_DATA"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	d := filepath.Join(root, "..", "shared", "data")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		abs, _ := filepath.Abs(d)
		return abs
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("shared test data missing at %s (CI is set, so this fails rather than skips)", d)
	}
	tb.Skipf("shared test data missing at %s", d)
	return ""
}

// Path joins elem onto Dir and fails the test if the file is missing.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared test file missing: %v", err)
		}
		tb.Skipf("shared test file missing: %v", err)
	}
	return p
}
