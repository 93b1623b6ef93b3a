package bitcoin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/memkv"
)

// KVWriter is the write side of an ordered key-value store (a Pebble batch).
type KVWriter interface {
	Set(key, value []byte) error
	Delete(key []byte) error
	DeleteRange(start, end []byte) error // [start, end)
}

// KVReader is the read side of an ordered key-value store. Get returns
// ErrNotFound for an absent key; Scan calls fn for every pair with
// lower <= key < upper in ascending order (the slices are valid only during
// the call).
type KVReader interface {
	Get(ctx context.Context, key []byte) ([]byte, error)
	Scan(ctx context.Context, lower, upper []byte, fn func(key, value []byte) error) error
}

// KVViewer is implemented by key-value stores that can lend a value without
// copying it: fn sees the stored bytes, valid only during the call. KVChain
// decodes from them when the store offers it (Pebble's block cache).
type KVViewer interface {
	View(ctx context.Context, key []byte, fn func(value []byte) error) error
}

// ApplyChange writes one Change as the canonical pairs of schema.go, in the
// order Store.Commit documents. Key-value backends share it.
func ApplyChange(w KVWriter, c *Change) error {
	var errs []error
	del := func(k []byte) { errs = append(errs, w.Delete(k)) }
	set := func(k, v []byte) { errs = append(errs, w.Set(k, v)) }
	if c.DeleteBlock != nil {
		del(BlockKey(c.DeleteBlock.Height))
		del(HashKey(c.DeleteBlock.Hash))
	}
	for _, id := range c.DeleteTxs {
		del(TxKey(id))
	}
	for _, o := range c.DeleteOutputs {
		for _, kv := range OutputKVs(o) {
			del(kv.Key)
		}
	}
	for _, op := range c.DeleteSpends {
		del(SpendKey(op))
	}
	if c.DeleteUndo != nil {
		del(UndoKey(*c.DeleteUndo))
	}
	for _, h := range c.DeleteSide {
		del(SideKey(h))
	}
	if c.PruneUndoBelow > 0 {
		errs = append(errs, w.DeleteRange(UndoKey(0), UndoKey(c.PruneUndoBelow)))
	}
	if c.Block != nil {
		for _, kv := range BlockKVs(c.Block) {
			set(kv.Key, kv.Value)
		}
	}
	for _, t := range c.PutTxs {
		set(TxKey(t.Txid), EncodeTx(t))
	}
	for _, o := range c.PutOutputs {
		for _, kv := range OutputKVs(o) {
			set(kv.Key, kv.Value)
		}
	}
	for _, s := range c.PutSpends {
		set(SpendKey(s.OutPoint), EncodeSpend(s))
	}
	if c.PutUndo != nil {
		set(UndoKey(c.PutUndo.Height), c.PutUndo.Data)
	}
	for _, sb := range c.PutSide {
		set(SideKey(sb.Hash), EncodeSideBlock(sb))
	}
	if c.Empty {
		del(TipKey())
	} else {
		set(TipKey(), EncodeTip(c.Tip))
	}
	return errors.Join(errs...)
}

// KVChain implements ChainReader over a KVReader holding the canonical schema.
type KVChain struct{ R KVReader }

// view calls fn with the value of key: lent by a KVViewer, copied by Get
// otherwise.
func (c KVChain) view(ctx context.Context, key []byte, fn func(value []byte) error) error {
	if v, ok := c.R.(KVViewer); ok {
		return v.View(ctx, key, fn)
	}
	v, err := c.R.Get(ctx, key)
	if err != nil {
		return err
	}
	return fn(v)
}

// Tip implements ChainReader.
func (c KVChain) Tip(ctx context.Context) (BlockRef, error) {
	v, err := c.R.Get(ctx, TipKey())
	if err != nil {
		return BlockRef{}, err
	}
	return DecodeTip(v)
}

// BlockByHeight implements ChainReader.
func (c KVChain) BlockByHeight(ctx context.Context, height int64) (*Block, error) {
	if height < 0 {
		return nil, fmt.Errorf("block at height %d: %w", height, ErrNotFound)
	}
	v, err := c.R.Get(ctx, BlockKey(height))
	if err != nil {
		return nil, err
	}
	return DecodeBlock(v)
}

// BlockByHash implements ChainReader.
func (c KVChain) BlockByHash(ctx context.Context, hash chainhash.Hash) (*Block, error) {
	v, err := c.R.Get(ctx, HashKey(hash))
	if err != nil {
		return nil, err
	}
	h, err := DecodeHeight(v)
	if err != nil {
		return nil, err
	}
	return c.BlockByHeight(ctx, h)
}

// Tx implements ChainReader.
func (c KVChain) Tx(ctx context.Context, txid chainhash.Hash) (*Tx, error) {
	var t *Tx
	err := c.view(ctx, TxKey(txid), func(v []byte) (err error) {
		t, err = DecodeTx(txid, v) // copies what it keeps
		return err
	})
	return t, err
}

// BlockTime implements BlockTimer: the block record's header time, without
// decoding the block's transaction ids.
func (c KVChain) BlockTime(ctx context.Context, height int64) (int64, error) {
	if height < 0 {
		return 0, fmt.Errorf("block at height %d: %w", height, ErrNotFound)
	}
	var t int64
	err := c.view(ctx, BlockKey(height), func(v []byte) (err error) {
		t, err = DecodeBlockTime(v)
		return err
	})
	return t, err
}

// Output implements ChainReader.
func (c KVChain) Output(ctx context.Context, op wire.OutPoint) (*Output, error) {
	v, err := c.R.Get(ctx, OutputKey(op))
	if err != nil {
		return nil, err
	}
	return DecodeOutput(op, v)
}

// Spend implements ChainReader.
func (c KVChain) Spend(ctx context.Context, op wire.OutPoint) (*Spend, error) {
	var s *Spend
	err := c.view(ctx, SpendKey(op), func(v []byte) (err error) {
		s, err = DecodeSpend(op, v)
		return err
	})
	return s, err
}

// AddressOutputs implements ChainReader.
func (c KVChain) AddressOutputs(ctx context.Context, address string, fromHeight int64, limit int) ([]AddressOutput, error) {
	prefix := AddressPrefix(address)
	lower := prefix
	if fromHeight > 0 {
		lower = binaryHeight(prefix, fromHeight)
	}
	upper := append(slices.Clone(prefix[:len(prefix)-1]), 1)
	var out []AddressOutput
	errStop := errors.New("limit")
	err := c.R.Scan(ctx, lower, upper, func(k, _ []byte) error {
		a, err := DecodeAddressKey(k)
		if err != nil {
			return err
		}
		out = append(out, a)
		if limit > 0 && len(out) >= limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

func binaryHeight(prefix []byte, h int64) []byte {
	k := slices.Clone(prefix)
	return append(k, EncodeHeight(h)...)
}

// Undo implements ChainReader.
func (c KVChain) Undo(ctx context.Context, height int64) ([]byte, error) {
	return c.R.Get(ctx, UndoKey(height))
}

// SideBlocks returns the blocks held aside.
func (c KVChain) SideBlocks(ctx context.Context) ([]*SideBlock, error) {
	var out []*SideBlock
	err := c.R.Scan(ctx, []byte{prefixSide}, []byte{prefixSide + 1}, func(k, v []byte) error {
		if len(k) != 33 {
			return errCorrupt("side block key")
		}
		sb, err := DecodeSideBlock(chainhash.Hash(k[1:]), v)
		if err == nil {
			out = append(out, sb)
		}
		return err
	})
	return out, err
}

// DigestKV computes the index digest by scanning a whole KV store, the
// blocks held aside excepted (see schema.go).
func DigestKV(ctx context.Context, r KVReader) ([32]byte, error) {
	d := NewDigester()
	err := r.Scan(ctx, nil, []byte{0xff}, func(k, v []byte) error {
		if k[0] != prefixSide {
			d.Add(k, v)
		}
		return nil
	})
	return d.Sum(), err
}

// MemStore is an in-memory Store over the canonical schema: the reference the
// contract suite compares backends' digests with, and a fast store for tests.
// Lookups may run during a Commit (it is a ConcurrentStore), so the engine
// tests exercise background commits.
type MemStore struct {
	KVChain
	m *memkv.Map
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	m := memkv.New(ErrNotFound)
	return &MemStore{KVChain: KVChain{R: m}, m: m}
}

// Commit implements Store (all or nothing: changes go to a copy first, which
// replaces the content at once).
func (s *MemStore) Commit(ctx context.Context, changes []Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next := s.m.Clone()
	for i := range changes {
		if err := ApplyChange(next, &changes[i]); err != nil {
			return err
		}
	}
	s.m.Replace(next)
	return nil
}

// ConcurrentCommit implements ConcurrentStore.
func (s *MemStore) ConcurrentCommit() bool { return true }

// Digest implements Store.
func (s *MemStore) Digest(ctx context.Context) ([32]byte, error) { return DigestKV(ctx, s.m) }

// Close implements Store.
func (s *MemStore) Close() error { return nil }
