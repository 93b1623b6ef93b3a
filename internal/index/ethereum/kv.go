package ethereum

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"

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

// RecordKVs returns every pair a block's records add, undo entry included.
func RecordKVs(r *Records) []KV {
	h := r.Height()
	kvs := make([]KV, 0, 2+2*len(r.Txs)+len(r.Logs)+len(r.Traces)+len(r.Tokens)+5*len(r.Transfers)+1)
	kvs = append(kvs, KV{BlockKey(h), EncodeBlock(r.Block)}, KV{HashKey(r.Block.Hash), EncodeHeight(h)})
	for i, t := range r.Txs {
		kvs = append(kvs, KV{TxKey(h, uint32(i)), EncodeTxRecord(t)},
			KV{TxLocKey(t.Tx.Hash), EncodeTxLocation(TxLocation{h, uint32(i)})})
	}
	for i, l := range r.Logs {
		kvs = append(kvs, KV{LogKey(h, uint32(i)), EncodeLog(l)})
	}
	for i, t := range r.Traces {
		kvs = append(kvs, KV{TraceKey(h, uint32(i)), EncodeTrace(t)})
	}
	for i, t := range r.Tokens {
		kvs = append(kvs, KV{TokenKey(h, uint32(i)), EncodeToken(t)})
	}
	for _, t := range r.Transfers {
		kvs = append(kvs, TransferKVs(t)...)
	}
	return append(kvs, KV{UndoKey(h), r.Undo})
}

// ApplyChange writes one Change as the canonical pairs of schema.go, in the
// order Store.Commit documents. Key-value backends share it.
func ApplyChange(w KVWriter, c *Change) error {
	var errs []error
	del := func(k []byte) { errs = append(errs, w.Delete(k)) }
	if d := c.Disconnect; d != nil {
		for _, p := range HeightPrefixes {
			lo, hi := HeightRange(p, d.Block.Height)
			errs = append(errs, w.DeleteRange(lo, hi))
		}
		del(HashKey(d.Block.Hash))
		for _, h := range d.TxHashes {
			del(TxLocKey(h))
		}
		for _, t := range d.Transfers {
			for _, kv := range transferEntries(t, nil) {
				del(kv.Key)
			}
		}
	}
	if c.PruneUndoBelow > 0 {
		errs = append(errs, w.DeleteRange(UndoKey(0), UndoKey(c.PruneUndoBelow)))
	}
	if c.Connect != nil {
		for _, kv := range RecordKVs(c.Connect) {
			errs = append(errs, w.Set(kv.Key, kv.Value))
		}
	}
	if c.Empty {
		del(TipKey())
	} else {
		errs = append(errs, w.Set(TipKey(), EncodeTip(c.Tip)))
	}
	return errors.Join(errs...)
}

// KVIndex implements Reader over a KVReader holding the canonical schema.
type KVIndex struct{ R KVReader }

// Tip implements Reader.
func (x KVIndex) Tip(ctx context.Context) (BlockRef, error) {
	v, err := x.R.Get(ctx, TipKey())
	if err != nil {
		return BlockRef{}, err
	}
	return DecodeTip(v)
}

// BlockByNumber implements Reader.
func (x KVIndex) BlockByNumber(ctx context.Context, height int64) (*src.Block, error) {
	if height < 0 {
		return nil, fmt.Errorf("block %d: %w", height, ErrNotFound)
	}
	v, err := x.R.Get(ctx, BlockKey(height))
	if err != nil {
		return nil, err
	}
	return DecodeBlock(v)
}

// BlockByHash implements Reader.
func (x KVIndex) BlockByHash(ctx context.Context, hash common.Hash) (*src.Block, error) {
	v, err := x.R.Get(ctx, HashKey(hash))
	if err != nil {
		return nil, err
	}
	h, err := DecodeHeight(v)
	if err != nil {
		return nil, err
	}
	return x.BlockByNumber(ctx, h)
}

// TxLocation implements Reader.
func (x KVIndex) TxLocation(ctx context.Context, hash common.Hash) (TxLocation, error) {
	v, err := x.R.Get(ctx, TxLocKey(hash))
	if err != nil {
		return TxLocation{}, err
	}
	return DecodeTxLocation(v)
}

// scanHeight decodes every record of a height-prefixed key space at height.
func scanHeight[T any](ctx context.Context, r KVReader, prefix byte, height int64, decode func([]byte) (*T, error)) ([]*T, error) {
	lo, hi := HeightRange(prefix, height)
	out := []*T{}
	err := r.Scan(ctx, lo, hi, func(_, v []byte) error {
		t, err := decode(v)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// Txs implements Reader.
func (x KVIndex) Txs(ctx context.Context, height int64) ([]*TxRecord, error) {
	return scanHeight(ctx, x.R, prefixTx, height, DecodeTxRecord)
}

// Logs implements Reader.
func (x KVIndex) Logs(ctx context.Context, height int64) ([]*src.Log, error) {
	return scanHeight(ctx, x.R, prefixLog, height, DecodeLog)
}

// Traces implements Reader.
func (x KVIndex) Traces(ctx context.Context, height int64) ([]*src.Trace, error) {
	return scanHeight(ctx, x.R, prefixTrace, height, DecodeTrace)
}

// Tokens implements Reader.
func (x KVIndex) Tokens(ctx context.Context, height int64) ([]*src.Token, error) {
	return scanHeight(ctx, x.R, prefixToken, height, DecodeToken)
}

// Transfers implements Reader.
func (x KVIndex) Transfers(ctx context.Context, height int64) ([]*Transfer, error) {
	lo, hi := HeightRange(prefixTransfer, height)
	out := []*Transfer{}
	err := x.R.Scan(ctx, lo, hi, func(k, v []byte) error {
		id, err := DecodeTransferKey(k)
		if err != nil {
			return err
		}
		t, err := DecodeTransfer(id, v)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

var errLimit = errors.New("limit reached")

// scanPrefix scans from lower to the end of the key space that shares its
// first n bytes.
func scanPrefix(ctx context.Context, r KVReader, lower []byte, n int, limit int, fn func(k, v []byte) error) error {
	upper := append(slices.Clone(lower[:n]), bytes.Repeat([]byte{0xff}, idLen+2)...)
	count := 0
	err := r.Scan(ctx, lower, upper, func(k, v []byte) error {
		if err := fn(k, v); err != nil {
			return err
		}
		if count++; limit > 0 && count >= limit {
			return errLimit
		}
		return nil
	})
	if errors.Is(err, errLimit) {
		return nil
	}
	return err
}

// AddressTransfers implements Reader.
func (x KVIndex) AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]AddressTransfer, error) {
	a, err := normalized(address)
	if err != nil {
		return nil, err
	}
	if asset != "" {
		if _, ok := AssetCode(asset); !ok {
			return nil, fmt.Errorf("asset %q: want eth or eth:0x<token lower case>", asset)
		}
	}
	lower := AddressPrefix(a, fromHeight)
	var out []AddressTransfer
	// Filtering by asset skips entries, so the limit is counted here.
	err = scanPrefix(ctx, x.R, lower, 21, 0, func(k, v []byte) error {
		id, d, err := DecodeAddressKey(k)
		if err != nil {
			return err
		}
		t, err := DecodeTransfer(id, v)
		if err != nil {
			return err
		}
		if asset != "" && t.Asset != asset {
			return nil
		}
		out = append(out, AddressTransfer{Dir: d, Transfer: t})
		if limit > 0 && len(out) >= limit {
			return errLimit
		}
		return nil
	})
	if errors.Is(err, errLimit) {
		err = nil
	}
	return out, err
}

// BalanceFlows implements Reader.
func (x KVIndex) BalanceFlows(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]Flow, error) {
	a, err := normalized(address)
	if err != nil {
		return nil, err
	}
	code, ok := AssetCode(asset)
	if !ok {
		return nil, fmt.Errorf("asset %q: want eth or eth:0x<token lower case>", asset)
	}
	lower := FlowPrefix(a, asset, fromHeight)
	var out []Flow
	err = scanPrefix(ctx, x.R, lower, 21+len(code), limit, func(k, v []byte) error {
		f, err := DecodeFlow(k, v)
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

func normalized(address string) (string, error) {
	a, err := ParseAddress(address)
	if err != nil {
		return "", err
	}
	return NormalizeAddress(a), nil
}

// Undo implements Reader.
func (x KVIndex) Undo(ctx context.Context, height int64) ([]byte, error) {
	return x.R.Get(ctx, UndoKey(height))
}

// DigestKV computes the index digest by scanning a whole KV store.
func DigestKV(ctx context.Context, r KVReader) ([32]byte, error) {
	d := NewDigester()
	err := r.Scan(ctx, nil, []byte{0xff}, func(k, v []byte) error {
		d.Add(k, v)
		return nil
	})
	return d.Sum(), err
}

// MemStore is an in-memory Store over the canonical schema: the reference
// the contract suite compares backends' digests with, and a store for tests.
type MemStore struct {
	KVIndex
	m *memkv.Map
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	m := memkv.New(ErrNotFound)
	return &MemStore{KVIndex: KVIndex{R: m}, m: m}
}

// Commit implements Store: changes go to a copy first, which replaces the
// content at once.
func (s *MemStore) Commit(ctx context.Context, changes []Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next := s.m.Clone()
	for i := range changes {
		if err := checkTip(ctx, KVIndex{R: next}, &changes[i]); err != nil {
			return err
		}
		if err := ApplyChange(next, &changes[i]); err != nil {
			return err
		}
	}
	s.m.Replace(next)
	return nil
}

// checkTip returns ErrNotTip unless c applies on the tip of r.
func checkTip(ctx context.Context, r Reader, c *Change) error {
	tip, err := r.Tip(ctx)
	empty := errors.Is(err, ErrNotFound)
	if err != nil && !empty {
		return err
	}
	return CheckChange(tip, empty, c)
}

// CheckChange returns ErrNotTip unless c applies on an index whose tip is
// tip (empty: no tip): a disconnect removes the tip, a connect extends it
// (or starts an empty index).
func CheckChange(tip BlockRef, empty bool, c *Change) error {
	if d := c.Disconnect; d != nil {
		if empty || d.Block != tip {
			return fmt.Errorf("%w: disconnect of %d %s, tip %d %s", ErrNotTip, d.Block.Height, d.Block.Hash, tip.Height, tip.Hash)
		}
		empty = true // what follows is checked against the stated tip below
	}
	if r := c.Connect; r != nil && c.Disconnect == nil && !empty {
		if r.Height() != tip.Height+1 || r.Block.ParentHash != tip.Hash {
			return fmt.Errorf("%w: block %d %s on tip %d %s", ErrNotTip, r.Height(), r.Block.Hash, tip.Height, tip.Hash)
		}
	}
	return nil
}

// ConcurrentCommit implements ConcurrentStore (lookups see the content
// before or after a Commit, never between), so engine tests exercise
// background commits.
func (s *MemStore) ConcurrentCommit() bool { return true }

// Digest implements Store.
func (s *MemStore) Digest(ctx context.Context) ([32]byte, error) { return DigestKV(ctx, s.m) }

// Close implements Store.
func (s *MemStore) Close() error { return nil }
