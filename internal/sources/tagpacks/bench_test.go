package tagpacks

import (
	"bytes"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// BenchmarkParsePack decodes and checks the largest real pack (8453 tags).
func BenchmarkParsePack(b *testing.B) {
	data := sharedtest.ReadAll(b, "tags", "graphsense-tagpacks", "packs", "etherscan-label-word-cloud.yaml.gz")
	tax := taxonomy(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p, err := ParsePack(bytes.NewReader(data), "pack.yaml")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Check(p, tax, false); err != nil {
			b.Fatal(err)
		}
		n += len(p.Tags)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tags/s")
}
