package etl_test

// Conformance with ethereum-etl's own test suite: every case folder of its
// tests/resources (in the shared data) is replayed through rpctest, run
// through our client and exporter, and every expected_* file is compared
// field by field (and, for the export jobs, byte for byte up to row order).
// Run: go test ./internal/action/etl/ -run TestEthereumEtl -v
//
// Deliberate differences, each also in docs/formats/ethereum-etl.md:
//   - The stream's "latest" block lookup (web3_response.eth_getBlockByNumber_
//     latest_false) is not replayed: our exports take an explicit range.
//   - blocks_with_transactions_and_withdrawals and test_stream/blocks_17173049_
//     17173050 have no recorded node responses (upstream runs them against a
//     live node). Their node responses are rebuilt from the expected files
//     (eth_rebuild_test.go), so those cases check our decoding of London and
//     Shanghai fields and our writers, not independent node data.

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/etl"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

func client(t *testing.T, srv *rpctest.Server) *ethereum.Client {
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

// recordedArgs returns the first parameter of every recording of method in
// dir (block numbers, transaction hashes, addresses), in name order.
func recordedArgs(t *testing.T, dir, method string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "web3_response."+method+"_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		rest := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "web3_response."+method+"_"), ".json")
		arg, _, _ := strings.Cut(rest, "_")
		if method == "eth_call" { // data_<selector>_to_<address>_latest
			arg = strings.Split(rest, "_")[3]
		}
		if arg != "latest" {
			out = append(out, arg)
		}
	}
	return out
}

func hexNum(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// blockRange is the range a folder's recordings or name cover.
func blockRange(t *testing.T, dir string) (uint64, uint64) {
	t.Helper()
	if m := regexp.MustCompile(`blocks_(\d+)_(\d+)$`).FindStringSubmatch(dir); m != nil {
		from, _ := strconv.ParseUint(m[1], 10, 64)
		to, _ := strconv.ParseUint(m[2], 10, 64)
		return from, to
	}
	var nums []uint64
	for _, m := range []string{"eth_getBlockByNumber", "trace_block", "debug_traceBlockByNumber"} {
		for _, a := range recordedArgs(t, dir, m) {
			nums = append(nums, hexNum(t, a))
		}
	}
	if len(nums) == 0 {
		t.Fatalf("%s: no block recordings", dir)
	}
	lo, hi := nums[0], nums[0]
	for _, n := range nums {
		lo, hi = min(lo, n), max(hi, n)
	}
	return lo, hi
}

// done records which expected files a case compared, and fails the case
// if one was left out.
type done map[string]bool

func (d done) check(t *testing.T, dir string) {
	t.Helper()
	for _, f := range expectedFiles(t, dir) {
		if !d[f] {
			t.Errorf("%s: %s not compared", dir, f)
		}
	}
	t.Logf("%d expected files compared", len(d))
}

func cases(t *testing.T, job string) []string {
	t.Helper()
	ents, err := os.ReadDir(sharedtest.Path(t, append(append([]string{}, etlRoot...), job)...))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestEthereumEtlExportBlocksJob(t *testing.T) {
	for _, name := range cases(t, "test_export_blocks_job") {
		t.Run(name, func(t *testing.T) {
			dir := caseDir(t, "test_export_blocks_job", name)
			srvDir := dir
			if len(recordedArgs(t, dir, "eth_getBlockByNumber")) == 0 {
				srvDir = rebuildBlocksCase(t, dir) // live-only upstream: see eth_rebuild_test.go
			}
			srv := rpctest.New(t, srvDir)
			from, to := blockRange(t, srvDir)
			blocks, err := client(t, srv).BlocksByNumber(context.Background(), from, to, true)
			if err != nil {
				t.Fatal(err)
			}
			var bs, txs []etl.Record
			for _, b := range blocks {
				bs = append(bs, etl.EthBlock(b))
				txs = append(txs, etl.EthTransactions(b)...)
			}
			d := done{}
			for _, f := range expectedFiles(t, dir) {
				kind := etl.EthKindBlocks
				if strings.Contains(f, "transactions") {
					kind = etl.EthKindTransactions
				}
				checkExport(t, dir, f, kind, map[etl.EthKind][]etl.Record{etl.EthKindBlocks: bs, etl.EthKindTransactions: txs}[kind], true)
				d[f] = true
			}
			d.check(t, dir)
		})
	}
}

func TestEthereumEtlExportReceiptsJob(t *testing.T) {
	dir := caseDir(t, "test_export_receipts_job", "receipts_with_logs")
	srv := rpctest.New(t, dir)
	var hashes []common.Hash
	for _, h := range recordedArgs(t, dir, "eth_getTransactionReceipt") {
		hashes = append(hashes, common.HexToHash(h))
	}
	rs, err := client(t, srv).TransactionReceipts(context.Background(), hashes)
	if err != nil {
		t.Fatal(err)
	}
	var recs []etl.Record
	for _, r := range rs {
		recs = append(recs, etl.EthReceipt(r))
	}
	d := done{}
	for _, f := range []string{"expected_receipts.csv", "expected_receipts.json"} {
		checkExport(t, dir, f, etl.EthKindReceipts, recs, true)
		d[f] = true
	}
	for _, f := range []string{"expected_logs.csv", "expected_logs.json"} {
		checkExport(t, dir, f, etl.EthKindLogs, etl.EthLogs(rs), true)
		d[f] = true
	}
	d.check(t, dir)
}

func TestEthereumEtlExportTokenTransfersJob(t *testing.T) {
	dir := caseDir(t, "test_export_token_transfers_job", "block_with_transfers")
	srv := rpctest.New(t, dir)
	logs, err := client(t, srv).Logs(context.Background(), 483920, 483920, etl.TransferTopic)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, dir, "expected_token_transfers.csv", etl.EthKindTokenTransfers, etl.EthTokenTransfers(logs), true)
	done{"expected_token_transfers.csv": true}.check(t, dir)
}

func TestEthereumEtlExtractTokenTransfersJob(t *testing.T) {
	dir := caseDir(t, "test_extract_token_transfers_job", "logs")
	logs := readLogsCSV(t, filepath.Join(dir, "logs.csv"))
	checkExport(t, dir, "expected_token_transfers.csv", etl.EthKindTokenTransfers, etl.EthTokenTransfers(logs), true)
	done{"expected_token_transfers.csv": true}.check(t, dir)
}

// readLogsCSV reads ethereum-etl's logs CSV back into logs.
func readLogsCSV(t *testing.T, path string) []*ethereum.Log {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	var out []*ethereum.Log
	for _, r := range recs[1:] {
		num := func(c string) uint64 {
			n, err := strconv.ParseUint(r[col[c]], 10, 64)
			if err != nil {
				t.Fatalf("%s %q: %v", c, r[col[c]], err)
			}
			return n
		}
		l := &ethereum.Log{Address: common.HexToAddress(r[col["address"]]), Data: common.FromHex(r[col["data"]]),
			BlockNumber: num("block_number"), BlockHash: common.HexToHash(r[col["block_hash"]]),
			TxHash: common.HexToHash(r[col["transaction_hash"]]), TxIndex: num("transaction_index"), Index: num("log_index")}
		if s := r[col["topics"]]; s != "" {
			for _, tp := range strings.Split(s, ",") {
				l.Topics = append(l.Topics, common.HexToHash(tp))
			}
		}
		out = append(out, l)
	}
	return out
}

func TestEthereumEtlExportTracesJob(t *testing.T) {
	for _, name := range cases(t, "test_export_traces_job") {
		t.Run(name, func(t *testing.T) {
			dir := caseDir(t, "test_export_traces_job", name)
			n, _ := blockRange(t, dir)
			traces, err := client(t, rpctest.New(t, dir)).ParityTraces(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := etl.EthTraces(traces, true)
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, dir, "expected_traces.csv", etl.EthKindTraces, recs, true)
			done{"expected_traces.csv": true}.check(t, dir)
		})
	}
}

// TestEthereumEtlExtractGethTracesJob runs both of upstream's stages: the
// callTracer response through our client, and upstream's intermediate
// geth_traces.json through the same flattening; both must give
// expected_traces.csv (status and trace_id null, as upstream's extraction
// leaves them).
func TestEthereumEtlExtractGethTracesJob(t *testing.T) {
	for _, name := range cases(t, "test_extract_geth_traces_job") {
		t.Run(name, func(t *testing.T) {
			dir := caseDir(t, "test_extract_geth_traces_job", name)
			n, _ := blockRange(t, dir)
			traces, err := client(t, rpctest.New(t, dir)).GethTraces(context.Background(), n)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := etl.EthTraces(traces, false)
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, dir, "expected_traces.csv", etl.EthKindTraces, recs, true)

			staged := readGethTracesJSON(t, filepath.Join(dir, "geth_traces.json"))
			recs2, err := etl.EthTraces(staged, false)
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, dir, "expected_traces.csv", etl.EthKindTraces, recs2, true)
			done{"expected_traces.csv": true}.check(t, dir)
		})
	}
}

func TestEthereumEtlExportContractsJob(t *testing.T) {
	dir := caseDir(t, "test_export_contracts_job", "erc721_contract")
	srv := rpctest.New(t, dir)
	var recs []etl.Record
	for _, a := range recordedArgs(t, dir, "eth_getCode") {
		code, err := client(t, srv).Code(context.Background(), common.HexToAddress(a), "latest")
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, etl.EthContract(common.HexToAddress(a), code, nil))
	}
	checkExport(t, dir, "expected_contracts.json", etl.EthKindContracts, recs, true)
	done{"expected_contracts.json": true}.check(t, dir)
}

func TestEthereumEtlExportTokensJob(t *testing.T) {
	for _, name := range cases(t, "test_export_tokens_job") {
		t.Run(name, func(t *testing.T) {
			dir := caseDir(t, "test_export_tokens_job", name)
			srv := rpctest.New(t, dir)
			addr := common.HexToAddress(recordedArgs(t, dir, "eth_call")[0])
			tok, err := client(t, srv).Token(context.Background(), addr, "latest")
			if err != nil {
				t.Fatal(err)
			}
			checkExport(t, dir, "expected_tokens.csv", etl.EthKindTokens, []etl.Record{etl.EthToken(tok, nil)}, true)
			done{"expected_tokens.csv": true}.check(t, dir)
		})
	}
}

// TestEthereumEtlStream reproduces ethereum-etl's stream over each case's
// range: blocks, transactions joined with receipts, logs and token
// transfers when those are expected; traces, the contracts their successful
// creations deployed, and the ERC-20/721 tokens among those, when those
// are.
func TestEthereumEtlStream(t *testing.T) {
	for _, name := range cases(t, "test_stream") {
		t.Run(name, func(t *testing.T) {
			dir := caseDir(t, "test_stream", name)
			want := map[string]bool{}
			for _, f := range expectedFiles(t, dir) {
				want[f] = true
			}
			srvDir := dir
			if len(recordedArgs(t, dir, "eth_getBlockByNumber")) == 0 {
				srvDir = rebuildStreamCase(t, dir) // live-only upstream: see eth_rebuild_test.go
			}
			srv := rpctest.New(t, srvDir)
			c := client(t, srv)
			ctx := context.Background()
			from, to := blockRange(t, dir)
			full := want["expected_transactions.json"]
			blocks, err := c.BlocksByNumber(ctx, from, to, full)
			if err != nil {
				t.Fatal(err)
			}
			byNum := map[uint64]*ethereum.Block{}
			var bs, txs, logs, transfers, traces []etl.Record
			receipts := map[common.Hash]*ethereum.Receipt{}
			for _, b := range blocks {
				byNum[b.Number] = b
				bs = append(bs, etl.EthBlock(b))
				if full {
					txs = append(txs, etl.EthTransactions(b)...)
					rs, err := c.BlockReceipts(ctx, b)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rs {
						receipts[r.TxHash] = r
						for _, l := range r.Logs {
							logs = append(logs, etl.EthLog(l))
							if tt, ok := etl.ExtractTokenTransfer(l); ok {
								transfers = append(transfers, etl.EthTokenTransferRecord(tt))
							}
						}
					}
				}
				if want["expected_traces.json"] {
					tr, err := c.ParityTraces(ctx, b.Number)
					if err != nil {
						t.Fatal(err)
					}
					recs, err := etl.EthTraces(tr, true)
					if err != nil {
						t.Fatal(err)
					}
					traces = append(traces, recs...)
				}
			}
			contracts := etl.EthContractsFromTraces(traces)
			var tokens []etl.Record
			for _, ct := range contracts {
				if e20, _ := ct.Get("is_erc20"); e20 != true {
					if e721, _ := ct.Get("is_erc721"); e721 != true {
						continue
					}
				}
				a, _ := ct.Get("address")
				n, _ := ct.Get("block_number")
				bn := n.(uint64)
				tok, err := c.Token(ctx, common.HexToAddress(a.(string)), "latest")
				if err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, etl.EthToken(tok, &bn))
			}
			d := done{}
			for kind, recs := range map[etl.EthKind][]etl.Record{
				etl.EthKindBlocks: bs, etl.EthKindTransactions: txs, etl.EthKindLogs: logs,
				etl.EthKindTokenTransfers: transfers, etl.EthKindTraces: traces,
				etl.EthKindContracts: contracts, etl.EthKindTokens: tokens,
			} {
				f := "expected_" + string(kind) + ".json"
				if !want[f] {
					continue
				}
				items, err := etl.EthStreamItems(kind, recs, byNum, receipts)
				if err != nil {
					t.Fatal(err)
				}
				var buf strings.Builder
				ew, err := etl.NewEthRecordWriter(&buf, etl.FormatJSON, nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := ew.WriteAll(items); err != nil {
					t.Fatal(err)
				}
				if err := ew.Flush(); err != nil {
					t.Fatal(err)
				}
				// Field by field only: upstream's stream key order varies
				// between its versions (withdrawals before or after item_id).
				checkBytes(t, dir, f, []byte(buf.String()), false)
				d[f] = true
			}
			d.check(t, dir)
		})
	}
}
