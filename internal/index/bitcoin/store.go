package bitcoin

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Errors callers branch on.
var (
	// ErrNotFound: the block, transaction, output, spend or undo entry is not
	// in the index. Backends return it (wrapped or not) from every lookup.
	ErrNotFound = errors.New("bitcoin index: not found")
	// ErrUndoPruned: a disconnect reaches below the kept undo window.
	ErrUndoPruned = errors.New("bitcoin index: undo data pruned")
	// ErrNotTip: a change does not apply on the current tip (a second writer,
	// or an engine bug); nothing was written.
	ErrNotTip = errors.New("bitcoin index: change does not extend the tip")
	// ErrOrphan: a block's parent is not the tip and not in the index, and its
	// height cannot be worked out (no BIP34 height in its coinbase).
	ErrOrphan = errors.New("bitcoin index: block height unknown")
)

// Store is what a backend implements for the chain index: lookups of the
// logical records, an atomic commit of a batch of Changes, and the digest of
// the whole content. It holds no chain logic: the Engine decides every put and
// delete. Implementations: internal/store/pebble, internal/store/postgres; the
// contract suite is internal/store/storetest.RunChain.
type Store interface {
	ChainReader
	// Commit applies changes in order, all or nothing, before it returns:
	// once it returns, a killed process resumes with them. A backend may
	// defer the fsync by a bounded, documented interval (Pebble does, see its
	// package doc), so that a power loss rolls the index back to an earlier
	// commit, never to a state between two commits. Within one Change the
	// deletes go before the puts, in the field order of Change.
	Commit(ctx context.Context, changes []Change) error
	// Digest returns the SHA-256 of the whole logical content as schema.go
	// defines it; two backends holding the same chain return the same digest.
	Digest(ctx context.Context) ([32]byte, error)
	// SideBlocks returns the blocks held aside (Change.PutSide), in no
	// particular order, so that a branch seen by an earlier run (separate
	// `file:` sources, a restarted follower) can still win a reorg.
	SideBlocks(ctx context.Context) ([]*SideBlock, error)
	Close() error
}

// ChainReader is the read side of the Store. Lookups of absent records return
// ErrNotFound.
type ChainReader interface {
	// Tip returns the last connected block; ErrNotFound on an empty index.
	Tip(ctx context.Context) (BlockRef, error)
	BlockByHeight(ctx context.Context, height int64) (*Block, error)
	BlockByHash(ctx context.Context, hash chainhash.Hash) (*Block, error)
	Tx(ctx context.Context, txid chainhash.Hash) (*Tx, error)
	Output(ctx context.Context, op wire.OutPoint) (*Output, error)
	// Spend returns the input that spent op.
	Spend(ctx context.Context, op wire.OutPoint) (*Spend, error)
	// AddressOutputs returns the address index entries of a normalised address
	// with height >= fromHeight, ordered by height then outpoint, at most limit
	// of them (limit <= 0: all).
	AddressOutputs(ctx context.Context, address string, fromHeight int64, limit int) ([]AddressOutput, error)
	// Undo returns the undo entry of a height; ErrNotFound when pruned or
	// never written.
	Undo(ctx context.Context, height int64) ([]byte, error)
}

// BlockTimer is implemented by chain readers that can return a block's
// header time without the rest of its record (a block record lists every
// txid; tracing wants only the time).
type BlockTimer interface {
	BlockTime(ctx context.Context, height int64) (int64, error)
}

// Change is one block connected or disconnected, as mechanical writes. The
// backend applies, in this order: delete Block (by DeleteBlock's height and
// hash), DeleteTxs, DeleteOutputs (with their address index entries, one per
// address), DeleteSpends, DeleteUndo, PruneUndoBelow; then put Block, PutTxs,
// PutOutputs (with their address index entries), PutSpends, PutUndo; then set
// the tip to Tip (a zero Tip with Empty set makes the index empty).
// DeleteSide and PutSide maintain the blocks held aside, which are not part of
// the indexed chain and not covered by the digest.
type Change struct {
	DeleteBlock   *BlockRef
	DeleteTxs     []chainhash.Hash
	DeleteOutputs []*Output
	DeleteSpends  []wire.OutPoint
	DeleteUndo    *int64
	// PruneUndoBelow deletes the undo entries of all heights below it (0: none).
	PruneUndoBelow int64

	Block      *Block
	PutTxs     []*Tx
	PutOutputs []*Output
	PutSpends  []*Spend
	PutUndo    *UndoEntry

	DeleteSide []chainhash.Hash
	PutSide    []*SideBlock

	Tip   BlockRef
	Empty bool // the index is empty after this change (genesis disconnected)
}

// UndoEntry is the undo data of one height, opaque to the backend (the engine
// encodes what the block overwrote: see schema.go).
type UndoEntry struct {
	Height int64
	Data   []byte
}
