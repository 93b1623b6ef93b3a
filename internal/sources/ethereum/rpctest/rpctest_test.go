package rpctest_test

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

func TestKeyBuildsEthereumEtlRecordingNames(t *testing.T) {
	root := sharedtest.Path(t, "blockchain", "ethereum-etl")
	tests := []struct {
		dir    string
		method string
		params []any
		want   string
	}{
		{"test_export_blocks_job/block_with_logs", "eth_getBlockByNumber", []any{"0x76250", true}, "eth_getBlockByNumber_0x76250_true"},
		{"test_stream/blocks_508110_508110", "eth_getBlockByNumber", []any{"latest", false}, "eth_getBlockByNumber_latest_false"},
		{"test_export_tokens_job/token_with_invalid_data", "eth_call",
			[]any{map[string]any{"to": "0xF763BE8B3263C268E9789ABFB3934564A7B80054", "data": "0x06fdde03"}, "latest"},
			"eth_call_data_0x06fdde03_to_0xf763be8b3263c268e9789abfb3934564a7b80054_latest"},
		{"test_export_tokens_job/token_with_invalid_data", "eth_chainId", nil, "eth_chainId_"},
		{"test_export_token_transfers_job/block_with_transfers", "eth_newFilter",
			[]any{map[string]any{"toBlock": "0x76250", "fromBlock": "0x76250", "topics": []any{"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"}}},
			"eth_newFilter_fromBlock_0x76250_toBlock_0x76250_topics_0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{"test_extract_geth_traces_job/block_with_create", "debug_traceBlockByNumber", []any{"0xf44f2", map[string]any{"tracer": "callTracer"}},
			"debug_traceBlockByNumber_0xf44f2_tracer_calltracer"},
		{"test_export_traces_job/block_with_create", "trace_block", []any{"0xf44f2"}, "trace_block_0xf44f2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := rpctest.Key(tt.method, tt.params)
			if got != tt.want {
				t.Fatalf("Key = %s, want %s", got, tt.want)
			}
			if _, err := os.Stat(filepath.Join(root, tt.dir, "web3_response."+got+".json")); err != nil {
				t.Fatalf("no such recording: %v", err)
			}
		})
	}
}

func dial(t *testing.T, srv *rpctest.Server) *ethereum.Client {
	t.Helper()
	cfg := ethereum.DefaultConfig()
	cfg.URL, cfg.Backoff = srv.URL, time.Millisecond
	c, err := ethereum.Dial(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestUnknownCallsAnswerClearErrors(t *testing.T) {
	srv := rpctest.New(t, sharedtest.Path(t, "blockchain", "ethereum-etl", "test_export_blocks_job", "block_with_logs"))
	c := dial(t, srv)
	_, err := c.BlockByNumber(context.Background(), 1, true)
	if err == nil || errors.Is(err, ethereum.ErrMethodNotFound) {
		t.Fatalf("unrecorded params of a recorded method: err = %v, want a plain RPC error", err)
	}
	if _, err := c.ParityTraces(context.Background(), 1); !errors.Is(err, ethereum.ErrMethodNotFound) {
		t.Fatalf("unrecorded method: err = %v, want ErrMethodNotFound", err)
	}
}

// chainOf makes n linked blocks from first, with salt in every hash so two
// branches differ; each block has one value transfer with its receipt and
// a two-frame trace tree.
func chainOf(first uint64, n int, parent common.Hash, salt byte) []rpctest.Block {
	var out []rpctest.Block
	for i := range n {
		num := first + uint64(i)
		h := common.Hash{salt, byte(num), byte(num >> 8)}
		txh := common.Hash{0xee, salt, byte(num)}
		from, to := common.Address{1, salt}, common.Address{2, salt}
		idx := uint64(0)
		gas, used := uint64(50000), uint64(21000)
		b := &ethereum.Block{Number: num, Hash: h, ParentHash: parent, Nonce: make([]byte, 8), LogsBloom: make([]byte, 256),
			Difficulty: big.NewInt(0), Timestamp: 1700000000 + num*12, GasLimit: 30e6, BaseFeePerGas: big.NewInt(7),
			Txs: []*ethereum.Tx{{Hash: txh, Type: 2, BlockHash: h, BlockNumber: num, From: from, To: &to,
				Value: big.NewInt(int64(num)), Gas: gas, Input: []byte{}, GasPrice: big.NewInt(9), MaxFeePerGas: big.NewInt(10), MaxPriorityFeePerGas: big.NewInt(2)}},
			TxHashes: []common.Hash{txh}}
		one := uint64(1)
		rc := &ethereum.Receipt{TxHash: txh, BlockHash: h, BlockNumber: num, From: from, To: &to, Type: 2,
			CumulativeGasUsed: used, GasUsed: used, Status: &one, EffectiveGasPrice: big.NewInt(9), Logs: []*ethereum.Log{}}
		traces := []*ethereum.Trace{
			{BlockNumber: num, BlockHash: h, TxHash: &txh, TxIndex: &idx, Type: "call", CallType: "call", From: &from, To: &to,
				Value: big.NewInt(int64(num)), Input: []byte{}, Output: []byte{}, Gas: &gas, GasUsed: &used, Subtraces: 1, TraceAddress: []int{}},
			{BlockNumber: num, BlockHash: h, TxHash: &txh, TxIndex: &idx, Type: "call", CallType: "delegatecall", From: &to, To: &from,
				Input: []byte{1}, Gas: &gas, Subtraces: 0, TraceAddress: []int{0}, Error: "Reverted"},
		}
		out = append(out, rpctest.Block{Block: b, Receipts: []*ethereum.Receipt{rc}, Traces: traces})
		parent = h
	}
	return out
}

func TestChainServesBlocksReceiptsAndTracesAndReorganises(t *testing.T) {
	srv := rpctest.New(t)
	c := dial(t, srv)
	ctx := context.Background()
	main := chainOf(100, 5, common.Hash{}, 0xa)
	if err := srv.SetChain(1, main); err != nil {
		t.Fatal(err)
	}
	if head, err := c.BlockNumber(ctx); err != nil || head != 104 {
		t.Fatalf("head %d, %v", head, err)
	}
	bs, err := c.BlocksByNumber(ctx, 100, 104, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range bs {
		if b.Hash != main[i].Block.Hash || b.Txs[0].Value.Cmp(main[i].Block.Txs[0].Value) != 0 {
			t.Fatalf("block %d: %+v", b.Number, b)
		}
		rs, err := c.BlockReceipts(ctx, b)
		if err != nil || len(rs) != 1 || *rs[0].Status != 1 {
			t.Fatalf("receipts %v, %v", rs, err)
		}
		for _, get := range []func(context.Context, uint64) ([]*ethereum.Trace, error){c.ParityTraces, c.GethTraces} {
			tr, err := get(ctx, b.Number)
			if err != nil {
				t.Fatal(err)
			}
			want := main[i].Traces
			if len(tr) != len(want) || !reflect.DeepEqual(tr[1].TraceAddress, want[1].TraceAddress) ||
				tr[1].CallType != "delegatecall" || tr[1].Error != "Reverted" || tr[0].Value.Cmp(want[0].Value) != 0 {
				t.Fatalf("traces %+v", tr)
			}
		}
	}
	if _, err := c.BlockByNumber(ctx, 105, false); !errors.Is(err, ethereum.ErrNotFound) {
		t.Fatalf("above the head: err = %v, want ErrNotFound", err)
	}

	side := chainOf(103, 4, main[2].Block.Hash, 0xb)
	tr := common.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
	side[1].Receipts[0].Logs = []*ethereum.Log{{Address: common.Address{7}, Topics: []common.Hash{tr}, Data: []byte{}, BlockNumber: 104, TxHash: side[1].Block.TxHashes[0]}}
	if err := srv.Reorg(side); err != nil {
		t.Fatal(err)
	}
	if head, _ := c.BlockNumber(ctx); head != 106 {
		t.Fatalf("head after reorg %d, want 106", head)
	}
	b, err := c.BlockByNumber(ctx, 103, false)
	if err != nil || b.Hash != side[0].Block.Hash || b.ParentHash != main[2].Block.Hash {
		t.Fatalf("block 103 after reorg: %+v, %v", b, err)
	}
	if b, _ := c.BlockByNumber(ctx, 102, false); b.Hash != main[2].Block.Hash {
		t.Fatal("the common ancestor changed")
	}
	if logs, err := c.Logs(ctx, 100, 106, tr); err != nil || len(logs) != 1 || logs[0].BlockNumber != 104 {
		t.Fatalf("logs %v, %v", logs, err)
	}
	if logs, err := c.Logs(ctx, 105, 106, tr); err != nil || len(logs) != 0 {
		t.Fatalf("logs outside the range: %v, %v", logs, err)
	}
	srv.Truncate(105)
	if head, _ := c.BlockNumber(ctx); head != 104 {
		t.Fatalf("head after truncate %d, want 104", head)
	}
	if err := srv.Append(chainOf(105, 1, side[1].Block.Hash, 0xc)...); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reorg(chainOf(200, 1, common.Hash{}, 0xd)); err == nil {
		t.Fatal("a reorg above the head + 1 must be refused")
	}
}

func TestContractsAnswerCodeAndTokenCalls(t *testing.T) {
	srv := rpctest.New(t)
	c := dial(t, srv)
	ctx := context.Background()
	token := common.HexToAddress("0xdAC17F958D2ee523a2206206994597C13D831ec7")
	word := func(b ...byte) []byte { return common.LeftPadBytes(b, 32) }
	str := append(append(word(0x20), word(4)...), common.RightPadBytes([]byte("USDT"), 32)...)
	srv.SetContract(token, []byte{0x60, 0x80}, map[[4]byte][]byte{
		{0x95, 0xd8, 0x9b, 0x41}: str,        // symbol()
		{0x31, 0x3c, 0xe5, 0x67}: word(6),    // decimals()
		{0x18, 0x16, 0x0d, 0xdd}: word(1, 0), // totalSupply()
	})
	code, err := c.Code(ctx, token, "latest")
	if err != nil || len(code) != 2 {
		t.Fatalf("code %x, %v", code, err)
	}
	tok, err := c.Token(ctx, token, "latest")
	if err != nil {
		t.Fatal(err)
	}
	if *tok.Symbol != "USDT" || tok.Name != nil || tok.Decimals.Int64() != 6 || tok.TotalSupply.Int64() != 256 {
		t.Fatalf("token %+v", tok)
	}
	if code, err := c.Code(ctx, common.Address{9}, "latest"); err != nil || len(code) != 0 {
		t.Fatalf("an unset address: code %x, %v", code, err)
	}
}
