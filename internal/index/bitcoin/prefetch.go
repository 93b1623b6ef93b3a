package bitcoin

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// BatchReader is implemented by stores where every lookup is a round trip
// (PostgreSQL). Connecting a block reads, per input, the output it spends and,
// for a coinbase, the transaction and outputs it may overwrite (BIP30); most
// of those reads find nothing. Before it connects a block, the engine asks
// such a store once for every record the block may read that neither its
// overlays nor its cache of unspent outputs answer.
//
// ReadBatch returns the transactions of txids and the outputs and spends of
// outpoints that the store holds; a key it does not return is absent.
type BatchReader interface {
	ReadBatch(ctx context.Context, txids []chainhash.Hash, outpoints []wire.OutPoint) ([]*Tx, []*Output, []*Spend, error)
}

// prefetched is a BatchReader's answer for the block being connected: the
// records it holds, and nil for those it does not. The view consults it after
// the overlays and the cache, before the store.
type prefetched struct {
	txs     map[chainhash.Hash]*Tx
	outputs map[wire.OutPoint]*Output
	spends  map[wire.OutPoint]*Spend
}

// prefetch reads, in one call to br, what connecting msg will look up and
// the view cannot answer from memory.
func (e *Engine) prefetch(ctx context.Context, br BatchReader, msg *wire.MsgBlock, txids []chainhash.Hash) error {
	p := &prefetched{txs: map[chainhash.Hash]*Tx{}, outputs: map[wire.OutPoint]*Output{}, spends: map[wire.OutPoint]*Spend{}}
	var (
		ids []chainhash.Hash
		ops []wire.OutPoint
	)
	want := func(op wire.OutPoint, spend bool) {
		_, inOut := lookup(e.v, (*overlay).outputsM, op)
		_, cached := e.v.utxo[op]
		_, inSpend := lookup(e.v, (*overlay).spendsM, op)
		if _, asked := p.outputs[op]; asked || (inOut || cached) && (!spend || inSpend) {
			return
		}
		p.outputs[op], p.spends[op] = nil, nil
		ops = append(ops, op)
	}
	// Inputs spending an output of the same block find it in the overlay by
	// then: not asked for.
	own := make(map[chainhash.Hash]struct{}, len(txids))
	for _, id := range txids {
		own[id] = struct{}{}
	}
	for i, tx := range msg.Transactions {
		if i == 0 && isCoinbase(tx) {
			if _, in := lookup(e.v, (*overlay).txsM, txids[0]); !in {
				p.txs[txids[0]] = nil
				ids = append(ids, txids[0])
			}
			for k := range tx.TxOut {
				want(wire.OutPoint{Hash: txids[0], Index: uint32(k)}, true)
			}
			continue
		}
		for _, in := range tx.TxIn {
			if _, ok := own[in.PreviousOutPoint.Hash]; !ok {
				want(in.PreviousOutPoint, false)
			}
		}
	}
	if len(ids) == 0 && len(ops) == 0 {
		e.v.pre = nil
		return nil
	}
	txs, outs, spends, err := br.ReadBatch(ctx, ids, ops)
	if err != nil {
		return fmt.Errorf("read %d txs, %d outpoints: %w", len(ids), len(ops), err)
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
	e.v.pre = p
	return nil
}
