package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/etl"
	eth "github.com/interdict/interdict/internal/index/ethereum"
	srceth "github.com/interdict/interdict/internal/sources/ethereum"
)

func newExportETHCmd(g *globals) *cobra.Command {
	var (
		format, chainURL string
		from, to         int64
		stream           bool
	)
	cmd := &cobra.Command{
		Use:   "eth blocks|transactions|receipts|logs|token_transfers|traces|contracts|tokens --from H --to H --format json|csv",
		Short: "Write ethereum-etl records of indexed blocks to stdout",
		Long: `Write ethereum-etl's records of the indexed blocks --from..--to: JSON lines
(--format json) or CSV with a header row, byte for byte as ethereum-etl's
export jobs write them. --stream writes the items of ethereum-etl's stream
command instead (JSON lines with type, receipt fields joined into
transactions, block timestamp and hash, item_id and item_timestamp).
Traces, contracts and tokens need an index ingested with traces.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := etl.ParseEthKind(args[0])
			if err != nil {
				return usageError{err}
			}
			f, err := etl.ParseFormat(format)
			if err != nil {
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			fl := cmd.Flags()
			switch {
			case !fl.Changed("from") || !fl.Changed("to"):
				return usageError{fmt.Errorf("give both --from H and --to H")}
			case from < 0 || to < from:
				return usageError{fmt.Errorf("--from %d --to %d: want 0 <= from <= to", from, to)}
			case stream && f != etl.FormatJSON:
				return usageError{fmt.Errorf("--stream writes JSON lines only")}
			case stream && kind == etl.EthKindReceipts:
				return usageError{fmt.Errorf("--stream has no receipt items (receipts are joined into transactions)")}
			}
			ctx := cmd.Context()
			store, err := openEthStore(ctx, g, chainURL, g.logger())
			if err != nil {
				return err
			}
			defer store.Close()
			return exportETH(ctx, store, kind, f, stream, from, to, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&from, "from", 0, "first height of the range (inclusive)")
	fl.Int64Var(&to, "to", 0, "last height of the range (inclusive)")
	fl.StringVar(&format, "format", "json", "json (JSON lines) or csv")
	fl.BoolVar(&stream, "stream", false, "write ethereum-etl stream items (JSON)")
	fl.StringVar(&chainURL, "chain", "", "chain store: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain-eth)")
	return cmd
}

// exportETH writes the records of kind for the blocks from..to. Both ends
// are looked up before the first byte is written, so a range the index does
// not hold fails with nothing on stdout.
func exportETH(ctx context.Context, ix eth.Reader, kind etl.EthKind, f etl.Format, stream bool, from, to int64, out io.Writer) error {
	for _, h := range []int64{to, from} {
		if _, err := ix.BlockByNumber(ctx, h); err != nil {
			return fmt.Errorf("block %d: %w", h, err)
		}
	}
	var w *etl.EthWriter
	var err error
	if stream {
		w, err = etl.NewEthRecordWriter(out, f, nil)
	} else {
		w, err = etl.NewEthWriter(out, f, kind)
	}
	if err != nil {
		return err
	}
	for h := from; h <= to; h++ {
		recs, b, receipts, err := ethRecords(ctx, ix, kind, h)
		if err != nil {
			return fmt.Errorf("block %d: %w", h, err)
		}
		if stream {
			recs, err = etl.EthStreamItems(kind, recs, map[uint64]*srceth.Block{b.Number: b}, receipts)
			if err != nil {
				return fmt.Errorf("block %d: %w", h, err)
			}
		}
		if err := w.WriteAll(recs); err != nil {
			return err
		}
	}
	return w.Flush()
}

// ethRecords builds the records of kind of the indexed block at height,
// and returns the block (with its transactions) and receipts by hash.
func ethRecords(ctx context.Context, ix eth.Reader, kind etl.EthKind, height int64) ([]etl.Record, *srceth.Block, map[common.Hash]*srceth.Receipt, error) {
	b, err := ix.BlockByNumber(ctx, height)
	if err != nil {
		return nil, nil, nil, err
	}
	receipts := map[common.Hash]*srceth.Receipt{}
	var recs []etl.Record
	switch kind {
	case etl.EthKindBlocks:
		return []etl.Record{etl.EthBlock(b)}, b, receipts, nil
	case etl.EthKindTransactions, etl.EthKindReceipts:
		txs, err := ix.Txs(ctx, height)
		if err != nil {
			return nil, nil, nil, err
		}
		b.Txs = make([]*srceth.Tx, len(txs))
		for i, t := range txs {
			b.Txs[i] = t.Tx
			receipts[t.Tx.Hash] = t.Receipt
			if kind == etl.EthKindReceipts {
				recs = append(recs, etl.EthReceipt(t.Receipt))
			}
		}
		if kind == etl.EthKindTransactions {
			recs = etl.EthTransactions(b)
		}
	case etl.EthKindLogs, etl.EthKindTokenTransfers:
		logs, err := ix.Logs(ctx, height)
		if err != nil {
			return nil, nil, nil, err
		}
		if kind == etl.EthKindTokenTransfers {
			recs = etl.EthTokenTransfers(logs)
			break
		}
		for _, l := range logs {
			recs = append(recs, etl.EthLog(l))
		}
	case etl.EthKindTraces, etl.EthKindContracts:
		traces, err := ix.Traces(ctx, height)
		if err != nil {
			return nil, nil, nil, err
		}
		if recs, err = etl.EthTraces(traces, true); err != nil {
			return nil, nil, nil, err
		}
		if kind == etl.EthKindContracts {
			recs = etl.EthContractsFromTraces(recs)
		}
	case etl.EthKindTokens:
		tokens, err := ix.Tokens(ctx, height)
		if err != nil {
			return nil, nil, nil, err
		}
		n := b.Number
		for _, t := range tokens {
			recs = append(recs, etl.EthToken(t, &n))
		}
	}
	return recs, b, receipts, nil
}
