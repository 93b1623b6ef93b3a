package chainbench

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// BenchmarkIngestFloor measures what any ingest of the chain must do before
// it stores anything, step by step on the same blocks: btcd decode; plus the
// txids (double SHA-256 of every transaction); plus the script class of every
// output (txscript.GetScriptClass); plus its addresses as btcd extracts them
// (txscript.ExtractPkScriptAddrs); plus their text (Classify: base58check and
// bech32/bech32m encoding, what the index stores today). Divide by decode for
// the floor of the "ingest ≤ 3× decode" goal with each.
func BenchmarkIngestFloor(b *testing.B) {
	c := loadChain(b)
	params := &chaincfg.RegressionNetParams
	steps := []struct {
		name string
		out  func(pkScript []byte)
	}{
		{"decode+txids", nil},
		{"decode+txids+class", func(s []byte) { txscript.GetScriptClass(s) }},
		{"decode+txids+extract", func(s []byte) { _, _, _, _ = txscript.ExtractPkScriptAddrs(s, params) }},
		{"decode+txids+address-text", func(s []byte) { bitcoin.Classify(s, params) }},
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decodeAll(b, c)
		}
		report(b, c)
	})
	for _, st := range steps {
		b.Run(st.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range decodeAll(b, c) {
					for _, tx := range m.Transactions {
						_ = tx.TxHash()
						if st.out == nil {
							continue
						}
						for _, o := range tx.TxOut {
							st.out(o.PkScript)
						}
					}
				}
			}
			report(b, c)
		})
	}
}
