package un

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// BenchmarkParseUN parses the full 2026-02-27 consolidated list from memory.
func BenchmarkParseUN(b *testing.B) {
	f, err := os.Open(sharedtest.Path(b, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	xml, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(xml)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(context.Background(), bytes.NewReader(xml)); err != nil {
			b.Fatal(err)
		}
	}
}
