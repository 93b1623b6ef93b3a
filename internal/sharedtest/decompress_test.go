package sharedtest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsnet/compress/bzip2"
)

const content = "<list>the uncompressed bytes</list>\n"

// sharedDir writes content plain, gzipped and bzipped into a directory the
// test uses as the shared data, and gives it a cache of its own.
func sharedDir(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	var gz, bz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(content))
	zw.Close()
	bw, err := bzip2.NewWriter(&bz, nil)
	if err != nil {
		t.Fatal(err)
	}
	bw.Write([]byte(content))
	bw.Close()
	for name, b := range map[string][]byte{"l.xml": []byte(content), "l.xml.gz": gz.Bytes(), "l.xml.bz2": bz.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("INTERDICT_SHARED_DATA", dir)
	old := cacheDir
	cacheDir = filepath.Join(t.TempDir(), "cache")
	t.Cleanup(func() { cacheDir = old })
}

func TestDecompressed(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		cached     bool
	}{
		{"a gzip file is inflated into the cache", "l.xml.gz", true},
		{"a bzip2 file is inflated into the cache", "l.xml.bz2", true},
		{"a plain file is read where it is", "l.xml", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sharedDir(t)
			path := Decompressed(t, tc.file)
			if got, err := os.ReadFile(path); err != nil || string(got) != content {
				t.Fatalf("%s holds %q (%v), want %q", path, got, err, content)
			}
			if inCache := filepath.Dir(path) == cacheDir; inCache != tc.cached {
				t.Errorf("path %s in cache = %v, want %v", path, inCache, tc.cached)
			}
			if again := Decompressed(t, tc.file); again != path {
				t.Errorf("second call gave %s, want the first's %s", again, path)
			}
		})
	}
	t.Run("without the bzip2 program compress/bzip2 inflates", func(t *testing.T) {
		sharedDir(t)
		t.Setenv("PATH", "")
		if got := ReadAll(t, "l.xml.bz2"); string(got) != content {
			t.Errorf("ReadAll = %q, want %q", got, content)
		}
	})
	t.Run("a changed source is inflated again", func(t *testing.T) {
		sharedDir(t)
		first := Decompressed(t, "l.xml.gz")
		src := Path(t, "l.xml.gz")
		st, _ := os.Stat(src)
		later := st.ModTime().Add(1e9)
		if err := os.Chtimes(src, later, later); err != nil {
			t.Fatal(err)
		}
		if second := Decompressed(t, "l.xml.gz"); second == first {
			t.Errorf("after touching the source the cache file is still %s", first)
		}
	})
	t.Run("an unusable cache falls back to the test's directory", func(t *testing.T) {
		sharedDir(t)
		blocker := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(blocker, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cacheDir = filepath.Join(blocker, "cache") // a directory under a file
		if got := ReadAll(t, "l.xml.bz2"); string(got) != content {
			t.Errorf("ReadAll = %q, want %q", got, content)
		}
	})
	t.Run("Open reads the same bytes", func(t *testing.T) {
		sharedDir(t)
		got, err := io.ReadAll(Open(t, "l.xml.gz"))
		if err != nil || string(got) != content {
			t.Errorf("Open read %q (%v), want %q", got, err, content)
		}
	})
}
