package etl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/etl"
	"github.com/interdict/interdict/internal/sources/ethereum"
)

// BenchmarkEthDecodeAndExtract measures what ingest spends per block before
// storage: decoding eth_getBlockByNumber (full transactions) and
// eth_getBlockReceipts answers, then extracting the transfer-relevant
// records (value-carrying transactions, ERC-20/721 Transfer events).
// Inputs: blocks 17173049-17173050 (298 txs, 681 logs; rebuilt from
// ethereum-etl's expected files, see eth_rebuild_test.go) and the recorded
// 2015-2016 blocks with their receipts.
func BenchmarkEthDecodeAndExtract(b *testing.B) {
	cases := map[string]string{
		"mainnet_17173049-50": rebuildStreamCase(b, caseDir(b, "test_stream", "blocks_17173049_17173050")),
		"recorded_1755634-35": caseDir(b, "test_stream", "blocks_1755634_1755635"),
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		blocks, receipts := loadAnswers(b, cases[name])
		size := 0
		for i := range blocks {
			size += len(blocks[i]) + len(receipts[i])
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			var nblocks, ntxs, nmoves int
			for b.Loop() {
				for i, raw := range blocks {
					blk, err := ethereum.DecodeBlock(raw)
					if err != nil {
						b.Fatal(err)
					}
					rs, err := ethereum.DecodeReceipts(receipts[i])
					if err != nil {
						b.Fatal(err)
					}
					for _, tx := range blk.Txs {
						if tx.Value.Sign() > 0 {
							nmoves++
						}
					}
					for _, r := range rs {
						for _, l := range r.Logs {
							if _, ok := etl.ExtractTokenTransfer(l); ok {
								nmoves++
							}
						}
					}
					nblocks++
					ntxs += len(blk.Txs)
				}
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(nblocks)/s, "blocks/s")
			b.ReportMetric(float64(ntxs)/s, "txs/s")
			b.ReportMetric(float64(nmoves)/s, "transfers/s")
		})
	}
}

// loadAnswers reads the full-block answers of a folder in block order, with
// the block's receipts as one eth_getBlockReceipts-shaped array (from the
// per-transaction recordings when there is no block receipts answer).
func loadAnswers(b *testing.B, dir string) (blocks, receipts [][]byte) {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "web3_response.eth_getBlockByNumber_0x*_true.json"))
	sort.Strings(files)
	byHash := map[string]json.RawMessage{}
	rfiles, _ := filepath.Glob(filepath.Join(dir, "web3_response.eth_getTransactionReceipt_*.json"))
	for _, f := range rfiles {
		byHash[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "web3_response.eth_getTransactionReceipt_"), ".json")] = result(b, f)
	}
	for _, f := range files {
		raw := result(b, f)
		blocks = append(blocks, raw)
		num := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "web3_response.eth_getBlockByNumber_"), "_true.json")
		if rr, err := os.ReadFile(filepath.Join(dir, "web3_response.eth_getBlockReceipts_"+num+".json")); err == nil {
			var env struct{ Result json.RawMessage }
			if err := json.Unmarshal(rr, &env); err != nil {
				b.Fatal(err)
			}
			receipts = append(receipts, env.Result)
			continue
		}
		blk, err := ethereum.DecodeBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		var arr []json.RawMessage
		for _, h := range blk.TxHashes {
			arr = append(arr, byHash[strings.ToLower(h.Hex())])
		}
		if arr == nil {
			arr = []json.RawMessage{}
		}
		joined, _ := json.Marshal(arr)
		receipts = append(receipts, joined)
	}
	if len(blocks) == 0 {
		b.Fatalf("%s: no full-block answers", dir)
	}
	return blocks, receipts
}

func result(b *testing.B, path string) json.RawMessage {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var env struct{ Result json.RawMessage }
	if err := json.Unmarshal(data, &env); err != nil {
		b.Fatal(err)
	}
	return env.Result
}
