package etl_test

// Two upstream cases (test_export_blocks_job/blocks_with_transactions_and_
// withdrawals and test_stream/blocks_17173049_17173050) ship expected files
// but no recorded node responses: upstream runs them against a live node.
// To still exercise them, the node responses are rebuilt here from the
// expected records (every field a node sends that ethereum-etl exports),
// encoded with our own node-JSON encoder, served by rpctest and decoded by
// our client. This checks decoding and export of post-London and
// post-Shanghai blocks (base fee, withdrawals, type-2 transactions,
// receipts with status and effective gas price); it is not independent
// node data.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/interdict/interdict/internal/sources/ethereum"
)

type jsonRec map[string]any

func readJSONLines(t testing.TB, dir, name string) []jsonRec {
	t.Helper()
	var out []jsonRec
	sc := bufio.NewScanner(bytes.NewReader(readExpected(t, dir, name)))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var m jsonRec
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, m)
	}
	return out
}

func (r jsonRec) str(k string) string { s, _ := r[k].(string); return s }

func (r jsonRec) u64(k string) uint64 {
	n, ok := r[k].(json.Number)
	if !ok {
		return 0
	}
	v, _ := new(big.Int).SetString(n.String(), 10)
	return v.Uint64()
}

func (r jsonRec) big(k string) *big.Int {
	n, ok := r[k].(json.Number)
	if !ok {
		return nil
	}
	v, _ := new(big.Int).SetString(n.String(), 10)
	return v
}

func (r jsonRec) u64p(k string) *uint64 {
	if _, ok := r[k].(json.Number); !ok {
		return nil
	}
	v := r.u64(k)
	return &v
}

func (r jsonRec) addrp(k string) *common.Address {
	s := r.str(k)
	if s == "" {
		return nil
	}
	a := common.HexToAddress(s)
	return &a
}

func blockFromRecord(r jsonRec) *ethereum.Block {
	b := &ethereum.Block{
		Number: r.u64("number"), Hash: common.HexToHash(r.str("hash")), ParentHash: common.HexToHash(r.str("parent_hash")),
		Nonce: common.FromHex(r.str("nonce")), Sha3Uncles: common.HexToHash(r.str("sha3_uncles")),
		LogsBloom: common.FromHex(r.str("logs_bloom")), TransactionsRoot: common.HexToHash(r.str("transactions_root")),
		StateRoot: common.HexToHash(r.str("state_root")), ReceiptsRoot: common.HexToHash(r.str("receipts_root")),
		Miner: common.HexToAddress(r.str("miner")), Difficulty: r.big("difficulty"), TotalDifficulty: r.big("total_difficulty"),
		Size: r.u64("size"), ExtraData: common.FromHex(r.str("extra_data")), GasLimit: r.u64("gas_limit"),
		GasUsed: r.u64("gas_used"), Timestamp: r.u64("timestamp"), BaseFeePerGas: r.big("base_fee_per_gas"),
		Txs: []*ethereum.Tx{},
	}
	if s := r.str("withdrawals_root"); s != "" {
		h := common.HexToHash(s)
		b.WithdrawalsRoot = &h
	}
	if ws, ok := r["withdrawals"].([]any); ok && b.WithdrawalsRoot != nil {
		b.Withdrawals = []ethereum.Withdrawal{}
		for _, w := range ws {
			wr := jsonRec(w.(map[string]any))
			b.Withdrawals = append(b.Withdrawals, ethereum.Withdrawal{Index: wr.u64("index"),
				ValidatorIndex: wr.u64("validator_index"), Address: common.HexToAddress(wr.str("address")), Amount: wr.u64("amount")})
		}
	}
	return b
}

func txFromRecord(r jsonRec) *ethereum.Tx {
	return &ethereum.Tx{
		Hash: common.HexToHash(r.str("hash")), Type: uint8(r.u64("transaction_type")), BlockHash: common.HexToHash(r.str("block_hash")),
		BlockNumber: r.u64("block_number"), Index: r.u64("transaction_index"), From: common.HexToAddress(r.str("from_address")),
		To: r.addrp("to_address"), Nonce: r.u64("nonce"), Value: r.big("value"), Gas: r.u64("gas"),
		Input: common.FromHex(r.str("input")), GasPrice: r.big("gas_price"), MaxFeePerGas: r.big("max_fee_per_gas"),
		MaxPriorityFeePerGas: r.big("max_priority_fee_per_gas"),
	}
}

// assemble returns the expected blocks with their transactions.
func assemble(t testing.TB, dir, blocksFile, txsFile string) ([]*ethereum.Block, []jsonRec) {
	t.Helper()
	var blocks []*ethereum.Block
	byNum := map[uint64]*ethereum.Block{}
	for _, r := range readJSONLines(t, dir, blocksFile) {
		b := blockFromRecord(r)
		blocks = append(blocks, b)
		byNum[b.Number] = b
	}
	txs := readJSONLines(t, dir, txsFile)
	for _, r := range txs {
		tx := txFromRecord(r)
		b := byNum[tx.BlockNumber]
		if b == nil {
			t.Fatalf("tx %s of block %d outside the expected blocks", tx.Hash, tx.BlockNumber)
		}
		b.Txs = append(b.Txs, tx)
	}
	for _, b := range blocks {
		for i, tx := range b.Txs {
			if tx.Index != uint64(i) {
				t.Fatalf("block %d: transactions not in order", b.Number)
			}
			b.TxHashes = append(b.TxHashes, tx.Hash)
		}
	}
	return blocks, txs
}

func writeRecording(t testing.TB, dir, key string, result []byte) {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc": "2.0", "id": 1, "result": %s}`, result)
	if err := os.WriteFile(filepath.Join(dir, "web3_response."+key+".json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rebuildBlocksCase(t testing.TB, dir string) string {
	t.Helper()
	blocks, _ := assemble(t, dir, "expected_blocks.json", "expected_transactions.json")
	out := t.TempDir()
	for _, b := range blocks {
		raw, err := b.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		writeRecording(t, out, "eth_getBlockByNumber_"+hexutil.EncodeUint64(b.Number)+"_true", raw)
	}
	return out
}

func rebuildStreamCase(t testing.TB, dir string) string {
	t.Helper()
	blocks, txs := assemble(t, dir, "expected_blocks.json", "expected_transactions.json")
	logs := map[common.Hash][]*ethereum.Log{}
	for _, r := range readJSONLines(t, dir, "expected_logs.json") {
		l := &ethereum.Log{Address: common.HexToAddress(r.str("address")), Data: common.FromHex(r.str("data")),
			BlockNumber: r.u64("block_number"), BlockHash: common.HexToHash(r.str("block_hash")),
			TxHash: common.HexToHash(r.str("transaction_hash")), TxIndex: r.u64("transaction_index"), Index: r.u64("log_index"),
			Topics: []common.Hash{}}
		for _, tp := range r["topics"].([]any) {
			l.Topics = append(l.Topics, common.HexToHash(tp.(string)))
		}
		logs[l.TxHash] = append(logs[l.TxHash], l)
	}
	receipts := map[uint64][]*ethereum.Receipt{}
	for _, r := range txs {
		rc := &ethereum.Receipt{TxHash: common.HexToHash(r.str("hash")), TxIndex: r.u64("transaction_index"),
			BlockHash: common.HexToHash(r.str("block_hash")), BlockNumber: r.u64("block_number"),
			From: common.HexToAddress(r.str("from_address")), To: r.addrp("to_address"), Type: uint8(r.u64("transaction_type")),
			CumulativeGasUsed: r.u64("receipt_cumulative_gas_used"), GasUsed: r.u64("receipt_gas_used"),
			ContractAddress: r.addrp("receipt_contract_address"), Root: common.FromHex(r.str("receipt_root")),
			Status: r.u64p("receipt_status"), EffectiveGasPrice: r.big("receipt_effective_gas_price"),
			Logs: logs[common.HexToHash(r.str("hash"))]}
		if len(rc.Root) == 0 {
			rc.Root = nil
		}
		receipts[rc.BlockNumber] = append(receipts[rc.BlockNumber], rc)
	}
	out := t.TempDir()
	for _, b := range blocks {
		raw, err := b.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		writeRecording(t, out, "eth_getBlockByNumber_"+hexutil.EncodeUint64(b.Number)+"_true", raw)
		rs := receipts[b.Number]
		if rs == nil {
			rs = []*ethereum.Receipt{}
		}
		raw, err = json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		writeRecording(t, out, "eth_getBlockReceipts_"+hexutil.EncodeUint64(b.Number), raw)
	}
	return out
}

// readGethTracesJSON reads upstream's intermediate geth_traces.json (one
// {"block_number", "transaction_traces"} object per line) through the same
// decoder as a live callTracer response.
func readGethTracesJSON(t testing.TB, path string) []*ethereum.Trace {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*ethereum.Trace
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var g struct {
			BlockNumber uint64            `json:"block_number"`
			Traces      []json.RawMessage `json:"transaction_traces"`
		}
		if err := json.Unmarshal(line, &g); err != nil {
			t.Fatal(err)
		}
		wrapped := make([]map[string]json.RawMessage, len(g.Traces))
		for i, tr := range g.Traces {
			wrapped[i] = map[string]json.RawMessage{"result": tr}
		}
		raw, _ := json.Marshal(wrapped)
		traces, err := ethereum.DecodeGethTraces(g.BlockNumber, raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, traces...)
	}
	return out
}
