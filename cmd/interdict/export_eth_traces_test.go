package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
	srceth "github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

// tracedStreamNode serves one of ethereum-etl's traced test_stream cases:
// its recordings (trace_block, eth_call for token metadata, the block with
// transaction hashes only) and, for what the index also needs and upstream
// did not record, a programmable chain holding the recorded block with
// placeholder transactions of the recorded hashes and empty receipts.
// Deliberate difference: those placeholders are not the mainnet
// transactions, so this test checks traces, contracts and tokens only,
// which depend on the traces, the block header and the token calls alone.
func tracedStreamNode(t *testing.T, dir string, height uint64) *rpctest.Server {
	t.Helper()
	raw := sharedtest.ReadAll(t, "blockchain", "ethereum-etl", "test_stream", dir,
		fmt.Sprintf("web3_response.eth_getBlockByNumber_0x%x_false.json", height))
	var resp struct{ Result json.RawMessage }
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	b, err := srceth.DecodeBlock(resp.Result)
	if err != nil {
		t.Fatal(err)
	}
	var receipts []*srceth.Receipt
	b.Txs = []*srceth.Tx{}
	for i, h := range b.TxHashes {
		b.Txs = append(b.Txs, &srceth.Tx{Hash: h, BlockHash: b.Hash, BlockNumber: b.Number, Index: uint64(i), Input: []byte{}})
		receipts = append(receipts, &srceth.Receipt{TxHash: h, TxIndex: uint64(i), BlockHash: b.Hash, BlockNumber: b.Number})
	}
	node := rpctest.New(t, sharedtest.Path(t, "blockchain", "ethereum-etl", "test_stream", dir))
	if err := node.SetChain(1, []rpctest.Block{{Block: b, Receipts: receipts}}); err != nil {
		t.Fatal(err)
	}
	return node
}

// TestExportETHReproducesEthereumEtlTracedStream ingests ethereum-etl's
// traced test_stream cases with --traces parity and exports traces,
// contracts and tokens from the index as stream items: each equals the
// expected file field by field.
func TestExportETHReproducesEthereumEtlTracedStream(t *testing.T) {
	for _, tc := range []struct {
		dir    string
		height uint64
	}{{"blocks_508110_508110", 508110}, {"blocks_2112234_2112234", 2112234}} {
		t.Run(tc.dir, func(t *testing.T) {
			node := tracedStreamNode(t, tc.dir, tc.height)
			c := cli{t: t, args: []string{"--data-dir", t.TempDir(), "--log-level", "warn"}}
			h := fmt.Sprint(tc.height)
			c.ok("ingest", "eth", "--rpc", node.URL, "--from", h, "--to", h, "--traces", "parity")
			for _, kind := range []string{"traces", "contracts", "tokens"} {
				t.Run(kind, func(t *testing.T) {
					got := ethJSONLines(t, "export", []byte(c.ok("export", "eth", kind, "--from", h, "--to", h, "--stream")))
					want := ethJSONLines(t, "expected", sharedtest.ReadAll(t, "blockchain", "ethereum-etl", "test_stream", tc.dir, "expected_"+kind+".json"))
					if len(got) != len(want) {
						t.Fatalf("%d records, expected_%s.json has %d", len(got), kind, len(want))
					}
					for i := range want {
						if !reflect.DeepEqual(got[i], want[i]) {
							t.Errorf("record %d:\n got  %v\n want %v", i, got[i], want[i])
						}
					}
				})
			}
		})
	}
}
