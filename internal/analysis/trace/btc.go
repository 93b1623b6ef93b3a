package trace

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// BitcoinView adapts the Bitcoin chain index to UTXOView: outputs' addresses
// are derived from their scripts with the index's own classifier, block
// times are read once per height.
//
// On a store where every lookup is a round trip (bitcoin.BatchReader:
// PostgreSQL), Prefetch reads what the next steps of a trace will ask for in
// one batch; the view keeps those answers for the trace. During a forward
// trace a reader goroutine reads ahead (readahead.go). A view serves one
// trace at a time: make one per trace, as its answers belong to that trace.
type BitcoinView struct {
	r      bitcoin.ChainReader
	params *chaincfg.Params
	times  map[int64]int64
	br     bitcoin.BatchReader
	spends map[wire.OutPoint]*bitcoin.Spend // prefetched; nil: not spent
	txs    map[chainhash.Hash]*bitcoin.Tx   // prefetched
	ahead  *readAhead                       // nil: not reading ahead
}

// NewBitcoinView returns a view of the index; params decides the address
// encoding, as at ingest.
func NewBitcoinView(r bitcoin.ChainReader, params *chaincfg.Params) *BitcoinView {
	v := &BitcoinView{r: r, params: params, times: map[int64]int64{}}
	if br, ok := r.(bitcoin.BatchReader); ok {
		v.br, v.spends, v.txs = br, map[wire.OutPoint]*bitcoin.Spend{}, map[chainhash.Hash]*bitcoin.Tx{}
	}
	return v
}

// Prefetch implements Prefetcher: on a BatchReader store it reads the
// spends of ops, then the transactions that spent them and txids, in two
// batches. Elsewhere it does nothing.
func (b *BitcoinView) Prefetch(ctx context.Context, ops []wire.OutPoint, txids []chainhash.Hash) error {
	if b.br == nil {
		return nil
	}
	var want []wire.OutPoint
	for _, op := range ops {
		if _, ok := b.spends[op]; !ok && !b.ahead.hasSpend(op) {
			want = append(want, op)
		}
	}
	if len(want) > 0 {
		_, _, spends, err := b.br.ReadBatch(ctx, nil, want)
		if err != nil {
			return err
		}
		for _, op := range want {
			b.spends[op] = nil
		}
		for _, s := range spends {
			b.spends[s.OutPoint] = s
			txids = append(txids, s.Txid)
		}
	}
	var ids []chainhash.Hash
	for _, id := range txids {
		if _, ok := b.txs[id]; !ok && !b.ahead.has(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	txs, _, _, err := b.br.ReadBatch(ctx, ids, nil)
	if err != nil {
		return err
	}
	for _, t := range txs {
		b.txs[t.Txid] = t
	}
	return nil
}

// notFound makes the index's ErrNotFound match ErrNotFound too.
func notFound(err error) error {
	if errors.Is(err, bitcoin.ErrNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Tx implements UTXOView.
func (b *BitcoinView) Tx(ctx context.Context, txid chainhash.Hash) (*UTXOTx, error) {
	t, ok := b.txs[txid]
	if !ok {
		t = b.ahead.tx(txid)
	}
	if t == nil {
		var err error
		if t, err = b.r.Tx(ctx, txid); err != nil {
			return nil, notFound(err)
		}
	}
	ts, ok := b.times[t.Height]
	if !ok {
		var err error
		if ts, err = b.blockTime(ctx, t.Height); err != nil {
			return nil, notFound(err)
		}
		b.times[t.Height] = ts
	}
	out := &UTXOTx{Txid: txid, Height: t.Height, Index: t.Index, Time: ts, Coinbase: t.Coinbase(),
		Outputs: make([]UTXOOutput, len(t.Msg.TxOut))}
	if !out.Coinbase {
		out.Inputs = make([]UTXOInput, len(t.Msg.TxIn))
		for i, in := range t.Msg.TxIn {
			p := UTXOInput{Prev: in.PreviousOutPoint}
			if i < len(t.Prev) && t.Prev[i].Known {
				p.Known, p.Value = true, t.Prev[i].Value
			}
			out.Inputs[i] = p
		}
	}
	for i, o := range t.Msg.TxOut {
		out.Outputs[i] = UTXOOutput{Value: o.Value, Script: o.PkScript}
	}
	return out, nil
}

// blockTime reads a block's time, from the header alone where the store
// can (bitcoin.BlockTimer; a block record lists every txid).
func (b *BitcoinView) blockTime(ctx context.Context, height int64) (int64, error) {
	if bt, ok := b.r.(bitcoin.BlockTimer); ok {
		return bt.BlockTime(ctx, height)
	}
	blk, err := b.r.BlockByHeight(ctx, height)
	if err != nil {
		return 0, err
	}
	return blk.Time, nil
}

// Address implements UTXOView with the index's classifier.
func (b *BitcoinView) Address(pkScript []byte) string {
	_, addrs, _ := bitcoin.Classify(pkScript, b.params)
	if len(addrs) == 0 {
		return ""
	}
	return addrs[0]
}

// Spender implements UTXOView.
func (b *BitcoinView) Spender(ctx context.Context, op wire.OutPoint) (chainhash.Hash, int64, bool, error) {
	s, ok := b.spends[op]
	if !ok {
		s, ok = b.ahead.spend(op)
	}
	if ok {
		if s == nil {
			return chainhash.Hash{}, 0, false, nil
		}
		return s.Txid, s.Height, true, nil
	}
	s, err := b.r.Spend(ctx, op)
	switch {
	case errors.Is(err, bitcoin.ErrNotFound):
		return chainhash.Hash{}, 0, false, nil
	case err != nil:
		return chainhash.Hash{}, 0, false, err
	}
	return s.Txid, s.Height, true, nil
}

// AddressOutputs implements UTXOView.
func (b *BitcoinView) AddressOutputs(ctx context.Context, address string, limit int) ([]wire.OutPoint, error) {
	got, err := b.r.AddressOutputs(ctx, address, 0, limit)
	if err != nil {
		return nil, notFound(err)
	}
	ops := make([]wire.OutPoint, len(got))
	for i, a := range got {
		ops[i] = a.OutPoint
	}
	return ops, nil
}
