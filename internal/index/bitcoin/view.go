package bitcoin

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// view is the index as the engine sees it: the store, under the changes of
// the batch being committed in the background (inflight, nil when none),
// under the changes of the batch being built (cur). A nil map value is a
// deletion.
type view struct {
	r        ChainReader
	tip      BlockRef
	hasTip   bool
	cur      *overlay
	inflight *overlay
	// utxo caches outputs created by connected blocks and not spent since,
	// under the overlays: most inputs spend an output a few blocks old, which
	// would otherwise be read back from the store. apply keeps it equal to
	// the store for every outpoint it holds (puts add, deletes and spends
	// remove), so a hit is what the store would answer. At most utxoMax
	// entries (0: no cache).
	utxo    map[wire.OutPoint]*Output
	utxoMax int
	// undoFloor: undo entries below it are pruned, whatever the store holds.
	undoFloor int64
	// pre is what a BatchReader store answered for the block being
	// connected (nil: nothing prefetched), consulted after the overlays and
	// the cache: it holds the store's content, which they may have changed.
	pre *prefetched
}

// overlay is the records of one batch of changes.
type overlay struct {
	blocks  map[int64]*Block
	hashes  map[chainhash.Hash]*Block
	txs     map[chainhash.Hash]*Tx
	outputs map[wire.OutPoint]*Output
	spends  map[wire.OutPoint]*Spend
	undo    map[int64][]byte
}

func newOverlay() *overlay {
	return &overlay{
		blocks:  map[int64]*Block{},
		hashes:  map[chainhash.Hash]*Block{},
		txs:     map[chainhash.Hash]*Tx{},
		outputs: map[wire.OutPoint]*Output{},
		spends:  map[wire.OutPoint]*Spend{},
		undo:    map[int64][]byte{},
	}
}

func newView(ctx context.Context, r ChainReader, utxoMax int) (*view, error) {
	v := &view{r: r, cur: newOverlay(), utxoMax: utxoMax, utxo: map[wire.OutPoint]*Output{}}
	tip, err := r.Tip(ctx)
	switch {
	case err == nil:
		v.tip, v.hasTip = tip, true
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return v, nil
}

// reset drops the overlays once their changes are committed.
func (v *view) reset() { v.cur, v.inflight = newOverlay(), nil }

// detach moves the batch being built to inflight, to be committed in the
// background; the previous inflight batch must be committed already.
func (v *view) detach() { v.cur, v.inflight = newOverlay(), v.cur }

// committed drops the inflight overlay once the store holds its changes.
func (v *view) committed() { v.inflight = nil }

// cache adds outputs to the utxo cache; when full, it first forgets about a
// quarter of it, in map order (arbitrary): a miss only costs a store read.
func (v *view) cache(outs []*Output) {
	if v.utxoMax <= 0 {
		return
	}
	if len(v.utxo)+len(outs) > v.utxoMax {
		drop := max(len(v.utxo)/4, len(v.utxo)+len(outs)-v.utxoMax)
		for op := range v.utxo {
			if drop == 0 {
				break
			}
			delete(v.utxo, op)
			drop--
		}
	}
	for _, o := range outs {
		if len(v.utxo) >= v.utxoMax {
			return
		}
		v.utxo[o.OutPoint] = o
	}
}

// lookup finds key in the overlays, newest first: found is true when an
// overlay decides (val may be a nil deletion).
func lookup[K comparable, V any](v *view, m func(*overlay) map[K]V, key K) (val V, found bool) {
	if x, ok := m(v.cur)[key]; ok {
		return x, true
	}
	if v.inflight != nil {
		if x, ok := m(v.inflight)[key]; ok {
			return x, true
		}
	}
	return val, false
}

// apply records a change in the overlay, mirroring ApplyChange.
func (v *view) apply(c *Change) {
	o := v.cur
	if c.DeleteBlock != nil {
		o.blocks[c.DeleteBlock.Height] = nil
		o.hashes[c.DeleteBlock.Hash] = nil
	}
	for _, id := range c.DeleteTxs {
		o.txs[id] = nil
	}
	for _, out := range c.DeleteOutputs {
		o.outputs[out.OutPoint] = nil
		delete(v.utxo, out.OutPoint)
	}
	for _, op := range c.DeleteSpends {
		o.spends[op] = nil
	}
	if c.DeleteUndo != nil {
		o.undo[*c.DeleteUndo] = nil
	}
	if c.PruneUndoBelow > v.undoFloor {
		v.undoFloor = c.PruneUndoBelow
	}
	if c.Block != nil {
		o.blocks[c.Block.Height] = c.Block
		o.hashes[c.Block.Hash] = c.Block
	}
	for _, t := range c.PutTxs {
		o.txs[t.Txid] = t
	}
	for _, out := range c.PutOutputs {
		o.outputs[out.OutPoint] = out
	}
	v.cache(c.PutOutputs)
	for _, s := range c.PutSpends {
		o.spends[s.OutPoint] = s
		delete(v.utxo, s.OutPoint)
	}
	if c.PutUndo != nil {
		o.undo[c.PutUndo.Height] = c.PutUndo.Data
	}
	v.tip, v.hasTip = c.Tip, !c.Empty
}

func (o *overlay) blocksM() map[int64]*Block           { return o.blocks }
func (o *overlay) hashesM() map[chainhash.Hash]*Block  { return o.hashes }
func (o *overlay) txsM() map[chainhash.Hash]*Tx        { return o.txs }
func (o *overlay) outputsM() map[wire.OutPoint]*Output { return o.outputs }
func (o *overlay) spendsM() map[wire.OutPoint]*Spend   { return o.spends }
func (o *overlay) undoM() map[int64][]byte             { return o.undo }

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
	if b, ok := lookup(v, (*overlay).blocksM, h); ok {
		return b, b != nil, nil
	}
	b, err := v.r.BlockByHeight(ctx, h)
	ok, err := found(err)
	return b, ok, err
}

func (v *view) blockByHash(ctx context.Context, h chainhash.Hash) (*Block, bool, error) {
	if b, ok := lookup(v, (*overlay).hashesM, h); ok {
		return b, b != nil, nil
	}
	b, err := v.r.BlockByHash(ctx, h)
	ok, err := found(err)
	if ok {
		// the store's answer may be stale if an overlay replaced that height
		if ob, in := lookup(v, (*overlay).blocksM, b.Height); in && (ob == nil || ob.Hash != h) {
			return nil, false, nil
		}
	}
	return b, ok, err
}

func (v *view) tx(ctx context.Context, id chainhash.Hash) (*Tx, bool, error) {
	if t, ok := lookup(v, (*overlay).txsM, id); ok {
		return t, t != nil, nil
	}
	if v.pre != nil {
		if t, ok := v.pre.txs[id]; ok {
			return t, t != nil, nil
		}
	}
	t, err := v.r.Tx(ctx, id)
	ok, err := found(err)
	return t, ok, err
}

func (v *view) output(ctx context.Context, op wire.OutPoint) (*Output, bool, error) {
	if o, ok := lookup(v, (*overlay).outputsM, op); ok {
		return o, o != nil, nil
	}
	if o, ok := v.utxo[op]; ok {
		return o, true, nil
	}
	if v.pre != nil {
		if o, ok := v.pre.outputs[op]; ok {
			return o, o != nil, nil
		}
	}
	o, err := v.r.Output(ctx, op)
	ok, err := found(err)
	return o, ok, err
}

func (v *view) spend(ctx context.Context, op wire.OutPoint) (*Spend, bool, error) {
	if s, ok := lookup(v, (*overlay).spendsM, op); ok {
		return s, s != nil, nil
	}
	if v.pre != nil {
		if s, ok := v.pre.spends[op]; ok {
			return s, s != nil, nil
		}
	}
	s, err := v.r.Spend(ctx, op)
	ok, err := found(err)
	return s, ok, err
}

func (v *view) undoData(ctx context.Context, h int64) ([]byte, bool, error) {
	if h < v.undoFloor {
		return nil, false, nil
	}
	if u, ok := lookup(v, (*overlay).undoM, h); ok {
		return u, u != nil, nil
	}
	u, err := v.r.Undo(ctx, h)
	ok, err := found(err)
	return u, ok, err
}
