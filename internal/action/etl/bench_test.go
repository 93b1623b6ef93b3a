package etl

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/sharedtest"
)

// block574200 is btcd's test block at height 574200 (3315 transactions, 1341
// of them segwit, 1.2 MB).
func block574200(b *testing.B) *wire.MsgBlock {
	b.Helper()
	raw, err := os.ReadFile(sharedtest.Path(b, "blockchain", "btcd", "wire", "testdata",
		"block-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk"))
	if err != nil {
		b.Fatal(err)
	}
	msg := new(wire.MsgBlock)
	if err := msg.Deserialize(bytes.NewReader(raw)); err != nil {
		b.Fatal(err)
	}
	return msg
}

// BenchmarkExportBlock574200 builds and writes the transaction records of
// one full mainnet block, in each format.
func BenchmarkExportBlock574200(b *testing.B) {
	msg := block574200(b)
	for _, f := range []Format{FormatJSON, FormatCSV} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w, err := NewTransactionWriter(io.Discard, f)
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range NewTransactions(574200, msg, nil, &chaincfg.MainNetParams) {
					if err := w.WriteTransaction(t); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(msg.Transactions))*float64(b.N)/b.Elapsed().Seconds(), "txs/s")
		})
	}
}
