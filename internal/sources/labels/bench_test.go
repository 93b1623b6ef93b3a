package labels

import (
	"bytes"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// BenchmarkParseEtherscan decodes the Etherscan label dump (29945 labels).
func BenchmarkParseEtherscan(b *testing.B) {
	data := sharedtest.ReadAll(b, "tags", "etherscan-labels-brianleect", "etherscan_combinedAllLabels.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s, err := Parse(bytes.NewReader(data), FormatEtherscanCombined, "etherscan_combinedAllLabels.json")
		if err != nil {
			b.Fatal(err)
		}
		n += len(s.Labels)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "labels/s")
}
