package fetch

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsnet/compress/bzip2"

	"github.com/interdict/interdict/internal/sharedtest"
)

func TestOpenFileSniffsCompression(t *testing.T) {
	content := []byte(`<?xml version="1.0"?><Sanctions/>` + "\n")
	var gz, bz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content)
	zw.Close()
	bw, err := bzip2.NewWriter(&bz, nil)
	if err != nil {
		t.Fatal(err)
	}
	bw.Write(content)
	bw.Close()
	dir := t.TempDir()
	tests := []struct {
		name, file string
		data       []byte
		want       Compression
	}{
		{"a plain file is read as is", "list.xml", content, Plain},
		{"a gzip file is inflated", "list.xml.gz", gz.Bytes(), Gzip},
		{"a bzip2 file is inflated", "list.xml.bz2", bz.Bytes(), Bzip2},
		{"a gzip file is found by content, not name", "list.xml", gz.Bytes(), Gzip},
		{"an empty file is an empty plain file", "empty.xml", nil, Plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			want := content
			if tt.data == nil {
				want = nil
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("read %q, %v", got, err)
			}
			_, kind, err := Decompress(bytes.NewReader(tt.data))
			if err != nil || kind != tt.want {
				t.Errorf("Decompress says %s, %v; want %s", kind, err, tt.want)
			}
		})
	}
	t.Run("a missing file is an error", func(t *testing.T) {
		if _, err := OpenFile(filepath.Join(dir, "nope")); !os.IsNotExist(unwrapAll(err)) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("a corrupt gzip header is an error", func(t *testing.T) {
		path := filepath.Join(dir, "bad.gz")
		os.WriteFile(path, []byte{0x1f, 0x8b, 0, 0}, 0o644)
		if _, err := OpenFile(path); err == nil {
			t.Error("no error")
		}
	})
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestOpenFileReadsTheSharedBzip2List(t *testing.T) {
	r, err := OpenFile(sharedtest.Path(t, "ofac", "sdn_advanced_2025-03-04.xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 37)
	if _, err := io.ReadFull(r, head); err != nil || string(head) != `<?xml version="1.0" encoding="utf-8" ` {
		t.Errorf("head %q, %v", head, err)
	}
}

func TestParseChecksum(t *testing.T) {
	const d = "36c517bd264d8d97eff353eadd8d84427d5eb293505a8ce07271a5bc258c3117"
	tests := []struct{ name, in, want string }{
		{"OpenSSL's form", "SHA256(sdn_advanced.xml) = " + d + "\n", d},
		{"sha256sum's form", d + "  sdn_advanced.xml\n", d},
		{"a bare upper-case digest", "36C517BD264D8D97EFF353EADD8D84427D5EB293505A8CE07271A5BC258C3117", d},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is read", func(t *testing.T) {
			if got, err := ParseChecksum(tt.in); err != nil || got != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	for _, bad := range []string{"", "SHA256(x) = 1234", d + "00"} {
		if _, err := ParseChecksum(bad); err == nil {
			t.Errorf("ParseChecksum(%q) found a digest", bad)
		}
	}
	t.Run("the shared checksum file is read", func(t *testing.T) {
		b, err := os.ReadFile(sharedtest.Path(t, "ofac", "sdn_advanced_2025-11-19.sha256.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ParseChecksum(string(b)); err != nil || got != d {
			t.Errorf("got %q, %v", got, err)
		}
	})
}
