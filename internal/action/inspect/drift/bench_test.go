package drift

import (
	"fmt"
	"testing"
)

// BenchmarkCompare: one signer with 10,000 transactions, the last 1,000
// blocks against the rest.
func BenchmarkCompare(b *testing.B) {
	fps := make([]Fingerprint, 10_000)
	for i := range fps {
		fps[i] = Fingerprint{Tx: fmt.Sprint(i), Height: int64(i), Seq: int64(i),
			Traits:  map[string]string{"tx_type": "dynamic_fee", "fee_style": "eip1559", "chain_id": "1"},
			Numbers: map[string]uint64{"priority_fee_wei": uint64(1e9 + i%7*1e8), "gas_limit": 21_000}}
	}
	cfg := DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		if r := Compare("0xsigner", "eth", fps, 9_000, cfg); !r.Decided || len(r.Drifts) != 0 {
			b.Fatalf("%+v", r)
		}
	}
}
