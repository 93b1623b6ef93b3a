package ethereum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Node is what Sync reads a node through.
type Node interface {
	// Head returns the number of the node's latest block.
	Head(ctx context.Context) (int64, error)
	// BlockHash returns the hash of the node's block at height (ErrNotFound
	// when the node has none there).
	BlockHash(ctx context.Context, height int64) (common.Hash, error)
	// Block returns everything the engine needs of the node's block at
	// height.
	Block(ctx context.Context, height int64) (*BlockData, error)
}

// SyncOptions say which blocks Sync indexes.
type SyncOptions struct {
	// From is the first height of an empty index (a resumed index goes on
	// from its tip).
	From int64
	// To is the last height (< 0: none).
	To int64
	// Confirmations keeps that many of the node's latest blocks out of the
	// index: only blocks with that many descendants are connected, so the
	// shallow reorgs of the head never reach it.
	Confirmations int64
	// Follow keeps polling the node for new blocks every Poll until ctx
	// ends (or To is reached).
	Follow bool
	Poll   time.Duration
	// OnBlock, if set, is called after each block is connected with its
	// number of transactions and transfers.
	OnBlock func(txs, transfers int)
}

// Sync connects the node's blocks from the index's tip (or From) up to its
// head less Confirmations (or To), and with Follow keeps doing so as the
// node grows. A block whose parent is not the tip means the node
// reorganised: Sync disconnects the tip until the index's block at the tip
// height is the node's, then connects the node's branch. Every block is
// committed when Sync returns, error or not (a failed commit aside).
func Sync(ctx context.Context, e *Engine, s Node, o SyncOptions) (err error) {
	defer func() { err = errors.Join(err, e.Flush(context.WithoutCancel(ctx))) }()
	if tip, ok := e.Tip(); ok && o.From > tip.Height+1 {
		return fmt.Errorf("from %d: the index ends at %d; a gap is not allowed", o.From, tip.Height)
	}
	for {
		done, err := syncOnce(ctx, e, s, o)
		if o.Follow && ctx.Err() != nil {
			// Stopping is how a follower ends: what it connected is
			// committed by the deferred flush, whatever call was cut.
			return nil
		}
		if err != nil || done || !o.Follow {
			return err
		}
		if err := e.Flush(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.Poll):
		}
	}
}

// syncOnce indexes up to the node's current confirmed head; done is true
// when To was reached.
func syncOnce(ctx context.Context, e *Engine, s Node, o SyncOptions) (done bool, err error) {
	// A bounded range of a one-off ingest needs no head: the node
	// answers a block it lacks with an error.
	target := o.To
	if o.Follow || o.To < 0 {
		head, err := s.Head(ctx)
		if err != nil {
			return false, fmt.Errorf("node head: %w", err)
		}
		target = head - max(o.Confirmations, 0)
	}
	if o.To >= 0 && target >= o.To {
		target, done = o.To, true
	}
	for {
		tip, ok := e.Tip()
		next := o.From
		if ok {
			next = tip.Height + 1
		}
		if next > target {
			return done, nil
		}
		if err := ctx.Err(); err != nil {
			return false, nil
		}
		bd, err := s.Block(ctx, next)
		if err != nil {
			return false, fmt.Errorf("block %d: %w", next, err)
		}
		if ok && bd.Block.ParentHash != tip.Hash {
			if err := rewind(ctx, e, s); err != nil {
				return false, err
			}
			continue
		}
		n, err := e.Connect(ctx, bd)
		if err != nil {
			return false, err
		}
		if o.OnBlock != nil {
			o.OnBlock(len(bd.Block.Txs), n)
		}
	}
}

// rewind disconnects the tip until the index's tip block is the node's
// block at that height (the fork point).
func rewind(ctx context.Context, e *Engine, s Node) error {
	for {
		tip, ok := e.Tip()
		if !ok {
			return nil
		}
		h, err := s.BlockHash(ctx, tip.Height)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("node block %d: %w", tip.Height, err)
		}
		if err == nil && h == tip.Hash {
			return nil
		}
		if err := e.Disconnect(ctx); err != nil {
			return fmt.Errorf("reorg: %w", err)
		}
	}
}
