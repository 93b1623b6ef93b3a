package postgres

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// singleReads hides the store's ReadBatch, so the engine reads one record
// per round trip.
type singleReads struct{ bitcoin.Store }

func TestReadBatch(t *testing.T) {
	serverURL(t) // once here rather than in every case
	genesis, tip := bitcointest.Genesis()
	blocks, _ := bitcointest.New(2).Blocks(tip, 20)
	blocks = append([]*wire.MsgBlock{genesis}, blocks...)

	t.Run("a batch read returns what the single lookups return", func(t *testing.T) {
		s := openChain(t)
		ingest(t, s, blocks, 5)
		var (
			ids []chainhash.Hash
			ops []wire.OutPoint
		)
		for _, m := range blocks {
			for _, tx := range m.Transactions {
				ids = append(ids, tx.TxHash())
				for _, in := range tx.TxIn {
					ops = append(ops, in.PreviousOutPoint)
				}
				for k := range tx.TxOut {
					ops = append(ops, wire.OutPoint{Hash: tx.TxHash(), Index: uint32(k)})
				}
			}
		}
		ids = append(ids, chainhash.DoubleHashH([]byte("absent")))
		txs, outs, spends, err := s.ReadBatch(t.Context(), ids, ops)
		if err != nil {
			t.Fatal(err)
		}
		wantTxs, wantOuts, wantSpends := 0, 0, 0
		for _, id := range ids {
			if _, err := s.Tx(t.Context(), id); err == nil {
				wantTxs++
			}
		}
		seen := map[wire.OutPoint]bool{}
		for _, op := range ops {
			if seen[op] {
				continue
			}
			seen[op] = true
			if _, err := s.Output(t.Context(), op); err == nil {
				wantOuts++
			}
			if _, err := s.Spend(t.Context(), op); err == nil {
				wantSpends++
			}
		}
		if len(txs) != wantTxs || len(outs) != wantOuts || len(spends) != wantSpends {
			t.Errorf("ReadBatch found %d txs, %d outputs, %d spends; single lookups %d, %d, %d",
				len(txs), len(outs), len(spends), wantTxs, wantOuts, wantSpends)
		}
		for _, o := range outs {
			one, err := s.Output(t.Context(), o.OutPoint)
			if err != nil || fmt.Sprint(one) != fmt.Sprint(o) {
				t.Errorf("batch output %+v, single %+v (%v)", o, one, err)
			}
		}
	})
	t.Run("an ingest through batch reads equals the reference, with or without them", func(t *testing.T) {
		ref := bitcoin.NewMemStore()
		ingest(t, ref, blocks, 1)
		want, _ := ref.Digest(t.Context())
		cfg := bitcoin.DefaultConfig()
		cfg.UTXOCache = 0 // every input's output is read from the store
		for _, st := range []bitcoin.Store{openChain(t), singleReads{openChain(t)}} {
			ingestWith(t, st, blocks, cfg)
			if got, err := st.Digest(t.Context()); err != nil || got != want {
				t.Errorf("%T: digest %x (%v), reference %x", st, got, err, want)
			}
		}
	})
}

// ingestWith adds blocks through an engine with cfg and flushes.
func ingestWith(tb testing.TB, st bitcoin.Store, blocks []*wire.MsgBlock, cfg bitcoin.Config) {
	tb.Helper()
	e, err := bitcoin.NewEngine(tb.Context(), st, &chaincfg.RegressionNetParams, cfg, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range blocks {
		if err := e.Add(tb.Context(), b, -1); err != nil {
			tb.Fatalf("Add: %v", err)
		}
	}
	if err := e.Flush(tb.Context()); err != nil {
		tb.Fatalf("Flush: %v", err)
	}
}
