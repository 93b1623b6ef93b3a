package bitcoin

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// view is the index as the engine sees it: the store plus the changes of the
// batch not yet committed. A nil map value is a deletion.
type view struct {
	r       ChainReader
	tip     BlockRef
	hasTip  bool
	blocks  map[int64]*Block
	hashes  map[chainhash.Hash]*Block
	txs     map[chainhash.Hash]*Tx
	outputs map[wire.OutPoint]*Output
	spends  map[wire.OutPoint]*Spend
	undo    map[int64][]byte
	// undoFloor: undo entries below it are pruned, whatever the store holds.
	undoFloor int64
}

func newView(ctx context.Context, r ChainReader) (*view, error) {
	v := &view{r: r}
	v.reset()
	tip, err := r.Tip(ctx)
	switch {
	case err == nil:
		v.tip, v.hasTip = tip, true
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return v, nil
}

// reset drops the overlay once its changes are committed.
func (v *view) reset() {
	v.blocks = map[int64]*Block{}
	v.hashes = map[chainhash.Hash]*Block{}
	v.txs = map[chainhash.Hash]*Tx{}
	v.outputs = map[wire.OutPoint]*Output{}
	v.spends = map[wire.OutPoint]*Spend{}
	v.undo = map[int64][]byte{}
}

// apply records a change in the overlay, mirroring ApplyChange.
func (v *view) apply(c *Change) {
	if c.DeleteBlock != nil {
		v.blocks[c.DeleteBlock.Height] = nil
		v.hashes[c.DeleteBlock.Hash] = nil
	}
	for _, id := range c.DeleteTxs {
		v.txs[id] = nil
	}
	for _, o := range c.DeleteOutputs {
		v.outputs[o.OutPoint] = nil
	}
	for _, op := range c.DeleteSpends {
		v.spends[op] = nil
	}
	if c.DeleteUndo != nil {
		v.undo[*c.DeleteUndo] = nil
	}
	if c.PruneUndoBelow > v.undoFloor {
		v.undoFloor = c.PruneUndoBelow
	}
	if c.Block != nil {
		v.blocks[c.Block.Height] = c.Block
		v.hashes[c.Block.Hash] = c.Block
	}
	for _, t := range c.PutTxs {
		v.txs[t.Txid] = t
	}
	for _, o := range c.PutOutputs {
		v.outputs[o.OutPoint] = o
	}
	for _, s := range c.PutSpends {
		v.spends[s.OutPoint] = s
	}
	if c.PutUndo != nil {
		v.undo[c.PutUndo.Height] = c.PutUndo.Data
	}
	v.tip, v.hasTip = c.Tip, !c.Empty
}

// found turns ErrNotFound into ok=false.
func found(err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return false, err
}

func (v *view) blockByHeight(ctx context.Context, h int64) (*Block, bool, error) {
	if b, ok := v.blocks[h]; ok {
		return b, b != nil, nil
	}
	b, err := v.r.BlockByHeight(ctx, h)
	ok, err := found(err)
	return b, ok, err
}

func (v *view) blockByHash(ctx context.Context, h chainhash.Hash) (*Block, bool, error) {
	if b, ok := v.hashes[h]; ok {
		return b, b != nil, nil
	}
	b, err := v.r.BlockByHash(ctx, h)
	ok, err := found(err)
	if ok {
		// the store's answer may be stale if the overlay replaced that height
		if ob, in := v.blocks[b.Height]; in && (ob == nil || ob.Hash != h) {
			return nil, false, nil
		}
	}
	return b, ok, err
}

func (v *view) tx(ctx context.Context, id chainhash.Hash) (*Tx, bool, error) {
	if t, ok := v.txs[id]; ok {
		return t, t != nil, nil
	}
	t, err := v.r.Tx(ctx, id)
	ok, err := found(err)
	return t, ok, err
}

func (v *view) output(ctx context.Context, op wire.OutPoint) (*Output, bool, error) {
	if o, ok := v.outputs[op]; ok {
		return o, o != nil, nil
	}
	o, err := v.r.Output(ctx, op)
	ok, err := found(err)
	return o, ok, err
}

func (v *view) spend(ctx context.Context, op wire.OutPoint) (*Spend, bool, error) {
	if s, ok := v.spends[op]; ok {
		return s, s != nil, nil
	}
	s, err := v.r.Spend(ctx, op)
	ok, err := found(err)
	return s, ok, err
}

func (v *view) undoData(ctx context.Context, h int64) ([]byte, bool, error) {
	if h < v.undoFloor {
		return nil, false, nil
	}
	if u, ok := v.undo[h]; ok {
		return u, u != nil, nil
	}
	u, err := v.r.Undo(ctx, h)
	ok, err := found(err)
	return u, ok, err
}
