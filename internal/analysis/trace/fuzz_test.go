package trace

import (
	"math/big"
	"testing"
)

// FuzzParseTxStart: any --tx argument parses or gives ErrBadRequest, never a
// panic, and a parsed one prints back as what it names.
func FuzzParseTxStart(f *testing.F) {
	for _, s := range []string{"ab:0", "ab", ":1", "ab:", "ab:-1", "ab:4294967296", "ab:1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseTxStart(s)
		if err != nil {
			return
		}
		if st.Tx == "" || st.Vout < -1 {
			t.Fatalf("%q parsed to %+v", s, st)
		}
	})
}

// FuzzPools feeds a ledger (receipt and spend sizes with taint flags) to
// every model: no spend carries more taint than its value or less than 0,
// and under haircut and FIFO taint is conserved: what was spent plus what
// is held equals what came in, as long as no spend overdraws.
func FuzzPools(f *testing.F) {
	f.Add([]byte{10, 1, 20, 0, 0x85, 30, 1, 0x90, 0x81})
	f.Add([]byte{0x80, 5, 1, 0x82})
	f.Fuzz(func(t *testing.T, ledger []byte) {
		for _, m := range models {
			p := m.NewPool()
			in, spent := new(big.Rat), new(big.Rat)
			bal, over := int64(0), false
			for i := 0; i < len(ledger); i++ {
				b := ledger[i]
				v := big.NewInt(int64(b & 0x7f))
				if b&0x80 == 0 { // a receipt; the next byte says tainted
					taint := Clean()
					if i+1 < len(ledger) && ledger[i+1]&1 == 1 {
						taint = Full(v)
					}
					i++
					p.Receive(v, taint)
					in.Add(in, taint.Amount)
					bal += v.Int64()
					continue
				}
				out := p.Spend(v)
				if out.Amount.Sign() < 0 || out.Amount.Cmp(new(big.Rat).SetInt(v)) > 0 {
					t.Fatalf("%s: spend of %s carries %s", m, v, out.Amount.RatString())
				}
				spent.Add(spent, out.Amount)
				if bal -= v.Int64(); bal < 0 {
					over, bal = true, 0
				}
			}
			if m != Poison && !over {
				if got := new(big.Rat).Add(spent, p.Held()); got.Cmp(in) != 0 {
					t.Fatalf("%s: spent %s + held %s != received %s", m, spent.RatString(), p.Held().RatString(), in.RatString())
				}
			}
		}
	})
}
