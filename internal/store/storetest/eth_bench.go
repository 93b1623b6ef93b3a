package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	src "github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/sources/ethereum/rpctest"
)

// EthBenchChain is the chain BenchEth ingests: traced blocks of generated
// transactions over a pool of addresses.
type EthBenchChain struct {
	Blocks, TxsPerBlock, Accounts int
}

// recorded is one block as a node answers for it: eth_getBlockByNumber
// (full), eth_getBlockReceipts and trace_block.
type recorded struct{ block, receipts, traces []byte }

func record(b *testing.B, c EthBenchChain) []recorded {
	blocks := ethtest.Gen{Seed: 1, Traced: true, TxsPerBlock: c.TxsPerBlock, Accounts: c.Accounts}.Chain(1_000_000, common.Hash{}, c.Blocks)
	out := make([]recorded, len(blocks))
	for i, bd := range blocks {
		var err error
		if out[i].block, err = bd.Block.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
		if out[i].receipts, err = json.Marshal(bd.Receipts); err != nil {
			b.Fatal(err)
		}
		if out[i].traces, err = rpctest.EncodeParityTraces(bd.Traces); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// decodeRecorded decodes a recorded block as the ingest does.
func decodeRecorded(b *testing.B, r recorded) *eth.BlockData {
	blk, err := src.DecodeBlock(r.block)
	if err != nil {
		b.Fatal(err)
	}
	rs, err := src.DecodeReceipts(r.receipts)
	if err != nil {
		b.Fatal(err)
	}
	ts, err := src.DecodeParityTraces(r.traces)
	if err != nil {
		b.Fatal(err)
	}
	return &eth.BlockData{Block: blk, Receipts: rs, Traced: true, Traces: ts}
}

// BenchEth runs the Ethereum index benchmarks on fresh stores from open:
// ingest of recorded node answers (decode, transfer derivation, commit;
// transfers/s) and address history lookups (p50/p99 latency).
func BenchEth(b *testing.B, open func(b *testing.B) eth.Store, c EthBenchChain) {
	recs := record(b, c)
	name := fmt.Sprintf("blocks=%d/txs=%d", c.Blocks, c.Blocks*c.TxsPerBlock)
	b.Run("Ingest/"+name, func(b *testing.B) {
		b.ReportAllocs()
		var transfers int
		for b.Loop() {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			transfers = ethIngestRecorded(b, s, recs)
		}
		secs := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(float64(transfers)/secs, "transfers/s")
		b.ReportMetric(float64(c.Blocks*c.TxsPerBlock)/secs, "txs/s")
		b.ReportMetric(float64(transfers), "transfers")
	})
	b.Run("AddressTransfers/limit=100/"+name, func(b *testing.B) {
		s := open(b)
		ethIngestRecorded(b, s, recs)
		r := rand.New(rand.NewPCG(1, 2))
		var lat []time.Duration
		b.ReportAllocs()
		// One op is 1,000 lookups of random addresses, so the percentiles
		// rest on enough samples whatever -benchtime says.
		for b.Loop() {
			for range 1000 {
				a := ethtest.Addr(r.IntN(c.Accounts)).Hex()
				t0 := time.Now()
				if _, err := s.AddressTransfers(b.Context(), a, "", 0, 100); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
}

func ethIngestRecorded(b *testing.B, s eth.Store, recs []recorded) int {
	e, err := eth.NewEngine(b.Context(), s, eth.DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		k, err := e.Connect(b.Context(), decodeRecorded(b, r))
		if err != nil {
			b.Fatal(err)
		}
		n += k
	}
	if err := e.Flush(b.Context()); err != nil {
		b.Fatal(err)
	}
	return n
}
