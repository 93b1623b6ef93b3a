package ethereum

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// Config tunes the engine.
type Config struct {
	// UndoWindow is how many of the latest heights keep their undo entry,
	// so how deep a reorg can go; 0 keeps every height's.
	UndoWindow int64 `json:"undo_window"`
	// BatchBlocks is how many blocks one atomic commit holds at most.
	BatchBlocks int `json:"batch_blocks"`
	// BatchTransfers ends a batch early once its blocks hold that many
	// transfers (0: no bound).
	BatchTransfers int `json:"batch_transfers"`
}

// DefaultConfig keeps the undo entries of the last 128 heights (a post-merge
// chain finalizes within two epochs, 64 blocks; pre-merge reorgs deeper than
// a few blocks were unheard of) and commits every 100 blocks or 50,000
// transfers, whichever comes first.
func DefaultConfig() Config {
	return Config{UndoWindow: 128, BatchBlocks: 100, BatchTransfers: 50_000}
}

// Engine connects and disconnects blocks on a Store. It is not safe for
// concurrent use; one engine writes one store.
type Engine struct {
	store Store
	cfg   Config
	log   *slog.Logger

	tip     BlockRef
	hasTip  bool
	pending []Change
	// pendingTransfers counts the transfers in pending.
	pendingTransfers int
	// err is a failed commit: the engine's tip is then ahead of the store,
	// so it refuses further work and a new engine resumes from the store.
	err error
	// done receives the result of the background commit in progress (nil
	// when none); inflight is its batch, which HashAt still consults.
	done     chan error
	inflight []Change
}

// ConcurrentStore is implemented by stores whose Commit may run in another
// goroutine while the engine derives the next blocks (it reads nothing from
// the store for that). On such a store a full batch commits in the
// background, so encoding and writing overlap decoding and derivation.
type ConcurrentStore interface {
	Store
	ConcurrentCommit() bool
}

// NewEngine opens an engine on store, resuming from its tip.
func NewEngine(ctx context.Context, store Store, cfg Config, log *slog.Logger) (*Engine, error) {
	if cfg.BatchBlocks <= 0 {
		cfg.BatchBlocks = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{store: store, cfg: cfg, log: log}
	tip, err := store.Tip(ctx)
	switch {
	case err == nil:
		e.tip, e.hasTip = tip, true
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("read chain tip: %w", err)
	}
	return e, nil
}

// Tip returns the engine's tip, committed or not; ok is false on an empty
// index.
func (e *Engine) Tip() (BlockRef, bool) { return e.tip, e.hasTip }

// Flush commits the pending changes: when it returns without error the
// store holds every block the engine connected.
func (e *Engine) Flush(ctx context.Context) error {
	if err := e.wait(); err != nil {
		return err
	}
	if len(e.pending) == 0 {
		return nil
	}
	if err := e.store.Commit(ctx, e.pending); err != nil {
		e.err = fmt.Errorf("commit %d changes: %w", len(e.pending), err)
		return e.err
	}
	e.pending, e.pendingTransfers = nil, 0
	return nil
}

func (e *Engine) push(ctx context.Context, c Change) error {
	e.pending = append(e.pending, c)
	if c.Connect != nil {
		e.pendingTransfers += len(c.Connect.Transfers)
	}
	if len(e.pending) < e.cfg.BatchBlocks && (e.cfg.BatchTransfers <= 0 || e.pendingTransfers < e.cfg.BatchTransfers) {
		return nil
	}
	if cs, ok := e.store.(ConcurrentStore); ok && cs.ConcurrentCommit() {
		return e.commitAsync(ctx)
	}
	return e.Flush(ctx)
}

// commitAsync starts committing the pending batch in the background, once
// the previous one has finished.
func (e *Engine) commitAsync(ctx context.Context) error {
	if err := e.wait(); err != nil {
		return err
	}
	batch := e.pending
	e.pending, e.pendingTransfers, e.inflight = nil, 0, batch
	done := make(chan error, 1)
	e.done = done
	go func() {
		err := e.store.Commit(ctx, batch)
		if err != nil {
			err = fmt.Errorf("commit %d changes: %w", len(batch), err)
		}
		done <- err
	}()
	return nil
}

// wait waits for the background commit, if any; a failed commit's error
// sticks (see err).
func (e *Engine) wait() error {
	if e.err != nil {
		return e.err
	}
	if e.done == nil {
		return nil
	}
	err := <-e.done
	e.done, e.inflight = nil, nil
	if err != nil {
		e.err = err
	}
	return err
}

// Connect adds a block on the tip (or starts an empty index with it) and
// returns how many transfers it held. Its parent must be the tip.
func (e *Engine) Connect(ctx context.Context, bd *BlockData) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	b := bd.Block
	if b == nil {
		return 0, fmt.Errorf("connect: %w: no block", ErrBadBlock)
	}
	if e.hasTip && (int64(b.Number) != e.tip.Height+1 || b.ParentHash != e.tip.Hash) {
		return 0, fmt.Errorf("connect block %d %s: %w: parent %s, tip %d %s", b.Number, b.Hash, ErrNotTip, b.ParentHash, e.tip.Height, e.tip.Hash)
	}
	recs, err := BuildRecords(bd)
	if err != nil {
		return 0, err
	}
	ref := BlockRef{Height: int64(b.Number), Hash: b.Hash}
	c := Change{Connect: recs, Tip: ref}
	if w := e.cfg.UndoWindow; w > 0 && ref.Height-w+1 > 0 {
		c.PruneUndoBelow = ref.Height - w + 1
	}
	e.tip, e.hasTip = ref, true
	return len(recs.Transfers), e.push(ctx, c)
}

// BuildRecords derives everything a block adds to the index.
func BuildRecords(bd *BlockData) (*Records, error) {
	b := bd.Block
	if b.Txs == nil && len(b.TxHashes) > 0 {
		return nil, fmt.Errorf("block %d: %w: fetched without its transactions", b.Number, ErrBadBlock)
	}
	transfers, err := Transfers(bd)
	if err != nil {
		return nil, err
	}
	blk := *b
	blk.Txs = nil
	blk.TxHashes = make([]common.Hash, len(b.Txs))
	r := &Records{Block: &blk, Traces: bd.Traces, Tokens: bd.Tokens, Transfers: transfers}
	u := undoData{parent: b.ParentHash, transfers: transfers}
	for i, tx := range b.Txs {
		blk.TxHashes[i] = tx.Hash
		r.Txs = append(r.Txs, &TxRecord{Tx: tx, Receipt: bd.Receipts[i]})
		r.Logs = append(r.Logs, bd.Receipts[i].Logs...)
		u.txHashes = append(u.txHashes, tx.Hash)
	}
	slices.SortStableFunc(r.Logs, func(a, b *src.Log) int { return cmp.Compare(a.Index, b.Index) })
	r.Undo = u.encode()
	return r, nil
}

// Disconnect removes the tip block using its undo entry, committing at once
// (with whatever was pending before it).
func (e *Engine) Disconnect(ctx context.Context) error {
	if !e.hasTip {
		return fmt.Errorf("disconnect: %w: the index is empty", ErrNotFound)
	}
	if err := e.Flush(ctx); err != nil {
		return err
	}
	tip := e.tip
	v, err := e.store.Undo(ctx, tip.Height)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("disconnect block %d: %w", tip.Height, ErrUndoPruned)
	}
	if err != nil {
		return fmt.Errorf("disconnect block %d: %w", tip.Height, err)
	}
	u, err := decodeUndo(tip.Height, v)
	if err != nil {
		return fmt.Errorf("disconnect block %d: %w", tip.Height, err)
	}
	c := Change{Disconnect: &Disconnect{Block: tip, TxHashes: u.txHashes, Transfers: u.transfers},
		Tip: BlockRef{Height: tip.Height - 1, Hash: u.parent}}
	if _, err := e.store.BlockByNumber(ctx, tip.Height-1); errors.Is(err, ErrNotFound) {
		c.Tip, c.Empty = BlockRef{}, true
	} else if err != nil {
		return fmt.Errorf("disconnect block %d: %w", tip.Height, err)
	}
	e.log.Info("disconnecting block", "height", tip.Height, "hash", tip.Hash.String())
	e.pending = append(e.pending, c)
	if err := e.Flush(ctx); err != nil {
		return err
	}
	e.tip, e.hasTip = c.Tip, !c.Empty
	return nil
}

// HashAt returns the hash of the indexed block at height (pending blocks
// included).
func (e *Engine) HashAt(ctx context.Context, height int64) (common.Hash, error) {
	for _, batch := range [][]Change{e.pending, e.inflight} {
		for i := len(batch) - 1; i >= 0; i-- {
			if r := batch[i].Connect; r != nil && r.Height() == height {
				return r.Block.Hash, nil
			}
		}
	}
	b, err := e.store.BlockByNumber(ctx, height)
	if err != nil {
		return common.Hash{}, err
	}
	return b.Hash, nil
}
