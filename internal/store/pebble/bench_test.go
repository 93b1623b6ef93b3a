package pebble_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/sharedtest"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
)

// rawBlocks returns the serialized blocks of a shared btcd test file.
func rawBlocks(b *testing.B, elem ...string) [][]byte {
	b.Helper()
	src, err := srcbtc.OpenFile(sharedtest.Decompressed(b, append([]string{"blockchain", "btcd"}, elem...)...), &chaincfg.MainNetParams)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var out [][]byte
	for {
		blk, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := blk.Msg.Serialize(&buf); err != nil {
			b.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
}

func decode(b *testing.B, raw []byte) *wire.MsgBlock {
	var m wire.MsgBlock
	if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
		b.Fatal(err)
	}
	return &m
}

var benchFiles = []struct {
	name string
	file []string
}{
	{"blocks1-255", []string{"database", "testdata", "blocks1-256.bz2"}},
	{"block574200", []string{"wire", "testdata", "block-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk"}},
}

// BenchmarkIngestPebble decodes blocks with btcd and ingests them into a fresh
// Pebble index (synced commits of 100 blocks), next to btcd decoding alone.
func BenchmarkIngestPebble(b *testing.B) {
	for _, f := range benchFiles {
		raws := rawBlocks(b, f.file...)
		txs := 0
		for _, r := range raws {
			txs += len(decode(b, r).Transactions)
		}
		b.Run(f.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range raws {
					decode(b, r)
				}
			}
			report(b, len(raws), txs)
		})
		b.Run(f.name+"/ingest", func(b *testing.B) {
			b.ReportAllocs()
			var size uint64
			for b.Loop() {
				b.StopTimer() // opening and closing the store is not ingest
				s, err := pebble.Open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				e, err := bitcoin.NewEngine(b.Context(), s, &chaincfg.MainNetParams, bitcoin.DefaultConfig(), nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, r := range raws {
					if err := e.Add(b.Context(), decode(b, r), -1); err != nil {
						b.Fatal(err)
					}
				}
				if err := e.Flush(b.Context()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				size = s.DiskSize()
				s.Close()
				b.StartTimer()
			}
			report(b, len(raws), txs)
			b.ReportMetric(float64(size)/float64(txs), "disk-bytes/tx")
		})
	}
}

func report(b *testing.B, blocks, txs int) {
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(blocks)/secs, "blocks/s")
	b.ReportMetric(float64(txs)/secs, "txs/s")
}

// BenchmarkLookupPebble measures output → spender and address → outputs on
// block 574200's index (spends and addresses of its 3315 transactions), with
// p50/p99 latencies over every lookup.
func BenchmarkLookupPebble(b *testing.B) {
	raws := rawBlocks(b, benchFiles[1].file...)
	m := decode(b, raws[0])
	s, err := pebble.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e, err := bitcoin.NewEngine(b.Context(), s, &chaincfg.MainNetParams, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Add(b.Context(), m, -1); err != nil {
		b.Fatal(err)
	}
	if err := e.Flush(b.Context()); err != nil {
		b.Fatal(err)
	}
	var spent []wire.OutPoint
	var addrs []string
	for _, tx := range m.Transactions[1:] {
		for _, in := range tx.TxIn {
			spent = append(spent, in.PreviousOutPoint)
		}
	}
	for _, tx := range m.Transactions {
		for _, out := range tx.TxOut {
			if _, a, _ := bitcoin.Classify(out.PkScript, &chaincfg.MainNetParams); len(a) > 0 {
				addrs = append(addrs, a[0])
			}
		}
	}
	b.Run("spender", func(b *testing.B) {
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			t0 := time.Now()
			if _, err := s.Spend(b.Context(), spent[i%len(spent)]); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			i++
		}
		percentiles(b, lat)
	})
	b.Run("address-outputs", func(b *testing.B) {
		b.ReportAllocs()
		lat := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			t0 := time.Now()
			out, err := s.AddressOutputs(b.Context(), addrs[i%len(addrs)], 0, 100)
			if err != nil || len(out) == 0 {
				b.Fatal(err, len(out))
			}
			lat = append(lat, time.Since(t0))
			i++
		}
		percentiles(b, lat)
	})
}

func percentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
