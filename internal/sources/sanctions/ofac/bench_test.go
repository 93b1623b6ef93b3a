package ofac

import (
	"bytes"
	"compress/bzip2"
	"context"
	"io"
	"os"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// readShared returns the decompressed 2025-11-19 list and its compressed form.
func readShared(b *testing.B) (xml, compressed []byte) {
	b.Helper()
	compressed, err := os.ReadFile(sharedtest.Path(b, "ofac", "sdn_advanced_2025-11-19.xml.bz2"))
	if err != nil {
		b.Fatal(err)
	}
	return sharedtest.ReadAll(b, "ofac", "sdn_advanced_2025-11-19.xml.bz2"), compressed
}

// BenchmarkParseOFAC parses the full 2025-11-19 SDN advanced XML (121 MB) from
// memory; MB/s is of uncompressed XML. The target is 50 MB/s on one core.
func BenchmarkParseOFAC(b *testing.B) {
	xml, _ := readShared(b)
	b.SetBytes(int64(len(xml)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l, err := Parse(context.Background(), bytes.NewReader(xml))
		if err != nil || len(l.Entities) != 18367 {
			b.Fatalf("parse: %v", err)
		}
	}
}

// BenchmarkDecompressBzip2 inflates the same list from its bzip2 file, for
// comparison: MB/s is of uncompressed output, so it compares directly with
// BenchmarkParseOFAC.
func BenchmarkDecompressBzip2(b *testing.B) {
	xml, compressed := readShared(b)
	b.SetBytes(int64(len(xml)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n, err := io.Copy(io.Discard, bzip2.NewReader(bytes.NewReader(compressed)))
		if err != nil || n != int64(len(xml)) {
			b.Fatalf("inflate: %d bytes, %v", n, err)
		}
	}
}
