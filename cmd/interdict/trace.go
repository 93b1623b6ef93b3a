package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/tags"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/postgres"
)

// traceFlags are `trace`'s flags as given.
type traceFlags struct {
	chain, direction, model, minAmount string
	txs, addresses, stopAt             []string
	maxHops, maxNodes, maxHistory      int
	minConfidence                      int
	from, to                           string
	index, network, format             string
}

func newTraceCmd(g *globals) *cobra.Command {
	f := &traceFlags{}
	cmd := &cobra.Command{
		Use:   "trace --chain btc|eth (--tx TXID[:VOUT] | --address ADDR)... --direction forward|backward --model poison|haircut|fifo",
		Short: "Follow tainted funds through the chain index under a taint model",
		Long: `Follow tainted funds forward (where did they go) or backward (where did they
come from), from transactions, outputs (TXID:VOUT) or addresses, through the
chain index, under the poison, haircut or FIFO (Clayton's Case) taint model.

The trace stops at --max-hops, below --min-amount (smallest units: satoshi,
wei), outside the --from/--to time window, at addresses tagged (interdict
tags import) with a --stop-at category or concept at --min-confidence or more
(GraphSense levels: service_data 50, authority_data 60), and when it has visited
--max-nodes nodes (then "truncated" is true). An address with more than
--max-history transfers is read that far only.

On eth, --tx HASH starts from every value transfer of the transaction (gas
fees excluded) and HASH:N from its Nth; --address starts from everything the
address sent (forward) or received (backward), per asset (ether and each
token apart).

--output json prints {"nodes":[…],"edges":[…],"reached":[…],"truncated":…}
with amounts as integer strings in the smallest unit; --format csv prints the
edges as CSV. The index is --index pebble://DIR or postgres://... (default:
Pebble in <data-dir>/chain for btc, <data-dir>/chain-eth for eth).`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneGC()
			return runTrace(cmd.Context(), g, f, cmd.OutOrStdout())
		},
	}
	def := trace.DefaultConfig()
	fl := cmd.Flags()
	fl.StringVar(&f.chain, "chain", "", "chain: btc or eth (required)")
	fl.StringArrayVar(&f.txs, "tx", nil, "start from a transaction, or one output TXID:VOUT (repeatable)")
	fl.StringArrayVar(&f.addresses, "address", nil, "start from an address (repeatable)")
	fl.StringVar(&f.direction, "direction", "forward", "forward or backward")
	fl.StringVar(&f.model, "model", "haircut", "taint model: poison, haircut or fifo")
	fl.IntVar(&f.maxHops, "max-hops", def.MaxHops, "hops to follow (0: no limit)")
	fl.StringVar(&f.minAmount, "min-amount", "", "least taint an edge must carry to be followed, in the smallest unit")
	fl.StringVar(&f.from, "from", "", "follow only transactions at or after this time (RFC 3339)")
	fl.StringVar(&f.to, "to", "", "follow only transactions at or before this time (RFC 3339)")
	fl.StringSliceVar(&f.stopAt, "stop-at", def.StopCategories, "tag categories or concepts where the trace stops (bridge: defi_bridge, mixer: mixing_service)")
	fl.IntVar(&f.minConfidence, "min-confidence", def.MinConfidence, "least tag confidence (0-100) that stops the trace")
	fl.IntVar(&f.maxNodes, "max-nodes", def.MaxNodes, "budget of nodes visited")
	fl.IntVar(&f.maxHistory, "max-history", def.MaxHistory, "most history entries read per address (supernodes)")
	fl.StringVar(&f.index, "index", "", "chain index: pebble://DIR or postgres://... (default: Pebble in the data dir)")
	fl.StringVar(&f.network, "network", "mainnet", "btc: network whose address encoding the index uses")
	fl.StringVar(&f.format, "format", "", "csv: print the edges as CSV instead")
	return cmd
}

// traceRequest is a checked `trace` invocation.
type traceRequest struct {
	chain  string
	cfg    trace.Config
	starts []trace.Start
	csv    bool
}

// parseTrace checks the flags; every error is a usage error.
func parseTrace(f *traceFlags) (traceRequest, error) {
	r := traceRequest{chain: f.chain, cfg: trace.DefaultConfig()}
	switch f.chain {
	case "btc", "eth":
	case "":
		return r, errors.New("--chain is required: btc or eth")
	default:
		return r, fmt.Errorf("--chain %q: want btc or eth", f.chain)
	}
	var err error
	if r.cfg.Model, err = trace.ParseModel(f.model); err != nil {
		return r, err
	}
	if r.cfg.Direction, err = trace.ParseDirection(f.direction); err != nil {
		return r, err
	}
	if f.maxHops < 0 || f.maxNodes <= 0 || f.maxHistory <= 0 {
		return r, errors.New("--max-hops must be >= 0, --max-nodes and --max-history > 0")
	}
	r.cfg.MaxHops, r.cfg.MaxNodes, r.cfg.MaxHistory = f.maxHops, f.maxNodes, f.maxHistory
	if f.minAmount != "" {
		n, ok := new(big.Int).SetString(f.minAmount, 10)
		if !ok || n.Sign() < 0 {
			return r, fmt.Errorf("--min-amount %q: want a non-negative integer in the smallest unit", f.minAmount)
		}
		r.cfg.MinAmount = n
	}
	for _, tw := range []struct {
		s   string
		dst *time.Time
		n   string
	}{{f.from, &r.cfg.From, "--from"}, {f.to, &r.cfg.To, "--to"}} {
		if tw.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, tw.s)
		if err != nil {
			return r, fmt.Errorf("%s %q: want an RFC 3339 time", tw.n, tw.s)
		}
		*tw.dst = t
	}
	r.cfg.StopCategories, r.cfg.MinConfidence = f.stopAt, f.minConfidence
	switch f.format {
	case "", "json":
	case "csv":
		r.csv = true
	default:
		return r, fmt.Errorf("--format %q: want csv (or leave it out)", f.format)
	}
	for _, s := range f.txs {
		st, err := trace.ParseTxStart(s)
		if err != nil {
			return r, err
		}
		r.starts = append(r.starts, st)
	}
	for _, a := range f.addresses {
		if r.chain == "btc" {
			a = chain.NormalizeAddress(a)
		}
		if a == "" {
			return r, errors.New("--address: empty address")
		}
		r.starts = append(r.starts, trace.Start{Address: a, Vout: -1})
	}
	if len(r.starts) == 0 {
		return r, errors.New("give at least one --tx or --address to start from")
	}
	return r, nil
}

func runTrace(ctx context.Context, g *globals, f *traceFlags, out io.Writer) error {
	req, err := parseTrace(f)
	if err != nil {
		return usageError{err}
	}
	log := g.logger()
	a, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	st, ok := a.store.(tags.Store)
	if !ok {
		return fmt.Errorf("the state store %T keeps no tags", a.store)
	}
	tagger := newStoreTagger(st)
	var res *trace.Result
	switch req.chain {
	case "btc":
		params, err := srcbtc.Params(f.network)
		if err != nil {
			return usageError{fmt.Errorf("--network: %w", err)}
		}
		if f.index == "" {
			if dir := filepath.Join(g.dataDir, "chain"); !exists(dir) {
				return fmt.Errorf("no Bitcoin chain index in %s (run `interdict ingest btc` first, or give --index)", dir)
			}
		}
		store, err := openChainStore(ctx, g, f.index, log)
		if err != nil {
			return err
		}
		defer store.Close()
		res, err = trace.TraceUTXO(ctx, trace.NewBitcoinView(store, params), tagger, req.cfg, req.starts)
		if err != nil {
			return traceError(err)
		}
	case "eth":
		view, closeFn, err := openEthView(ctx, g, f.index, log)
		if err != nil {
			return err
		}
		defer closeFn()
		res, err = trace.TraceAccount(ctx, view, tagger, req.cfg, req.starts)
		if err != nil {
			return traceError(err)
		}
	}
	log.Debug("trace done", "nodes", len(res.Nodes), "edges", len(res.Edges), "reads", res.Stats.Reads, "truncated", res.Truncated)
	if req.csv {
		return trace.WriteCSV(out, res)
	}
	return emitTo(out, g.output, res, func(w *tabwriter.Writer) { traceTable(w, res) })
}

// traceError makes a bad start a usage error, and a start not in the index
// exit with the not-found code, as the index's own misses do.
func traceError(err error) error {
	switch {
	case errors.Is(err, trace.ErrBadRequest):
		return usageError{err}
	case errors.Is(err, trace.ErrNotFound) && !errors.Is(err, bitcoin.ErrNotFound):
		return traceNotFound{err}
	}
	return err
}

// traceNotFound is a trace's not found, matching bitcoin.ErrNotFound for
// exitCode (which maps the index's misses to exit 4).
type traceNotFound struct{ err error }

func (e traceNotFound) Error() string   { return e.err.Error() }
func (e traceNotFound) Unwrap() []error { return []error{e.err, bitcoin.ErrNotFound} }

// openEthView opens the Ethereum chain index read by an eth trace.
func openEthView(ctx context.Context, g *globals, url string, log *slog.Logger) (trace.EthereumView, func(), error) {
	switch {
	case url == "":
		dir := filepath.Join(g.dataDir, "chain-eth")
		if !exists(dir) {
			return trace.EthereumView{}, nil, fmt.Errorf("no Ethereum chain index in %s (run `interdict ingest eth` first, or give --index)", dir)
		}
		url = "pebble://" + dir
		fallthrough
	case strings.HasPrefix(url, "pebble://"):
		s, err := pebble.OpenEth(strings.TrimPrefix(url, "pebble://"))
		if err != nil {
			return trace.EthereumView{}, nil, err
		}
		return trace.EthereumView{R: s}, func() { _ = s.Close() }, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err := postgres.OpenEth(ctx, url, log)
		if err != nil {
			return trace.EthereumView{}, nil, err
		}
		return trace.EthereumView{R: s}, func() { _ = s.Close() }, nil
	}
	return trace.EthereumView{}, nil, usageError{fmt.Errorf("--index must be pebble://DIR or postgres://..., not %q", url)}
}

func traceTable(w *tabwriter.Writer, r *trace.Result) {
	fmt.Fprintf(w, "%s %s trace, %s: %d nodes, %d edges", r.Chain, r.Direction, r.Model, len(r.Nodes), len(r.Edges))
	if r.Truncated {
		fmt.Fprintf(w, " (truncated: %s)", strings.Join(r.TruncatedBy, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ADDRESS\tASSET\tTAINTED\tSHARE\tHOPS\tSTOP\tTAGS")
	for _, x := range r.Reached {
		var tags []string
		for _, t := range x.Tags {
			tags = append(tags, t.Category+":"+t.Label)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", x.Address, x.Asset, x.Tainted, x.Share, x.Hop, x.Stop, joinOr(tags, "-"))
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
