package bitcoin

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"slices"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
)

// PrevOutResolver finds previous outputs the index does not hold (they precede
// the ingest start), e.g. through a node's getrawtransaction. ok is false when
// it does not know the outpoint either.
type PrevOutResolver interface {
	PrevOut(ctx context.Context, op wire.OutPoint) (value int64, pkScript []byte, ok bool, err error)
}

// Config tunes the engine.
type Config struct {
	// UndoWindow is how many of the latest heights keep their undo entry, so
	// how deep a reorg can go; 0 keeps every height's.
	UndoWindow int64 `json:"undo_window"`
	// BatchBlocks is how many blocks one atomic commit holds at most.
	BatchBlocks int `json:"batch_blocks"`
	// BatchTxs ends a batch early once its blocks hold that many
	// transactions (0: no bound), so a batch of full blocks stays a few tens
	// of MB and a background commit overlaps the next blocks' work instead of
	// one huge commit at the end.
	BatchTxs int `json:"batch_txs"`
	// UTXOCache is how many unspent outputs of connected blocks the engine
	// keeps in memory, so inputs spending them need no store read (0: none).
	// An entry takes a few hundred bytes with the transaction data it holds.
	UTXOCache int `json:"utxo_cache"`
	// MaxPending bounds the blocks held aside (side branches and blocks whose
	// parent has not arrived yet).
	MaxPending int `json:"max_pending"`
}

// DefaultConfig keeps two days of undo data (288 blocks, deeper than any
// mainnet reorg since 2013) and commits every 100 blocks or 10,000
// transactions, whichever comes first, with up to 500,000 unspent outputs
// cached.
func DefaultConfig() Config {
	return Config{UndoWindow: 288, BatchBlocks: 100, BatchTxs: 10000, UTXOCache: 500_000, MaxPending: 10000}
}

// Engine connects and disconnects blocks on a Store. It is not safe for
// concurrent use; one engine writes one store.
type Engine struct {
	store    Store
	params   *chaincfg.Params
	cfg      Config
	resolver PrevOutResolver
	log      *slog.Logger

	v          *view
	pending    []Change
	pendingTxs int
	// done receives the result of the background commit in progress (nil
	// when none); err is a commit's failure, which stops the engine.
	done chan error
	err  error
	// side holds blocks not on the indexed chain: side branches, and blocks
	// whose parent has not arrived (blk files are out of order), by hash.
	// sideOps is what the store does not know of it yet: blocks to put,
	// and nil for blocks to delete; the next change pushed carries them.
	side    map[chainhash.Hash]*sideBlock
	sideOps map[chainhash.Hash]*SideBlock
}

type sideBlock struct {
	msg    *wire.MsgBlock
	height int64
}

// NewEngine opens an engine on store, resuming from its tip. resolver may be nil.
func NewEngine(ctx context.Context, store Store, params *chaincfg.Params, cfg Config, resolver PrevOutResolver, log *slog.Logger) (*Engine, error) {
	if cfg.BatchBlocks <= 0 {
		cfg.BatchBlocks = 1
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v, err := newView(ctx, store, cfg.UTXOCache)
	if err != nil {
		return nil, fmt.Errorf("read chain tip: %w", err)
	}
	e := &Engine{store: store, params: params, cfg: cfg, resolver: resolver, log: log, v: v,
		side: map[chainhash.Hash]*sideBlock{}, sideOps: map[chainhash.Hash]*SideBlock{}}
	held, err := store.SideBlocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("read blocks held aside: %w", err)
	}
	for _, sb := range held {
		e.side[sb.Hash] = &sideBlock{msg: sb.Msg, height: sb.Height}
	}
	return e, nil
}

// hold keeps a block aside, in memory and (with the next change) in the store.
func (e *Engine) hold(hash chainhash.Hash, sb *sideBlock) {
	e.side[hash] = sb
	e.sideOps[hash] = &SideBlock{Hash: hash, Height: sb.height, Msg: sb.msg}
}

// release forgets a block held aside.
func (e *Engine) release(hash chainhash.Hash) {
	delete(e.side, hash)
	e.sideOps[hash] = nil
}

// takeSideOps moves the pending side-block writes into c.
func (e *Engine) takeSideOps(c *Change) {
	for h, sb := range e.sideOps {
		if sb == nil {
			c.DeleteSide = append(c.DeleteSide, h)
		} else {
			c.PutSide = append(c.PutSide, sb)
		}
	}
	clear(e.sideOps)
}

// Tip returns the engine's tip, committed or not; ok is false on an empty index.
func (e *Engine) Tip() (BlockRef, bool) { return e.v.tip, e.v.hasTip }

// Flush commits the pending changes: when it returns without error the store
// holds every block the engine connected.
func (e *Engine) Flush(ctx context.Context) error {
	if err := e.wait(); err != nil {
		return err
	}
	if len(e.sideOps) > 0 {
		c := Change{Tip: e.v.tip, Empty: !e.v.hasTip}
		e.takeSideOps(&c)
		e.v.apply(&c)
		e.pending = append(e.pending, c)
	}
	if len(e.pending) == 0 {
		return nil
	}
	if err := e.store.Commit(ctx, e.pending); err != nil {
		e.err = fmt.Errorf("commit %d changes: %w", len(e.pending), err)
		return e.err
	}
	e.pending, e.pendingTxs = nil, 0
	e.v.reset()
	return nil
}

// ConcurrentStore is implemented by stores whose lookups may run while a
// Commit is in progress (in another goroutine) and see the store either
// before or after it. On such a store the engine commits a full batch in the
// background while it connects the next blocks, so the backend's encoding and
// writing overlaps with the engine's work (two cores do both).
type ConcurrentStore interface {
	Store
	ConcurrentCommit() bool
}

// commitAsync starts committing the pending batch in the background, once the
// previous background commit has finished.
func (e *Engine) commitAsync(ctx context.Context) error {
	if err := e.wait(); err != nil {
		return err
	}
	batch := e.pending
	e.pending, e.pendingTxs = nil, 0
	e.v.detach()
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

// wait waits for the background commit, if any. A failed commit leaves the
// engine's view ahead of the store, so its error sticks: the engine refuses
// further work and a new engine resumes from the store's tip.
func (e *Engine) wait() error {
	if e.err != nil {
		return e.err
	}
	if e.done == nil {
		return nil
	}
	err := <-e.done
	e.done = nil
	if err != nil {
		e.err = err
		return err
	}
	e.v.committed()
	return nil
}

func (e *Engine) push(ctx context.Context, c Change) error {
	if e.err != nil {
		return e.err
	}
	e.takeSideOps(&c)
	e.v.apply(&c)
	e.pending = append(e.pending, c)
	e.pendingTxs += len(c.PutTxs)
	if len(e.pending) < e.cfg.BatchBlocks && (e.cfg.BatchTxs <= 0 || e.pendingTxs < e.cfg.BatchTxs) {
		return nil
	}
	if cs, ok := e.store.(ConcurrentStore); ok && cs.ConcurrentCommit() {
		return e.commitAsync(ctx)
	}
	return e.Flush(ctx)
}

// Add takes the next block from a source (height -1 when the source does not
// know it) and does what the chain needs: connect it on the tip, hold it aside
// until its branch holds the most work (then reorganise onto it), or start the
// index with it. The first block of an empty index is placed at height (or
// the height its coinbase states under BIP34, or 0 for the network's genesis
// block, 1 for a child of it). A block already indexed is skipped.
func (e *Engine) Add(ctx context.Context, msg *wire.MsgBlock, height int64) error {
	hash := msg.BlockHash()
	if _, ok, err := e.v.blockByHash(ctx, hash); err != nil || ok {
		return err
	}
	if !e.v.hasTip {
		h, err := e.startHeight(msg, hash, height)
		if err != nil {
			return err
		}
		return e.connectChain(ctx, []*wire.MsgBlock{msg}, h)
	}
	if msg.Header.PrevBlock == e.v.tip.Hash {
		if err := e.Connect(ctx, msg, e.v.tip.Height+1); err != nil {
			return err
		}
		if len(e.side) == 0 {
			return nil
		}
		e.pruneSide()
		return e.adoptChildren(ctx)
	}
	if len(e.side) >= e.cfg.MaxPending && e.cfg.MaxPending > 0 {
		return fmt.Errorf("block %s: %w: %d blocks already held aside", hash, ErrOrphan, len(e.side))
	}
	sb := &sideBlock{msg: msg, height: -1}
	if parent, ok, err := e.v.blockByHash(ctx, msg.Header.PrevBlock); err != nil {
		return err
	} else if ok {
		sb.height = parent.Height + 1
	} else if p, ok := e.side[msg.Header.PrevBlock]; ok && p.height >= 0 {
		sb.height = p.height + 1
	}
	e.hold(hash, sb)
	if err := e.adoptChildren(ctx); err != nil {
		return err
	}
	e.pruneSide()
	return nil
}

// pruneSide forgets held blocks at heights a reorg can no longer reach (below
// the undo window), so stale branches do not pile up.
func (e *Engine) pruneSide() {
	if e.cfg.UndoWindow <= 0 {
		return
	}
	floor := e.v.tip.Height - e.cfg.UndoWindow
	for h, sb := range e.side {
		if sb.height >= 0 && sb.height <= floor {
			e.release(h)
		}
	}
}

// startHeight places the first block of an empty index.
func (e *Engine) startHeight(msg *wire.MsgBlock, hash chainhash.Hash, height int64) (int64, error) {
	switch {
	case height >= 0:
		return height, nil
	case hash == *e.params.GenesisHash:
		return 0, nil
	case msg.Header.PrevBlock == *e.params.GenesisHash:
		return 1, nil
	}
	if h, ok := srcbtc.CoinbaseHeight(msg); ok {
		return h, nil
	}
	return 0, fmt.Errorf("block %s: %w: no height given and none in its coinbase", hash, ErrOrphan)
}

// adoptChildren connects held blocks that now extend the tip, and reorganises
// onto a held branch that has come to hold more work than the indexed chain.
func (e *Engine) adoptChildren(ctx context.Context) error {
	for {
		branch, forkHeight, err := e.heaviestSideBranch(ctx)
		if err != nil || branch == nil {
			return err
		}
		if err := e.reorganize(ctx, forkHeight, branch); err != nil {
			return err
		}
	}
}

// heaviestSideBranch returns the held branch (oldest block first) with the
// most proof of work among those that fork from the indexed chain and hold
// more work than the indexed blocks above their fork, if any: the chain with
// the most cumulative work wins, as in Bitcoin Core, not the longest (on
// testnet a few blocks at full difficulty outweigh many at the minimum). On
// equal work the indexed chain stays: the first seen wins ties. Work is
// btcd's blockchain.CalcWork of each header's bits; the engine does not check
// that a header meets its target (sources are trusted nodes and files).
func (e *Engine) heaviestSideBranch(ctx context.Context) ([]*wire.MsgBlock, int64, error) {
	var (
		best     []*wire.MsgBlock
		bestFork int64
		bestGain *big.Int // branch work minus the indexed work it replaces
	)
	above := e.workAbove(ctx)
	for hash := range e.side {
		if e.hasSideChild(hash) {
			continue // only branch ends
		}
		branch := []*wire.MsgBlock{}
		work := new(big.Int)
		cur := hash
		for {
			sb, ok := e.side[cur]
			if !ok {
				break
			}
			branch = append(branch, sb.msg)
			work.Add(work, blockchain.CalcWork(sb.msg.Header.Bits))
			cur = sb.msg.Header.PrevBlock
		}
		parent, ok, err := e.v.blockByHash(ctx, cur)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			continue // its parent has not arrived
		}
		replaced, err := above(parent.Height)
		if err != nil {
			return nil, 0, err
		}
		gain := new(big.Int).Sub(work, replaced)
		if gain.Sign() > 0 && (bestGain == nil || gain.Cmp(bestGain) > 0) {
			best, bestFork, bestGain = branch, parent.Height, gain
		}
	}
	slices.Reverse(best)
	return best, bestFork, nil
}

// workAbove returns a function giving the work of the indexed blocks above a
// height, reading each block record at most once per call.
func (e *Engine) workAbove(ctx context.Context) func(height int64) (*big.Int, error) {
	tip := e.v.tip.Height
	acc := []*big.Int{new(big.Int)} // acc[k]: work of the k blocks at the top
	return func(height int64) (*big.Int, error) {
		if height < -1 || height > tip {
			return nil, fmt.Errorf("work above %d: outside the index (tip %d)", height, tip)
		}
		for k := int64(len(acc)); k <= tip-height; k++ {
			b, ok, err := e.v.blockByHeight(ctx, tip-k+1)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("work above %d: block %d: %w", height, tip-k+1, ErrCorrupt)
			}
			acc = append(acc, new(big.Int).Add(acc[k-1], blockchain.CalcWork(b.Bits)))
		}
		return acc[tip-height], nil
	}
}

func (e *Engine) hasSideChild(hash chainhash.Hash) bool {
	for _, sb := range e.side {
		if sb.msg.Header.PrevBlock == hash {
			return true
		}
	}
	return false
}

// reorganize disconnects down to forkHeight and connects branch; the blocks
// disconnected are held aside in case their branch wins again.
func (e *Engine) reorganize(ctx context.Context, forkHeight int64, branch []*wire.MsgBlock) error {
	if depth := e.v.tip.Height - forkHeight; depth > 0 {
		e.log.Info("reorganizing", "fork_height", forkHeight, "depth", depth, "new_blocks", len(branch))
	}
	for e.v.tip.Height > forkHeight {
		if err := e.Disconnect(ctx); err != nil {
			return err
		}
	}
	for _, m := range branch {
		e.release(m.BlockHash())
	}
	return e.connectChain(ctx, branch, forkHeight+1)
}

func (e *Engine) connectChain(ctx context.Context, blocks []*wire.MsgBlock, height int64) error {
	for i, m := range blocks {
		if err := e.Connect(ctx, m, height+int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// Disconnect removes the tip block using its undo entry; the block is held
// aside so a later reorg back onto it needs no source.
func (e *Engine) Disconnect(ctx context.Context) error {
	if !e.v.hasTip {
		return fmt.Errorf("disconnect: %w: the index is empty", ErrNotFound)
	}
	c, msg, err := e.disconnectChange(ctx, e.v.tip)
	if err != nil {
		return err
	}
	if msg != nil {
		e.hold(e.v.tip.Hash, &sideBlock{msg: msg, height: e.v.tip.Height})
	}
	return e.push(ctx, c)
}

// Knows reports whether the engine has the block: indexed or held aside.
func (e *Engine) Knows(ctx context.Context, hash chainhash.Hash) (bool, error) {
	if _, ok := e.side[hash]; ok {
		return true, nil
	}
	_, ok, err := e.v.blockByHash(ctx, hash)
	return ok, err
}

// SetResolver sets the resolver of previous outputs the index lacks (nil: none).
func (e *Engine) SetResolver(r PrevOutResolver) { e.resolver = r }
