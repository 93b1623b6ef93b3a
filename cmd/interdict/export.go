package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/etl"
	"github.com/interdict/interdict/internal/index/bitcoin"
	btcsource "github.com/interdict/interdict/internal/sources/bitcoin"
)

func newExportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export chain data in other tools' formats",
		Args:  withArgs(cobra.NoArgs), // an unknown subcommand is a usage error
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		block, format, network, chainURL string
		from, to                         int64
	)
	btc := &cobra.Command{
		Use:   "btc blocks|transactions (--block HASH | --from H --to H) --format json|csv",
		Short: "Write bitcoin-etl block or transaction records from the chain index to stdout",
		Long: `Write the records of bitcoin-etl's export_blocks_and_transactions for the
indexed blocks: JSON lines (--format json) or CSV with a header row. Amounts are
satoshi; the value of an output spent before the ingest start is null, never 0.
docs/formats/bitcoin-etl.md lists the fields and where they differ from bitcoin-etl.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			req, err := parseExport(args[0], block, from, to, fl.Changed("from"), fl.Changed("to"), format, network)
			if err != nil {
				return usageError{err}
			}
			ctx := cmd.Context()
			store, err := openChainStore(ctx, g, chainURL, g.logger())
			if err != nil {
				return err
			}
			defer store.Close()
			return req.run(ctx, store, cmd.OutOrStdout())
		},
	}
	fl := btc.Flags()
	fl.StringVar(&block, "block", "", "export one block, by hash")
	fl.Int64Var(&from, "from", 0, "first height of the range (inclusive)")
	fl.Int64Var(&to, "to", 0, "last height of the range (inclusive)")
	fl.StringVar(&format, "format", "json", "json (JSON lines) or csv")
	fl.StringVar(&network, "network", "mainnet", "network whose address encoding to use: mainnet, testnet, testnet4, signet or regtest")
	fl.StringVar(&chainURL, "chain", "", "chain store: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain)")
	cmd.AddCommand(btc)
	cmd.AddCommand(newExportETHCmd(g))
	return cmd
}

// exportRequest is a checked `export btc` invocation.
type exportRequest struct {
	kind     etl.Kind
	format   etl.Format
	params   *chaincfg.Params
	hash     *chainhash.Hash // --block, or nil for a range
	from, to int64
}

// parseExport checks the arguments; every error is a usage error.
func parseExport(kind, block string, from, to int64, hasFrom, hasTo bool, format, network string) (exportRequest, error) {
	var r exportRequest
	switch k := etl.Kind(kind); k {
	case etl.KindBlocks, etl.KindTransactions:
		r.kind = k
	default:
		return r, fmt.Errorf("export btc %q: want blocks or transactions", kind)
	}
	f, err := etl.ParseFormat(format)
	if err != nil {
		return r, fmt.Errorf("--format: %w", err)
	}
	r.format = f
	if r.params, err = btcsource.Params(network); err != nil {
		return r, fmt.Errorf("--network: %w", err)
	}
	switch {
	case block != "" && (hasFrom || hasTo):
		return r, errors.New("give either --block or --from and --to, not both")
	case block != "":
		h, err := chainhash.NewHashFromStr(block)
		if err != nil || len(block) != 2*chainhash.HashSize {
			return r, fmt.Errorf("--block %q: want a 64-digit block hash", block)
		}
		r.hash = h
	case !hasFrom || !hasTo:
		return r, errors.New("give --block HASH, or both --from H and --to H")
	case from < 0 || to < from:
		return r, fmt.Errorf("--from %d --to %d: want 0 <= from <= to", from, to)
	default:
		r.from, r.to = from, to
	}
	return r, nil
}

// run writes the records. Both ends of the range (or the one block) are
// looked up before the first byte is written, so an unknown block fails the
// command with nothing on stdout; the index holds no gaps between them.
func (r exportRequest) run(ctx context.Context, ix bitcoin.ChainReader, out io.Writer) error {
	first, err := r.firstBlock(ctx, ix)
	if err != nil {
		return err
	}
	var w *etl.Writer
	if r.kind == etl.KindBlocks {
		w, err = etl.NewBlockWriter(out, r.format)
	} else {
		w, err = etl.NewTransactionWriter(out, r.format)
	}
	if err != nil {
		return err
	}
	ex := etl.Exporter{Index: ix, Params: r.params}
	if err := ex.Write(ctx, first, r.kind, w); err != nil {
		return err
	}
	for h := first.Height + 1; r.hash == nil && h <= r.to; h++ {
		b, err := ix.BlockByHeight(ctx, h)
		if err != nil {
			return fmt.Errorf("block at height %d: %w", h, err)
		}
		if err := ex.Write(ctx, b, r.kind, w); err != nil {
			return err
		}
	}
	return w.Flush()
}

// firstBlock returns the block to start with, having checked the last one.
func (r exportRequest) firstBlock(ctx context.Context, ix bitcoin.ChainReader) (*bitcoin.Block, error) {
	if r.hash != nil {
		b, err := ix.BlockByHash(ctx, *r.hash)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", r.hash, err)
		}
		return b, nil
	}
	if _, err := ix.BlockByHeight(ctx, r.to); err != nil {
		return nil, fmt.Errorf("block at height %d: %w", r.to, err)
	}
	b, err := ix.BlockByHeight(ctx, r.from)
	if err != nil {
		return nil, fmt.Errorf("block at height %d: %w", r.from, err)
	}
	return b, nil
}
