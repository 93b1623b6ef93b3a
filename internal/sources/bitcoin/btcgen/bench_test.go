package btcgen

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/wire"
)

// BenchmarkGenerate measures the generator alone (no serialization to disk),
// per block of about 2500 transactions.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	g, err := New(Config{Seed: 1, Blocks: 1 << 30, Txs: 2500 << 30})
	if err != nil {
		b.Fatal(err)
	}
	for g.Height() < 101 {
		g.Next()
	}
	start := g.Txs()
	b.ResetTimer()
	for b.Loop() {
		g.Next()
	}
	b.ReportMetric(float64(g.Txs()-start)/b.Elapsed().Seconds(), "txs/s")
}

// BenchmarkDecode measures btcd decoding generated blocks from their bytes, the
// floor under any ingest of them.
func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	blocks, _, err := Generate(Config{Seed: 1, Blocks: 140, Txs: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	raws := make([][]byte, len(blocks))
	size, txs := 0, 0
	for i, blk := range blocks {
		var buf bytes.Buffer
		if err := blk.Serialize(&buf); err != nil {
			b.Fatal(err)
		}
		raws[i] = buf.Bytes()
		size += buf.Len()
		txs += len(blk.Transactions)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, raw := range raws {
			var m wire.MsgBlock
			if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(txs)*float64(b.N)/b.Elapsed().Seconds(), "txs/s")
}
