package etl_test

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/etl"
	"github.com/interdict/interdict/internal/sources/ethereum"
)

// Seeds are added in code: this package's testdata/fuzz belongs to the
// Bitcoin exporters' fuzzers.

// FuzzFunctionSighashes disassembles arbitrary bytecode (truncated PUSH
// operands included): sorted, distinct 4-byte selectors, never a panic.
func FuzzFunctionSighashes(f *testing.F) {
	f.Add(common.FromHex("0x6060604052361561008d5760e060020a600035046306fdde03811461008f578063095ea7b3146100a5575b"))
	f.Add(common.FromHex("0x63ffffffff"))
	f.Add(common.FromHex("0x63ffff"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, code []byte) {
		sigs := etl.FunctionSighashes(code)
		for i, s := range sigs {
			if len(s) != 10 || (i > 0 && sigs[i-1] >= s) {
				t.Fatalf("sighashes %v", sigs)
			}
		}
		_ = etl.IsERC20(sigs)
		_ = etl.IsERC721(sigs)
	})
}

// FuzzExtractTokenTransfer reads arbitrary topics and data as a Transfer
// event, and writes what it finds in both formats.
func FuzzExtractTokenTransfer(f *testing.F) {
	word := bytes.Repeat([]byte{0xab}, 32)
	f.Add(word, word, word, []byte{}, 3)
	f.Add(word, word, word, word, 4)
	f.Add(word, word, word, []byte{1, 2, 3}, 3)
	f.Fuzz(func(t *testing.T, a, b, c, data []byte, n int) {
		topics := []common.Hash{etl.TransferTopic, common.BytesToHash(a), common.BytesToHash(b), common.BytesToHash(c)}
		if n < 0 || n > len(topics) {
			n = len(topics)
		}
		l := &ethereum.Log{Topics: topics[:n], Data: data}
		tt, ok := etl.ExtractTokenTransfer(l)
		if !ok {
			return
		}
		if tt.Value == nil || tt.Value.Sign() < 0 {
			t.Fatalf("value %v", tt.Value)
		}
		for _, f := range []etl.Format{etl.FormatJSON, etl.FormatCSV} {
			var buf bytes.Buffer
			if err := etl.WriteEth(&buf, f, etl.EthKindTokenTransfers, []etl.Record{etl.EthTokenTransferRecord(tt)}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzEthTraces computes statuses and trace ids over whatever a decodable
// trace_block answer holds (missing parents are errors, not panics).
func FuzzEthTraces(f *testing.F) {
	f.Add([]byte(`[{"type":"call","transactionHash":"0x01","traceAddress":[0,1],"action":{}}]`))
	f.Add([]byte(`[{"type":"call","transactionHash":"0x01","traceAddress":[],"error":"x","action":{}},{"type":"create","transactionHash":"0x01","traceAddress":[0],"action":{}}]`))
	f.Add([]byte(`[{"type":"reward","action":{"author":"0x01","value":"0x1","rewardType":"block"}},{"type":"reward","action":{"value":"0x2"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		traces, err := ethereum.DecodeParityTraces(data)
		if err != nil {
			return
		}
		recs, err := etl.EthTraces(traces, true)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := etl.WriteEth(&buf, etl.FormatCSV, etl.EthKindTraces, recs); err != nil {
			t.Fatal(err)
		}
	})
}
