package fetch

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Compression names what Decompress found.
type Compression string

// The formats Decompress recognises by their magic bytes.
const (
	Plain Compression = "plain"
	Gzip  Compression = "gzip"
	Bzip2 Compression = "bzip2"
)

// Decompress returns a reader of r's content, inflating it when it starts with
// the gzip (1f 8b) or bzip2 ("BZh1".."BZh9") magic bytes, whatever the file is
// called. Plain input is returned unchanged (behind a small buffer).
func Decompress(r io.Reader) (io.Reader, Compression, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, "", fmt.Errorf("fetch: sniff compression: %w", err)
	}
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("fetch: gzip: %w", err)
		}
		return zr, Gzip, nil
	case len(head) == 4 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9':
		return bzip2.NewReader(br), Bzip2, nil
	}
	return br, Plain, nil
}

// OpenFile opens a list file that may be plain, gzip or bzip2 (told apart by
// content, not name), so `interdict lists load` takes any of them. Closing the
// result closes the file.
func OpenFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	r, _, err := Decompress(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return readCloser{Reader: r, Closer: f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

var reDigest = regexp.MustCompile(`(?i)(?:^|[^0-9a-f])([0-9a-f]{64})(?:$|[^0-9a-f])`)

// ParseChecksum extracts a SHA-256 hex digest from checksum text in the usual
// forms: a bare digest, sha256sum's "DIGEST  NAME", or OpenSSL's
// "SHA256(NAME) = DIGEST" (the form of OFAC's published hashes). It returns the
// digest in lower case.
func ParseChecksum(text string) (string, error) {
	m := reDigest.FindStringSubmatch(text)
	if m == nil {
		return "", fmt.Errorf("fetch: no SHA-256 digest in %q", truncate(text, 80))
	}
	return strings.ToLower(m[1]), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
