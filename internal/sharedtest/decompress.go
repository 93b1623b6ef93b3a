package sharedtest

import (
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The shared lists are stored compressed, and several packages' tests read
// the same ones: inflating the 120 MB SDN XML with compress/bzip2 takes ~3 s,
// and ~45 s under the race detector that `make test` uses. So the first test
// to want a file writes its uncompressed bytes to a cache file (with the
// system's bzip2 when there is one, else with compress/bzip2) and every later
// test, in any package or process, reads that file.

// cacheDir is shared by every test process of every checkout on the machine.
var cacheDir = filepath.Join(os.TempDir(), "interdict-test-cache")

// Decompressed returns the path of the uncompressed content of the shared data
// file at elem (e.g. "ofac", "sdn_advanced_2025-11-19.xml.bz2"), which may be
// .bz2, .gz or plain; a plain file's own path is returned. Missing data ends
// the test as Path does.
func Decompressed(tb testing.TB, elem ...string) string {
	tb.Helper()
	src := Path(tb, elem...)
	path, err := uncompressed(src, cacheDir)
	if err != nil {
		// A cache another user owns, a full disk: decompress for this test only.
		tb.Logf("sharedtest: no shared cache (%v); decompressing into the test's directory", err)
		if path, err = uncompressed(src, tb.TempDir()); err != nil {
			tb.Fatalf("sharedtest: %v", err)
		}
	}
	return path
}

// Open returns a reader of the uncompressed content of the shared data file at
// elem, as Decompressed finds it; the file is closed when the test ends.
func Open(tb testing.TB, elem ...string) io.Reader {
	tb.Helper()
	f, err := os.Open(Decompressed(tb, elem...))
	if err != nil {
		tb.Fatalf("sharedtest: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// ReadAll returns the uncompressed content of the shared data file at elem, as
// Decompressed finds it.
func ReadAll(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Decompressed(tb, elem...))
	if err != nil {
		tb.Fatalf("sharedtest: %v", err)
	}
	return b
}

// uncompressed returns the path of src's uncompressed content in dir, writing
// it there on first use. The file name holds src's size and modification
// time, so a changed source is decompressed again; the file is written under a
// temporary name and renamed, so concurrent test processes never read half.
func uncompressed(src, dir string) (string, error) {
	ext := filepath.Ext(src)
	if ext != ".bz2" && ext != ".gz" {
		return src, nil
	}
	st, err := os.Stat(src)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := strings.TrimSuffix(filepath.Base(src), ext)
	path := filepath.Join(dir, fmt.Sprintf("%s.%d-%d", base, st.Size(), st.ModTime().UnixNano()))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := decompress(src, ext, tmp); err != nil {
		tmp.Close()
		return "", fmt.Errorf("decompress %s: %w", src, err)
	}
	// CreateTemp makes the file 0600; other users' tests read it too.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

func decompress(src, ext string, dst io.Writer) error {
	if ext == ".bz2" {
		if bz, err := exec.LookPath("bzip2"); err == nil {
			cmd := exec.Command(bz, "-dc", src)
			cmd.Stdout = dst
			return cmd.Run()
		}
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader
	if ext == ".bz2" {
		r = bzip2.NewReader(f)
	} else {
		z, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		r = z
	}
	_, err = io.Copy(dst, r)
	return err
}
