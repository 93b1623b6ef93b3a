package bitcoin

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Connect indexes msg at height on the current tip (or as the first block of
// an empty index). Outputs an input spends are looked up in the index, then
// through the resolver; if neither knows them the input's PrevOut is marked
// unknown, never zero. A coinbase whose txid is already indexed (BIP30:
// the mainnet coinbases duplicated at 91842 and 91880; only a coinbase can
// repeat a txid) replaces the earlier one: its record, its outputs (with their address entries) and their spends
// are overwritten, and the undo entry keeps them so a disconnect restores
// them.
func (e *Engine) Connect(ctx context.Context, msg *wire.MsgBlock, height int64) error {
	hash := msg.BlockHash()
	if e.v.hasTip && (msg.Header.PrevBlock != e.v.tip.Hash || height != e.v.tip.Height+1) {
		return fmt.Errorf("connect block %s at %d: %w (tip %d %s)", hash, height, ErrNotTip, e.v.tip.Height, e.v.tip.Hash)
	}
	b := blockRecord(msg, hash, height)
	if br, ok := e.store.(BatchReader); ok {
		if err := e.prefetch(ctx, br, msg, b.Txids); err != nil {
			return fmt.Errorf("connect block %s at %d: %w", hash, height, err)
		}
		defer func() { e.v.pre = nil }()
	}
	c := Change{Block: b, Tip: b.Ref()}
	var u undoData
	for i, tx := range msg.Transactions {
		txid := b.Txids[i]
		rec := &Tx{Txid: txid, BlockHash: hash, Height: height, Index: i, Msg: tx, Prev: make([]PrevOut, len(tx.TxIn))}
		coinbase := i == 0 && isCoinbase(tx)
		// Only a coinbase can repeat a txid (BIP30): any other transaction
		// would have to spend the same outputs again. So only coinbases pay
		// for the lookups of what they may overwrite.
		if coinbase {
			if old, ok, err := e.v.tx(ctx, txid); err != nil {
				return err
			} else if ok {
				u.txs = append(u.txs, old)
			}
		}
		if !coinbase {
			for j, in := range tx.TxIn {
				p, err := e.prevOut(ctx, in.PreviousOutPoint)
				if err != nil {
					return fmt.Errorf("block %d tx %s input %d: %w", height, txid, j, err)
				}
				rec.Prev[j] = p
				// No spend of this outpoint can exist on a valid chain (a
				// coinbase overwriting a spent output deletes its spend), so
				// none is looked up to keep for the undo entry.
				s := &Spend{OutPoint: in.PreviousOutPoint, Txid: txid, Vin: uint32(j), Height: height}
				c.PutSpends = append(c.PutSpends, s)
				// Later inputs of this block must see this spend.
				e.v.cur.spends[s.OutPoint] = s
			}
		}
		c.PutTxs = append(c.PutTxs, rec)
		for k, out := range tx.TxOut {
			o := e.output(txid, uint32(k), height, coinbase, out)
			if coinbase {
				if err := e.overwrite(ctx, o.OutPoint, height, &c, &u); err != nil {
					return err
				}
			}
			c.PutOutputs = append(c.PutOutputs, o)
			// Later transactions of this block may spend it.
			e.v.cur.outputs[o.OutPoint] = o
		}
	}
	c.PutUndo = &UndoEntry{Height: height, Data: u.encode()}
	if w := e.cfg.UndoWindow; w > 0 && height-w+1 > 0 {
		c.PruneUndoBelow = height - w + 1
	}
	return e.push(ctx, c)
}

// overwrite records what a duplicated coinbase's output at op replaces: the
// earlier output (with its address entries) and its spend, kept in the undo
// entry.
func (e *Engine) overwrite(ctx context.Context, op wire.OutPoint, height int64, c *Change, u *undoData) error {
	if old, ok, err := e.v.output(ctx, op); err != nil {
		return err
	} else if ok {
		u.outputs = append(u.outputs, old)
		c.DeleteOutputs = append(c.DeleteOutputs, old)
	}
	if old, ok, err := e.v.spend(ctx, op); err != nil {
		return err
	} else if ok && old.Height != height {
		u.spends = append(u.spends, old)
		c.DeleteSpends = append(c.DeleteSpends, op)
	}
	return nil
}

// prevOut finds what an input spends: in the index, then the resolver.
func (e *Engine) prevOut(ctx context.Context, op wire.OutPoint) (PrevOut, error) {
	o, ok, err := e.v.output(ctx, op)
	if err != nil {
		return PrevOut{}, err
	}
	if ok {
		return PrevOut{Known: true, Value: o.Value, PkScript: o.PkScript}, nil
	}
	if e.resolver == nil {
		return PrevOut{}, nil
	}
	value, script, ok, err := e.resolver.PrevOut(ctx, op)
	if err != nil {
		return PrevOut{}, fmt.Errorf("resolve %s: %w", op, err)
	}
	if !ok {
		return PrevOut{}, nil
	}
	return PrevOut{Known: true, Value: value, PkScript: script}, nil
}

func (e *Engine) output(txid chainhash.Hash, vout uint32, height int64, coinbase bool, out *wire.TxOut) *Output {
	cls, addrs, req := Classify(out.PkScript, e.params)
	return &Output{OutPoint: wire.OutPoint{Hash: txid, Index: vout}, Height: height, Coinbase: coinbase,
		Value: out.Value, PkScript: out.PkScript, Class: cls, Addresses: addrs, ReqSigs: req}
}

func blockRecord(msg *wire.MsgBlock, hash chainhash.Hash, height int64) *Block {
	h := &msg.Header
	b := &Block{Hash: hash, Height: height, Prev: h.PrevBlock, Version: h.Version, MerkleRoot: h.MerkleRoot,
		Time: h.Timestamp.Unix(), Bits: h.Bits, Nonce: h.Nonce,
		Size: int64(msg.SerializeSize()), StrippedSize: int64(msg.SerializeSizeStripped()),
		Txids: make([]chainhash.Hash, len(msg.Transactions))}
	b.Weight = 3*b.StrippedSize + b.Size
	for i, tx := range msg.Transactions {
		b.Txids[i] = tx.TxHash()
	}
	if len(msg.Transactions) > 0 && isCoinbase(msg.Transactions[0]) {
		b.CoinbaseScript = msg.Transactions[0].TxIn[0].SignatureScript
	}
	return b
}

// disconnectChange builds the change that removes the tip block, and the
// block itself rebuilt from its records.
func (e *Engine) disconnectChange(ctx context.Context, tip BlockRef) (Change, *wire.MsgBlock, error) {
	b, ok, err := e.v.blockByHeight(ctx, tip.Height)
	if err != nil {
		return Change{}, nil, err
	}
	if !ok || b.Hash != tip.Hash {
		return Change{}, nil, fmt.Errorf("disconnect %d %s: %w: no block record", tip.Height, tip.Hash, ErrCorrupt)
	}
	raw, ok, err := e.v.undoData(ctx, tip.Height)
	if err != nil {
		return Change{}, nil, err
	}
	if !ok {
		return Change{}, nil, fmt.Errorf("disconnect %d: %w", tip.Height, ErrUndoPruned)
	}
	u, err := decodeUndo(raw)
	if err != nil {
		return Change{}, nil, fmt.Errorf("undo of height %d: %w", tip.Height, err)
	}
	h := tip.Height
	c := Change{DeleteBlock: &tip, DeleteUndo: &h}
	msg := &wire.MsgBlock{Header: wire.BlockHeader{Version: b.Version, PrevBlock: b.Prev, MerkleRoot: b.MerkleRoot,
		Timestamp: unixTime(b.Time), Bits: b.Bits, Nonce: b.Nonce}}
	for i, txid := range b.Txids {
		t, ok, err := e.v.tx(ctx, txid)
		if err != nil {
			return Change{}, nil, err
		}
		if !ok || t.BlockHash != b.Hash {
			return Change{}, nil, fmt.Errorf("disconnect %d: tx %s: %w", h, txid, ErrCorrupt)
		}
		msg.AddTransaction(t.Msg)
		c.DeleteTxs = append(c.DeleteTxs, txid)
		coinbase := i == 0 && isCoinbase(t.Msg)
		for k, out := range t.Msg.TxOut {
			c.DeleteOutputs = append(c.DeleteOutputs, e.output(txid, uint32(k), h, coinbase, out))
		}
		if !coinbase {
			for _, in := range t.Msg.TxIn {
				c.DeleteSpends = append(c.DeleteSpends, in.PreviousOutPoint)
			}
		}
	}
	c.PutTxs, c.PutOutputs, c.PutSpends = u.txs, u.outputs, u.spends
	parent, ok, err := e.v.blockByHeight(ctx, h-1)
	if err != nil {
		return Change{}, nil, err
	}
	if ok && parent.Hash == b.Prev {
		c.Tip = parent.Ref()
	} else {
		c.Empty = true // the first block of the index
	}
	return c, msg, nil
}
