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
type BitcoinView struct {
	r      bitcoin.ChainReader
	params *chaincfg.Params
	times  map[int64]int64
}

// NewBitcoinView returns a view of the index; params decides the address
// encoding, as at ingest.
func NewBitcoinView(r bitcoin.ChainReader, params *chaincfg.Params) *BitcoinView {
	return &BitcoinView{r: r, params: params, times: map[int64]int64{}}
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
	t, err := b.r.Tx(ctx, txid)
	if err != nil {
		return nil, notFound(err)
	}
	ts, ok := b.times[t.Height]
	if !ok {
		blk, err := b.r.BlockByHeight(ctx, t.Height)
		if err != nil {
			return nil, notFound(err)
		}
		ts = blk.Time
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

// Address implements UTXOView with the index's classifier.
func (b *BitcoinView) Address(pkScript []byte) string {
	_, addrs, _ := bitcoin.Classify(pkScript, b.params)
	if len(addrs) == 0 {
		return ""
	}
	return addrs[0]
}

// Spender implements UTXOView.
func (b *BitcoinView) Spender(ctx context.Context, op wire.OutPoint) (chainhash.Hash, bool, error) {
	s, err := b.r.Spend(ctx, op)
	switch {
	case errors.Is(err, bitcoin.ErrNotFound):
		return chainhash.Hash{}, false, nil
	case err != nil:
		return chainhash.Hash{}, false, err
	}
	return s.Txid, true, nil
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
