package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/ethereum"
)

// Config tunes the engine.
type Config struct {
	// KeepSpent is how many heights spent taint rows and processed block
	// hashes are kept below the cursor: the deepest reorg the engine undoes.
	KeepSpent int64
	// MaxTraceNodes is the node budget of a retro trace.
	MaxTraceNodes int
}

// DefaultConfig keeps two days of Bitcoin blocks for reorgs.
func DefaultConfig() Config { return Config{KeepSpent: 288, MaxTraceNodes: 200_000} }

// Deps are what the engine reads and writes. BTC or ETH may be nil: that
// chain is not watched.
type Deps struct {
	Store     Store
	Flags     FlagSource
	BTC       bitcoin.ChainReader
	BTCParams *chaincfg.Params
	ETH       ethereum.Reader
	// Hasher matches hashed watch entries (nil: they never match).
	Hasher *Hasher
	// Tags are the address tags the stop rule reads (Settings.
	// StopCategories); nil: taint is never stopped at tagged services.
	Tags trace.Tagger
	Log  *slog.Logger
	// OnAlerts, if set, is called with each commit's alerts once the commit
	// is durable (a block's, or a retro trace's). Delivery needs none: the
	// state stores queue the alerts in the delivery log inside the commit
	// (CommitWatchBlock). An error stops the catch-up; the alerts stay
	// stored.
	OnAlerts func(ctx context.Context, alerts []Alert) error
}

// Engine is the alert engine. One engine per process; CatchUp is not safe
// for concurrent use with itself.
type Engine struct {
	d          Deps
	cfg        Config
	now        func() time.Time
	flagCache  map[string]*flagMaps   // by chain, for a Versioned flag source
	watchCache map[string]*watchCache // by chain, for a WatchlistVersioned store
}

// NewEngine returns an engine.
func NewEngine(d Deps, cfg Config) (*Engine, error) {
	if d.Store == nil || d.Flags == nil {
		return nil, errors.New("watch: engine needs a store and a flag source")
	}
	if d.BTC != nil && d.BTCParams == nil {
		d.BTCParams = &chaincfg.MainNetParams
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.KeepSpent <= 0 {
		cfg.KeepSpent = DefaultConfig().KeepSpent
	}
	if cfg.MaxTraceNodes <= 0 {
		cfg.MaxTraceNodes = DefaultConfig().MaxTraceNodes
	}
	return &Engine{d: d, cfg: cfg, now: func() time.Time { return time.Now().UTC() }, flagCache: map[string]*flagMaps{},
		watchCache: map[string]*watchCache{}}, nil
}

// Report says what one CatchUp of a chain did.
type Report struct {
	Chain    string `json:"chain"`
	Blocks   int    `json:"blocks"`
	Alerts   int    `json:"alerts"`
	Retro    int    `json:"retro_flags"`
	Orphaned int    `json:"orphaned"`
	Cursor   Cursor `json:"cursor"`
}

// CatchUp processes, on every chain the engine reads, the blocks the index
// has and the engine has not, then traces the flags it has not evaluated.
func (e *Engine) CatchUp(ctx context.Context) ([]Report, error) {
	var out []Report
	for _, c := range []string{BTC, ETH} {
		if !e.has(c) {
			continue
		}
		r, err := e.CatchUpChain(ctx, c)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (e *Engine) has(c string) bool {
	return (c == BTC && e.d.BTC != nil) || (c == ETH && e.d.ETH != nil)
}

// CatchUpChain is CatchUp for one chain.
func (e *Engine) CatchUpChain(ctx context.Context, c string) (Report, error) {
	rep := Report{Chain: c}
	if !e.has(c) {
		return rep, fmt.Errorf("%w: the engine reads no %s index", ErrInvalid, c)
	}
	ix := e.index(c)
	tip, ok, err := ix.tip(ctx)
	if err != nil || !ok {
		return rep, err
	}
	cur, err := e.d.Store.WatchCursor(ctx, c)
	switch {
	case errors.Is(err, ErrNotFound):
		// Nothing evaluated yet: every flag will be traced over the
		// index as it is, so the blocks below the tip need no replay.
		cur = tip
		if err := e.d.Store.CommitWatchBlock(ctx, BlockCommit{Chain: c, Cursor: tip}); err != nil {
			return rep, err
		}
	case err != nil:
		return rep, err
	}
	if cur, rep.Orphaned, err = e.reorg(ctx, c, ix, cur); err != nil {
		return rep, err
	}
	s, err := e.load(ctx, c)
	if err != nil {
		return rep, err
	}
	for h := cur.Height + 1; h <= tip.Height; h++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		bc, n, err := ix.block(ctx, s, h)
		if err != nil {
			return rep, fmt.Errorf("watch %s block %d: %w", c, h, err)
		}
		if h-e.cfg.KeepSpent > 0 {
			bc.PruneBelow = h - e.cfg.KeepSpent
		}
		if err := e.d.Store.CommitWatchBlock(ctx, bc); err != nil {
			return rep, fmt.Errorf("watch %s block %d: %w", c, h, err)
		}
		if err := e.published(ctx, bc.Alerts); err != nil {
			return rep, err
		}
		cur = bc.Cursor
		rep.Blocks++
		rep.Alerts += n
		if n > 0 {
			e.d.Log.Info("watch alerts", "chain", c, "height", h, "alerts", n)
		}
	}
	rep.Cursor = cur
	// Retro traces only over an index that ends at the cursor, so the
	// frontier they leave is exactly what the next block continues from.
	if now, ok, err := ix.tip(ctx); err != nil || !ok || now != cur {
		return rep, err
	}
	for _, id := range s.unevaluated() {
		n, err := e.retro(ctx, c, ix, s, id, cur)
		if err != nil {
			return rep, fmt.Errorf("watch %s: retro trace of flag %s: %w", c, id, err)
		}
		rep.Retro++
		rep.Alerts += n
	}
	return rep, nil
}

// reorg rewinds the engine to the last height whose processed block is
// still in the index.
func (e *Engine) reorg(ctx context.Context, c string, ix chainIndex, cur Cursor) (Cursor, int, error) {
	h, ok, err := ix.hashAt(ctx, cur.Height)
	if err != nil || (ok && h == cur.Hash) {
		return cur, 0, err
	}
	seen, err := e.d.Store.WatchBlocks(ctx, c, cur.Height-e.cfg.KeepSpent)
	if err != nil {
		return cur, 0, err
	}
	slices.SortFunc(seen, func(a, b Cursor) int { return int(b.Height - a.Height) })
	for _, b := range seen {
		h, ok, err := ix.hashAt(ctx, b.Height)
		if err != nil {
			return cur, 0, err
		}
		if ok && h == b.Hash {
			n, err := e.d.Store.RewindWatch(ctx, c, b.Height, b)
			if err != nil {
				return cur, 0, err
			}
			e.d.Log.Warn("watch reorg: rewound", "chain", c, "from_height", cur.Height, "to_height", b.Height, "orphaned_alerts", n)
			return b, n, nil
		}
	}
	return cur, 0, fmt.Errorf("watch %s: reorg below the %d heights kept (cursor %d %s)", c, e.cfg.KeepSpent, cur.Height, cur.Hash)
}

// chainIndex is one chain's side of the engine.
type chainIndex interface {
	tip(ctx context.Context) (Cursor, bool, error)
	hashAt(ctx context.Context, h int64) (string, bool, error)
	// block processes height h over s and returns its commit and the
	// number of alerts in it.
	block(ctx context.Context, s *state, h int64) (BlockCommit, int, error)
	// trace runs a retro trace of starts.
	trace(ctx context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error)
	// exists reports whether a start is in the index.
	exists(ctx context.Context, st trace.Start) (bool, error)
}

func (e *Engine) index(c string) chainIndex {
	if c == BTC {
		return &btcIndex{e: e, r: e.d.BTC}
	}
	return &ethIndex{e: e, r: e.d.ETH}
}

// traceConfig is the retro trace of the member's settings: forward,
// stopping at tagged services as the block-by-block engine does, a large
// budget.
func (e *Engine) traceConfig(s *state) trace.Config {
	cfg := trace.DefaultConfig()
	cfg.Model, cfg.Direction, cfg.MaxHops = s.settings.Model, trace.Forward, s.settings.MaxHops
	cfg.MinAmount = s.settings.MinAmount
	if cfg.MinAmount != nil && cfg.MinAmount.Sign() == 0 {
		cfg.MinAmount = nil
	}
	cfg.StopCategories, cfg.MinConfidence = nil, s.settings.MinConfidence
	if e.d.Tags != nil {
		cfg.StopCategories = slices.Clone(s.settings.StopCategories)
	}
	cfg.MaxNodes, cfg.MaxHistory = e.cfg.MaxTraceNodes, e.cfg.MaxTraceNodes
	return cfg
}

// floor rounds a taint amount down to whole units.
func floor(r *big.Rat) *big.Int {
	if r == nil {
		return new(big.Int)
	}
	return new(big.Int).Quo(r.Num(), r.Denom())
}

// TaintedAddresses returns the addresses newly tainted at a height of a
// chain (the hub's per-block filter is built from them).
func (e *Engine) TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error) {
	return e.d.Store.TaintedAddresses(ctx, chain, height)
}

// published hands committed alerts to OnAlerts.
func (e *Engine) published(ctx context.Context, alerts []Alert) error {
	if e.d.OnAlerts == nil || len(alerts) == 0 {
		return nil
	}
	if err := e.d.OnAlerts(ctx, alerts); err != nil {
		return fmt.Errorf("watch: publish alerts: %w", err)
	}
	return nil
}
