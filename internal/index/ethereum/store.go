package ethereum

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// Errors callers branch on.
var (
	// ErrNotFound: the block, transaction or undo entry is not in the index.
	// Backends return it (wrapped or not) from every lookup.
	ErrNotFound = errors.New("ethereum index: not found")
	// ErrUndoPruned: a disconnect reaches below the kept undo window.
	ErrUndoPruned = errors.New("ethereum index: undo data pruned")
	// ErrNotTip: a change does not apply on the current tip (a second writer,
	// or an engine bug); nothing was written.
	ErrNotTip = errors.New("ethereum index: change does not extend the tip")
	// ErrBadBlock: the block data handed to the engine is inconsistent (a
	// receipt missing, a parent that is not the tip).
	ErrBadBlock = errors.New("ethereum index: inconsistent block data")
)

// Store is what a backend implements for the Ethereum chain index: the
// lookups, an atomic commit of a batch of Changes, and the digest of the
// whole content. It holds no chain logic. Implementations:
// internal/store/pebble (EthStore), internal/store/postgres (EthStore); the
// contract suite is internal/store/storetest.RunEth.
type Store interface {
	Reader
	// Commit applies changes in order, all or nothing, before it returns.
	Commit(ctx context.Context, changes []Change) error
	// Digest returns the SHA-256 of the whole logical content as schema.go
	// defines it; two backends holding the same chain return the same digest.
	Digest(ctx context.Context) ([32]byte, error)
	Close() error
}

// Reader is the read side of the Store. Lookups of absent records return
// ErrNotFound; per-height lists of a height with none return an empty list.
type Reader interface {
	// Tip returns the last connected block; ErrNotFound on an empty index.
	Tip(ctx context.Context) (BlockRef, error)
	// BlockByNumber and BlockByHash return the block without its
	// transactions (TxHashes is set).
	BlockByNumber(ctx context.Context, height int64) (*src.Block, error)
	BlockByHash(ctx context.Context, hash common.Hash) (*src.Block, error)
	// TxLocation returns the block height and index of a transaction.
	TxLocation(ctx context.Context, hash common.Hash) (TxLocation, error)
	// Txs returns a block's transactions with their receipts (without logs),
	// in block order.
	Txs(ctx context.Context, height int64) ([]*TxRecord, error)
	// Logs returns a block's logs in log-index order.
	Logs(ctx context.Context, height int64) ([]*src.Log, error)
	// Traces returns a block's traces in the order the node listed them.
	Traces(ctx context.Context, height int64) ([]*src.Trace, error)
	// Tokens returns the token metadata read for contracts a block created.
	Tokens(ctx context.Context, height int64) ([]*src.Token, error)
	// Transfers returns a block's transfers in TransferID order.
	Transfers(ctx context.Context, height int64) ([]*Transfer, error)
	// AddressTransfers returns the transfers from or to a normalised
	// address with height >= fromHeight, in (TransferID, Dir) order, of one
	// asset ("" for all), at most limit of them (limit <= 0: all).
	AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]AddressTransfer, error)
	// BalanceFlows returns the in and out amounts of one asset at a
	// normalised address with height >= fromHeight, in (TransferID, Dir)
	// order, at most limit of them (limit <= 0: all).
	BalanceFlows(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]Flow, error)
	// Undo returns the undo entry of a height; ErrNotFound when pruned or
	// never written.
	Undo(ctx context.Context, height int64) ([]byte, error)
}

// Change is one block connected or disconnected. The backend applies, in
// this order: the Disconnect (every record of that block: the per-height
// records, its hash entry, its transactions' locations, its transfers'
// address and flow entries, its undo entry), PruneUndoBelow, then the
// Connect records (with their secondary entries and the undo entry), then
// sets the tip to Tip (Empty: no tip).
type Change struct {
	Disconnect *Disconnect
	// PruneUndoBelow deletes the undo entries of all heights below it (0: none).
	PruneUndoBelow int64
	Connect        *Records
	Tip            BlockRef
	Empty          bool
}

// Records are everything one block adds to the index.
type Records struct {
	Block     *src.Block // without Txs
	Txs       []*TxRecord
	Logs      []*src.Log
	Traces    []*src.Trace
	Tokens    []*src.Token
	Transfers []*Transfer
	// Undo is the undo entry of the block's height (encodeUndo).
	Undo []byte
}

// Height is the block's height.
func (r *Records) Height() int64 { return int64(r.Block.Number) }

// Disconnect names what a block added outside its per-height records, read
// back from its undo entry: the engine fills it, the backend deletes it.
type Disconnect struct {
	Block     BlockRef
	TxHashes  []common.Hash
	Transfers []*Transfer
}
