package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// prefetched answers the engine's lookups for one block from a ReadBatch made
// before the block is added (what an engine using ReadBatch would do), and
// anything else from the store.
type prefetched struct {
	*ChainStore
	txs     map[chainhash.Hash]*bitcoin.Tx // nil: absent
	outputs map[wire.OutPoint]*bitcoin.Output
	spends  map[wire.OutPoint]*bitcoin.Spend
}

func (p *prefetched) load(ctx context.Context, m *wire.MsgBlock) error {
	p.txs = map[chainhash.Hash]*bitcoin.Tx{}
	p.outputs = map[wire.OutPoint]*bitcoin.Output{}
	p.spends = map[wire.OutPoint]*bitcoin.Spend{}
	var (
		ids []chainhash.Hash
		ops []wire.OutPoint
	)
	for i, tx := range m.Transactions {
		id := tx.TxHash()
		ids = append(ids, id)
		p.txs[id] = nil
		if i > 0 {
			for _, in := range tx.TxIn {
				ops = append(ops, in.PreviousOutPoint)
			}
		}
		for k := range tx.TxOut {
			ops = append(ops, wire.OutPoint{Hash: id, Index: uint32(k)})
		}
	}
	for _, op := range ops {
		p.outputs[op], p.spends[op] = nil, nil
	}
	txs, outs, spends, err := p.ReadBatch(ctx, ids, ops)
	if err != nil {
		return err
	}
	for _, t := range txs {
		p.txs[t.Txid] = t
	}
	for _, o := range outs {
		p.outputs[o.OutPoint] = o
	}
	for _, s := range spends {
		p.spends[s.OutPoint] = s
	}
	return nil
}

func (p *prefetched) Tx(ctx context.Context, id chainhash.Hash) (*bitcoin.Tx, error) {
	if t, ok := p.txs[id]; ok {
		return t, absent(t == nil, "transaction %s", id)
	}
	return p.ChainStore.Tx(ctx, id)
}

func (p *prefetched) Output(ctx context.Context, op wire.OutPoint) (*bitcoin.Output, error) {
	if o, ok := p.outputs[op]; ok {
		return o, absent(o == nil, "output %s", op)
	}
	return p.ChainStore.Output(ctx, op)
}

func (p *prefetched) Spend(ctx context.Context, op wire.OutPoint) (*bitcoin.Spend, error) {
	if s, ok := p.spends[op]; ok {
		return s, absent(s == nil, "spend of %s", op)
	}
	return p.ChainStore.Spend(ctx, op)
}

func absent(yes bool, what string, args ...any) error {
	if !yes {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(what, args...), bitcoin.ErrNotFound)
}

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
	t.Run("an ingest answered from batch reads equals the reference", func(t *testing.T) {
		ref := bitcoin.NewMemStore()
		ingest(t, ref, blocks, 1)
		want, _ := ref.Digest(t.Context())
		p := &prefetched{ChainStore: openChain(t)}
		ingestPrefetched(t, p, blocks, 4)
		got, err := p.Digest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("digest %x, reference %x", got, want)
		}
	})
}

// ingestPrefetched is ingest with a ReadBatch before each block.
func ingestPrefetched(tb testing.TB, p *prefetched, blocks []*wire.MsgBlock, batch int) {
	tb.Helper()
	cfg := bitcoin.DefaultConfig()
	cfg.BatchBlocks = batch
	e, err := bitcoin.NewEngine(tb.Context(), p, &chaincfg.RegressionNetParams, cfg, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range blocks {
		if err := p.load(tb.Context(), b); err != nil {
			tb.Fatalf("ReadBatch: %v", err)
		}
		if err := e.Add(tb.Context(), b, -1); err != nil {
			tb.Fatalf("Add: %v", err)
		}
	}
	if err := e.Flush(tb.Context()); err != nil {
		tb.Fatalf("Flush: %v", err)
	}
}
