package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	srceth "github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/postgres"
)

type ingestETHFlags struct {
	rpc, chain, traces string
	from, to           int64
	follow             bool
	confirmations      int64
	poll               time.Duration
	batch              int
	undoWindow         int64
	digest             bool
}

func newIngestETHCmd(g *globals) *cobra.Command {
	f := &ingestETHFlags{}
	cmd := &cobra.Command{
		Use:   "eth --rpc URL --from H --to H [--traces parity|geth|none]",
		Short: "Ingest Ethereum blocks, receipts, traces and transfers into the chain index (resumes from its tip; reorg-safe)",
		Long: `Ingest Ethereum blocks from a node's JSON-RPC into the Ethereum chain index:
blocks, transactions with receipts, logs, traces, token metadata, and the value
transfers derived from them (gas fees, native ETH from traces, ERC-20/721).
A run resumes after the index's last block. --follow keeps tailing the node,
--confirmations blocks behind its head; a block whose parent is not the
index's tip means the node reorganised, and the index rolls back to the fork
(within --undo-window) and re-applies the node's branch. --digest prints the
SHA-256 of the whole index (after ingesting, or alone without --rpc).`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runIngestETH(cmd.Context(), g, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.rpc, "rpc", "", "node JSON-RPC URL (http(s)://, ws(s):// or an IPC path)")
	fl.StringVar(&f.chain, "chain", "", "chain store: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain-eth)")
	fl.StringVar(&f.traces, "traces", "parity", "call traces for internal transfers: parity (trace_block), geth (debug_traceBlockByNumber callTracer) or none")
	fl.Int64Var(&f.from, "from", 0, "first height of an empty index")
	fl.Int64Var(&f.to, "to", -1, "last height (default: the node's head less --confirmations)")
	fl.BoolVar(&f.follow, "follow", false, "keep tailing the node for new blocks")
	fl.Int64Var(&f.confirmations, "confirmations", 12, "blocks behind the node's head to stay (without --to)")
	fl.DurationVar(&f.poll, "poll", 12*time.Second, "poll interval of --follow")
	def := eth.DefaultConfig()
	fl.IntVar(&f.batch, "batch", def.BatchBlocks, "blocks per atomic commit")
	fl.Int64Var(&f.undoWindow, "undo-window", def.UndoWindow, "heights that keep undo data (the deepest reorg); 0 keeps all")
	fl.BoolVar(&f.digest, "digest", false, "print the digest of the whole index")
	return cmd
}

// openEthStore opens the Ethereum --chain store.
func openEthStore(ctx context.Context, g *globals, url string, log *slog.Logger) (eth.Store, error) {
	switch {
	case url == "":
		dir := filepath.Join(g.dataDir, "chain-eth")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		return pebble.OpenEth(dir)
	case strings.HasPrefix(url, "pebble://"):
		return pebble.OpenEth(strings.TrimPrefix(url, "pebble://"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.OpenEth(ctx, url, log)
	}
	return nil, usageError{fmt.Errorf("--chain must be pebble://DIR or postgres://..., not %q", url)}
}

func runIngestETH(ctx context.Context, g *globals, f *ingestETHFlags) error {
	log := g.logger()
	switch {
	case f.rpc == "" && !f.digest:
		return usageError{errors.New("--rpc is required")}
	case f.traces != "parity" && f.traces != "geth" && f.traces != "none":
		return usageError{fmt.Errorf("--traces must be parity, geth or none, not %q", f.traces)}
	case f.from < 0 || f.to >= 0 && f.to < f.from:
		return usageError{fmt.Errorf("--from %d --to %d: want 0 <= from <= to", f.from, f.to)}
	case f.confirmations < 0:
		return usageError{errors.New("--confirmations must not be negative")}
	}
	store, err := openEthStore(ctx, g, f.chain, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if f.rpc != "" {
		var ist eth.Store = store
		stop := func() {}
		if f.follow {
			// While following, each commit wakes the alert engine.
			w := newFollowWatcher(g, nil, nil, store, log)
			defer w.close()
			var kick func()
			kick, stop = w.loop(ctx)
			defer stop()
			ist = notifyingEthStore{Store: store, committed: kick}
		}
		err := ingestETH(ctx, f, ist, log)
		stop() // one engine at a time: the run below catches up the rest
		if err != nil {
			return err
		}
		watchAfterIngest(ctx, g, nil, nil, store, log)
	}
	if f.digest {
		d, err := store.Digest(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("%x\n", d)
	}
	return nil
}

func ingestETH(ctx context.Context, f *ingestETHFlags, store eth.Store, log *slog.Logger) error {
	ccfg := srceth.DefaultConfig()
	ccfg.URL = f.rpc
	client, err := srceth.Dial(ctx, ccfg, log)
	if err != nil {
		return err
	}
	defer client.Close()
	cfg := eth.DefaultConfig()
	cfg.BatchBlocks, cfg.UndoWindow = f.batch, f.undoWindow
	eng, err := eth.NewEngine(ctx, store, cfg, log)
	if err != nil {
		return err
	}
	p := newEthProgress(log)
	defer p.finish()
	node := &ethNode{c: client, traces: f.traces}
	opts := eth.SyncOptions{From: f.from, To: f.to, Confirmations: f.confirmations, Follow: f.follow, Poll: f.poll, OnBlock: p.add}
	if tip, ok := eng.Tip(); ok && f.to >= 0 && tip.Height >= f.to {
		log.Info("the index already holds the range", "tip_height", tip.Height)
		return nil
	}
	if err := eth.Sync(ctx, eng, node, opts); err != nil {
		return err
	}
	tip, _ := eng.Tip()
	log.Info("ingest done", "tip_height", tip.Height, "tip_hash", tip.Hash.Hex(), "blocks", p.counts[0], "txs", p.counts[1], "transfers", p.counts[2])
	return nil
}

// ethNode reads what the index needs through the sources' JSON-RPC client.
type ethNode struct {
	c      *srceth.Client
	traces string
}

// Head implements eth.Node.
func (n *ethNode) Head(ctx context.Context) (int64, error) {
	h, err := n.c.BlockNumber(ctx)
	return int64(h), err
}

// BlockHash implements eth.Node.
func (n *ethNode) BlockHash(ctx context.Context, height int64) (common.Hash, error) {
	b, err := n.c.BlockByNumber(ctx, uint64(height), false)
	if errors.Is(err, srceth.ErrNotFound) {
		return common.Hash{}, fmt.Errorf("%w: %w", eth.ErrNotFound, err)
	}
	if err != nil {
		return common.Hash{}, err
	}
	return b.Hash, nil
}

// Block implements eth.Node: the block with its transactions, receipts,
// traces (per --traces) and the metadata of the tokens it created.
func (n *ethNode) Block(ctx context.Context, height int64) (*eth.BlockData, error) {
	b, err := n.c.BlockByNumber(ctx, uint64(height), true)
	if err != nil {
		return nil, err
	}
	rs, err := n.c.BlockReceipts(ctx, b)
	if err != nil {
		return nil, err
	}
	bd := &eth.BlockData{Block: b, Receipts: rs}
	switch n.traces {
	case "parity":
		bd.Traces, err = n.c.ParityTraces(ctx, b.Number)
	case "geth":
		bd.Traces, err = n.c.GethTraces(ctx, b.Number)
	}
	if errors.Is(err, srceth.ErrMethodNotFound) {
		return nil, fmt.Errorf("%w (try --traces geth, or --traces none to index without internal transfers)", err)
	}
	if err != nil {
		return nil, err
	}
	bd.Traced = n.traces != "none"
	if err := addTraceContext(bd); err != nil {
		return nil, err
	}
	bd.Tokens, err = n.tokens(ctx, bd)
	return bd, err
}

// addTraceContext fills the transaction index of Geth traces (which name
// only their transaction hash, when at all) from the block.
func addTraceContext(bd *eth.BlockData) error {
	index := map[common.Hash]uint64{}
	for i, tx := range bd.Block.Txs {
		index[tx.Hash] = uint64(i)
	}
	for _, t := range bd.Traces {
		if t.TxIndex == nil && t.TxHash != nil {
			i, ok := index[*t.TxHash]
			if !ok {
				return fmt.Errorf("block %d: trace of unknown transaction %s", bd.Block.Number, t.TxHash)
			}
			t.TxIndex = &i
		}
	}
	return nil
}

// ethProgress shows blocks/s, txs/s and transfers/s (see meter).
type ethProgress struct{ *meter }

func newEthProgress(log *slog.Logger) *ethProgress {
	return &ethProgress{newMeter(log, "ingest eth", "blocks", "txs", "transfers")}
}

func (p *ethProgress) add(txs, transfers int) { p.meter.add(1, int64(txs), int64(transfers)) }

// tokens reads the metadata of the tokens among the contracts the block's
// successful create frames deployed.
func (n *ethNode) tokens(ctx context.Context, bd *eth.BlockData) ([]*srceth.Token, error) {
	addrs, err := createdTokens(bd)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", bd.Block.Number, err)
	}
	var out []*srceth.Token
	for _, a := range addrs {
		t, err := n.c.Token(ctx, a, "latest")
		if err != nil {
			return nil, fmt.Errorf("token %s: %w", a.Hex(), err)
		}
		out = append(out, t)
	}
	return out, nil
}
