package un

import (
	"bytes"
	"context"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// BenchmarkParseUN parses the full 2026-02-27 consolidated list from memory.
func BenchmarkParseUN(b *testing.B) {
	xml := sharedtest.ReadAll(b, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	b.SetBytes(int64(len(xml)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(context.Background(), bytes.NewReader(xml)); err != nil {
			b.Fatal(err)
		}
	}
}
