package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/index/bitcoin"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/postgres"
)

func newIngestCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Ingest a blockchain into the chain index",
		Args:  withArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newIngestBTCCmd(g))
	cmd.AddCommand(newIngestETHCmd(g))
	return cmd
}

type ingestBTCFlags struct {
	sources        []string
	network, chain string
	from, to       int64
	follow         bool
	poll           time.Duration
	batch          int
	batchTxs       int
	utxoCache      int
	undoWindow     int64
	digest         bool
	// committed, if set, is called while following each time the index
	// has caught up with the node and committed (the alert engine runs).
	committed func(context.Context)
}

func newIngestBTCCmd(g *globals) *cobra.Command {
	f := &ingestBTCFlags{}
	cmd := &cobra.Command{
		Use:   "btc --source file:PATH|blkdir:DIR|rpc:URL [--network N] [--from H] [--to H]",
		Short: "Ingest Bitcoin blocks into the chain index (resumes from its tip; reorg-safe)",
		Long: `Ingest Bitcoin blocks into the chain index. A run resumes from the index's
last committed block; blocks already indexed are skipped, and a side branch
that comes to hold more work than the indexed chain is reorganised onto
(blocks held aside are kept in the index between runs, so a branch may
arrive over several runs). --digest prints the SHA-256 of the whole index
(after ingesting, or alone without --source).

--follow keeps tailing the last --source, which must be rpc:URL: once caught
up with the node's tip it commits, then asks getblockcount every --poll and
ingests each new block as it comes (a node that reorganises onto a longer
branch is followed onto it). A node that stops answering is waited for, with
a back-off from --poll up to 5 minutes. Interrupt (Ctrl-C, SIGTERM) to stop:
the blocks ingested so far are committed and the exit code is 0.

--network testnet4 selects BIP94's testnet4; testnet is testnet3.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runIngestBTC(cmd.Context(), g, f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.sources, "source", nil, "block source: file:PATH (raw block, binary or hex, or framed blk file), blkdir:DIR or rpc:URL; repeat to read several in order")
	fl.StringVar(&f.network, "network", "mainnet", "network: mainnet, testnet (testnet3), testnet4, signet or regtest")
	fl.StringVar(&f.chain, "chain", "", "chain store: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain)")
	fl.Int64Var(&f.from, "from", -1, "first height (blkdir:, rpc:; for file: the height of a first block that states none)")
	fl.Int64Var(&f.to, "to", -1, "last height (default: the end of the source)")
	fl.BoolVar(&f.follow, "follow", false, "keep tailing the node for new blocks until interrupted (the last --source, rpc:URL)")
	fl.DurationVar(&f.poll, "poll", 10*time.Second, "how often --follow asks the node for new blocks")
	def := bitcoin.DefaultConfig()
	fl.IntVar(&f.batch, "batch", def.BatchBlocks, "blocks per atomic commit")
	fl.IntVar(&f.batchTxs, "batch-txs", def.BatchTxs, "also end a commit once its blocks hold this many transactions (0: no bound)")
	fl.IntVar(&f.utxoCache, "utxo-cache", def.UTXOCache, "unspent outputs kept in memory so inputs spending them need no store read (0: none; ~300 B each)")
	fl.Int64Var(&f.undoWindow, "undo-window", def.UndoWindow, "heights that keep undo data (the deepest reorg); 0 keeps all")
	fl.BoolVar(&f.digest, "digest", false, "print the digest of the whole index")
	return cmd
}

// openChainStore opens the --chain store.
func openChainStore(ctx context.Context, g *globals, url string, log *slog.Logger) (bitcoin.Store, error) {
	switch {
	case url == "":
		dir := filepath.Join(g.dataDir, "chain")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		return pebble.Open(dir)
	case strings.HasPrefix(url, "pebble://"):
		return pebble.Open(strings.TrimPrefix(url, "pebble://"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.OpenChain(ctx, url, log)
	}
	return nil, usageError{fmt.Errorf("--chain must be pebble://DIR or postgres://..., not %q", url)}
}

func runIngestBTC(ctx context.Context, g *globals, f *ingestBTCFlags) error {
	log := g.logger()
	params, err := srcbtc.Params(f.network)
	if err != nil {
		return usageError{err}
	}
	if len(f.sources) == 0 && !f.digest {
		return usageError{errors.New("--source is required")}
	}
	if f.poll <= 0 {
		return usageError{fmt.Errorf("--poll must be positive, not %s", f.poll)}
	}
	if f.batch <= 0 || f.batchTxs < 0 || f.utxoCache < 0 || f.undoWindow < 0 {
		return usageError{fmt.Errorf("--batch must be positive, --batch-txs, --utxo-cache and --undo-window not negative (got %d, %d, %d, %d)",
			f.batch, f.batchTxs, f.utxoCache, f.undoWindow)}
	}
	if f.follow && (len(f.sources) == 0 || !strings.HasPrefix(f.sources[len(f.sources)-1], "rpc:")) {
		return usageError{errors.New("--follow needs an rpc:URL source (the last --source)")}
	}
	store, err := openChainStore(ctx, g, f.chain, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(f.sources) > 0 {
		if f.follow {
			w := newFollowWatcher(g, store, params, nil, log)
			defer w.close()
			f.committed = w.run
		}
		if err := ingestBTC(ctx, f, params, store, log); err != nil {
			return err
		}
		watchAfterIngest(ctx, g, store, params, nil, log)
	}
	if f.digest {
		dctx := ctx
		if f.follow {
			dctx = context.WithoutCancel(ctx) // an interrupt is how following ends
		}
		d, err := store.Digest(dctx)
		if err != nil {
			return err
		}
		fmt.Printf("%x\n", d)
	}
	return nil
}

// ingestBTC reads the sources into the store. An interrupt (ctx cancelled)
// stops the sources, never a block half way: the engine works on a context
// that is not cancelled, so every block a source delivered is connected and
// committed before ingestBTC returns. A --follow run ends only so, and that
// is its success.
func ingestBTC(ctx context.Context, f *ingestBTCFlags, params *chaincfg.Params, store bitcoin.Store, log *slog.Logger) error {
	engCtx := context.WithoutCancel(ctx)
	cfg := bitcoin.DefaultConfig()
	cfg.BatchBlocks, cfg.BatchTxs, cfg.UTXOCache, cfg.UndoWindow = f.batch, f.batchTxs, f.utxoCache, f.undoWindow
	eng, err := bitcoin.NewEngine(engCtx, store, params, cfg, nil, log)
	if err != nil {
		return err
	}
	p := newIngestProgress(log)
	defer p.finish()
	// One engine for every source, so a side branch read from one file can
	// win over the chain read from an earlier one.
	var interrupted error
	for i, spec := range f.sources {
		follow := f.follow && i == len(f.sources)-1
		err := ingestSource(ctx, engCtx, f, spec, follow, params, eng, cfg, p, log)
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			interrupted = err
			break
		}
		if err != nil {
			return err
		}
	}
	if err := eng.Flush(engCtx); err != nil {
		return err
	}
	tip, _ := eng.Tip()
	if interrupted != nil {
		log.Info("ingest interrupted; every block read is committed", "tip_height", tip.Height, "tip_hash", tip.Hash.String(), "blocks", p.counts[0], "txs", p.counts[1])
		if f.follow {
			return nil
		}
		return fmt.Errorf("ingest interrupted at height %d: %w", tip.Height, interrupted)
	}
	log.Info("ingest done", "tip_height", tip.Height, "tip_hash", tip.Hash.String(), "blocks", p.counts[0], "txs", p.counts[1])
	return nil
}

// ingestSource reads one source into eng: ctx stops the source, engCtx
// (never cancelled) runs the engine.
func ingestSource(ctx, engCtx context.Context, f *ingestBTCFlags, spec string, follow bool, params *chaincfg.Params, eng *bitcoin.Engine, cfg bitcoin.Config, p *ingestProgress, log *slog.Logger) error {
	opt := srcbtc.Options{Params: params, From: max(f.from, 0), To: f.to, Follow: follow, PollInterval: f.poll, Logger: log}
	if follow {
		// Caught up with the node: commit, so the index is as current as
		// the node while the follower waits.
		opt.Idle = func(context.Context) error {
			if err := eng.Flush(engCtx); err != nil {
				return err
			}
			tip, _ := eng.Tip()
			p.caughtUp(tip)
			if f.committed != nil {
				f.committed(engCtx)
			}
			return nil
		}
	}
	if tip, ok := eng.Tip(); ok && f.from <= tip.Height {
		// Resume after the last committed block. A blk directory is re-read
		// over the undo window: it delivers the node's best chain only, so
		// a reorganised height shows as a block whose parent we lack, and
		// re-reading from below the fork lets the engine see the branch.
		opt.From = tip.Height + 1
		if strings.HasPrefix(spec, "blkdir:") {
			opt.From = max(tip.Height+1-min(cfg.UndoWindow, tip.Height+1), 0)
		}
	}
	src, err := srcbtc.Open(ctx, spec, opt)
	if err != nil {
		return err
	}
	defer src.Close()
	rpc, _ := src.(*srcbtc.RPCSource)
	if rpc != nil {
		eng.SetResolver(rpc.Client())
	}
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		h := b.Height
		if h < 0 && f.from >= 0 {
			if _, ok := eng.Tip(); !ok {
				h = f.from
			}
		}
		if f.to >= 0 && h > f.to {
			return nil
		}
		if rpc != nil {
			// The node reorganised: fetch the new branch's blocks we lack so
			// the engine can reorganise onto it.
			if err := addBranch(ctx, engCtx, eng, rpc.Client(), b.Msg, cfg.UndoWindow, follow, f.poll, p, log); err != nil {
				return err
			}
		}
		if err := eng.Add(engCtx, b.Msg, h); err != nil {
			return err
		}
		p.add(b.Msg, eng)
	}
}

// addBranch is addMissingParents that, when following, outlasts a node that
// stops answering, with the back-off the source uses between blocks.
func addBranch(ctx, engCtx context.Context, eng *bitcoin.Engine, c *srcbtc.Client, msg *wire.MsgBlock, depth int64, follow bool, poll time.Duration, p *ingestProgress, log *slog.Logger) error {
	wait := poll
	for {
		err := addMissingParents(ctx, engCtx, eng, c, msg, depth, p)
		if err == nil || !follow || !errors.Is(err, srcbtc.ErrUnavailable) || ctx.Err() != nil {
			return err
		}
		log.Warn("bitcoin rpc node unavailable while fetching a branch; trying again", "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, max(srcbtc.MaxFollowBackoff, poll))
	}
}

// addMissingParents adds, oldest first, the ancestors of msg that the engine
// does not know, fetched from the node (on ctx), going back at most depth
// blocks (the undo window; 0: unbounded). The engine runs on engCtx: an
// interrupt while fetching adds none of them.
func addMissingParents(ctx, engCtx context.Context, eng *bitcoin.Engine, c *srcbtc.Client, msg *wire.MsgBlock, depth int64, p *ingestProgress) error {
	if _, ok := eng.Tip(); !ok {
		return nil
	}
	var missing []*wire.MsgBlock
	prev := msg.Header.PrevBlock
	for depth <= 0 || int64(len(missing)) < depth {
		known, err := eng.Knows(engCtx, prev)
		if err != nil || known {
			break
		}
		b, err := c.Block(ctx, prev)
		if err != nil {
			return fmt.Errorf("fetch parent %s: %w", prev, err)
		}
		missing = append(missing, b.Msg)
		prev = b.Msg.Header.PrevBlock
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := eng.Add(engCtx, missing[i], -1); err != nil {
			return err
		}
		p.add(missing[i], eng)
	}
	return nil
}

// ingestProgress shows blocks/s and txs/s while catching up: a bar on a
// terminal, slog lines every 10 s otherwise. Once a follower has caught up
// with the node, rates over the whole run mean nothing (a block every ten
// minutes): it logs one line when it catches up and then one per block, with
// the block's height and hash, and nothing while it waits.
type ingestProgress struct {
	*meter
	log       *slog.Logger
	following bool
}

func newIngestProgress(log *slog.Logger) *ingestProgress {
	return &ingestProgress{meter: newMeter(log, "ingest", "blocks", "txs"), log: log}
}

// add counts a block the engine took; eng gives the tip it left.
func (p *ingestProgress) add(msg *wire.MsgBlock, eng *bitcoin.Engine) {
	if p.following {
		p.counts[0]++
		p.counts[1] += int64(len(msg.Transactions))
		tip, _ := eng.Tip()
		p.log.Info("ingest block", "hash", msg.BlockHash().String(), "txs", len(msg.Transactions),
			"tip_height", tip.Height, "tip_hash", tip.Hash.String())
		return
	}
	p.meter.add(1, int64(len(msg.Transactions)))
}

// caughtUp is called each time a follower has every block of the node's
// chain, committed, and starts waiting: the first time it closes the bar and
// says so; later ones are quiet, since each block was logged as it came.
func (p *ingestProgress) caughtUp(tip bitcoin.BlockRef) {
	if p.following {
		return
	}
	p.finish()
	p.following = true
	p.log.Info("ingest caught up with the node; following",
		append([]any{"tip_height", tip.Height, "tip_hash", tip.Hash.String()}, p.attrs()...)...)
}
