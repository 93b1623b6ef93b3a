package ethereum

import (
	"encoding/json"
	"testing"
)

// The fuzzers feed every JSON-RPC response decoder malformed, truncated,
// huge and wrongly typed input (seeds in testdata/fuzz: recorded mainnet
// answers and hand-made bad ones). The property is always the same: an
// error or a value, never a panic; and a value must survive our own
// encoding where we have one.

func FuzzDecodeBlock(f *testing.F) {
	f.Add([]byte(`{"number":"0x1","hash":"0x01","parentHash":"0x02","transactions":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBlock(data)
		if err != nil {
			return
		}
		out, err := b.MarshalJSON()
		if err != nil {
			t.Fatalf("decoded block does not encode: %v", err)
		}
		if _, err := DecodeBlock(out); err != nil {
			t.Fatalf("re-decode of our encoding: %v\n%s", err, out)
		}
	})
}

func FuzzDecodeReceipts(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := DecodeReceipts(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(rs)
		if err != nil {
			t.Fatalf("decoded receipts do not encode: %v", err)
		}
		if _, err := DecodeReceipts(out); err != nil {
			t.Fatalf("re-decode of our encoding: %v\n%s", err, out)
		}
		var r Receipt
		_ = json.Unmarshal(data, &r) // the single-receipt form too
	})
}

func FuzzDecodeLogs(f *testing.F) {
	f.Add([]byte(`[{"address":"0x00","topics":[],"data":"0x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeLogs(data)
	})
}

func FuzzDecodeParityTraces(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		traces, err := DecodeParityTraces(data)
		if err != nil {
			return
		}
		for _, tr := range traces {
			if tr.Subtraces < 0 {
				t.Fatal("negative subtraces accepted")
			}
		}
	})
}

func FuzzDecodeGethTraces(f *testing.F) {
	f.Add(uint64(1), []byte(`[]`))
	f.Fuzz(func(t *testing.T, block uint64, data []byte) {
		traces, err := DecodeGethTraces(block, data)
		if err != nil {
			return
		}
		for _, tr := range traces {
			if tr.BlockNumber != block || tr.Subtraces < 0 {
				t.Fatalf("trace %+v", tr)
			}
		}
	})
}

func FuzzDecodeCallReturn(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeStringReturn(data)
		_, _ = DecodeBytes32Return(data)
		if n, ok := DecodeUintReturn(data); ok && n.BitLen() > 256 {
			t.Fatalf("uint256 of %d bits", n.BitLen())
		}
	})
}
