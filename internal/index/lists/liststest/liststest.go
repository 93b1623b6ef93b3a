// Package liststest opens the shared list files for tests, decompressed once
// per machine. Decompressing a 120 MB SDN XML with compress/bzip2 takes ~3 s,
// and ~45 s under the race detector that `make test` uses; several packages'
// tests read the same two files. So the first reader writes the uncompressed
// bytes to a cache file (with the system's bzip2 when there is one, else with
// compress/bzip2) and every later test opens that file.
package liststest

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

	"github.com/interdict/interdict/internal/sharedtest"
)

// Open returns the uncompressed content of the shared data file at elem
// (e.g. "ofac", "sdn_advanced_2025-11-19.xml.bz2"), which may be .bz2, .gz or
// plain. The file is closed when the test ends. Missing data ends the test as
// sharedtest.Path does.
func Open(tb testing.TB, elem ...string) io.Reader {
	tb.Helper()
	src := sharedtest.Path(tb, elem...)
	path, err := uncompressed(src, filepath.Join(os.TempDir(), "interdict-test-cache"))
	if err != nil {
		// A cache another user owns, a full disk: decompress for this test only.
		tb.Logf("liststest: no shared cache (%v); decompressing into the test's directory", err)
		if path, err = uncompressed(src, tb.TempDir()); err != nil {
			tb.Fatalf("liststest: %v", err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("liststest: %v", err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// uncompressed returns the path of src's uncompressed content in dir, writing
// it there on first use. The file name holds src's size and modification
// time, so a changed source is decompressed again; the file is written under a
// temporary name and renamed, so concurrent test binaries never read half.
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
