package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/serve/api"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
)

// chainTracer runs traces on the chain indexes (freeze.Tracer), opening each
// index on first use and keeping it open: a server traces many times.
type chainTracer struct {
	g        *globals
	btcIndex string // "" : Pebble in <data-dir>/chain
	ethIndex string // "" : Pebble in <data-dir>/chain-eth
	network  string
	log      *slog.Logger
	tags     tags.Store

	mu      sync.Mutex // guards the open indexes below
	btc     bitcoin.Store
	eth     *trace.EthereumView
	closers []func()
}

func (c *chainTracer) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.closers {
		f()
	}
	c.closers = nil
}

// Trace implements freeze.Tracer. Traces run concurrently: each gets its
// own view and tagger over the shared, concurrency-safe index.
func (c *chainTracer) Trace(ctx context.Context, chain string, cfg trace.Config, starts []trace.Start) (*trace.Result, freeze.Tip, error) {
	var tagger trace.Tagger
	if c.tags != nil {
		tagger = newStoreTagger(c.tags)
	}
	switch chain {
	case "btc":
		params, err := srcbtc.Params(c.network)
		if err != nil {
			return nil, freeze.Tip{}, usageError{fmt.Errorf("--network: %w", err)}
		}
		st, err := c.openBTC(ctx)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		res, err := trace.TraceUTXO(ctx, trace.NewBitcoinView(st, params), tagger, cfg, starts)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		tip, err := st.Tip(ctx)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		return res, freeze.Tip{Height: tip.Height, Hash: tip.Hash.String()}, nil
	case "eth":
		v, err := c.openETH(ctx)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		res, err := trace.TraceAccount(ctx, v, tagger, cfg, starts)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		tip, err := v.R.Tip(ctx)
		if err != nil {
			return nil, freeze.Tip{}, err
		}
		return res, freeze.Tip{Height: tip.Height, Hash: tip.Hash.Hex()}, nil
	}
	return nil, freeze.Tip{}, fmt.Errorf("%w: chain %q: want btc or eth", trace.ErrBadRequest, chain)
}

// openBTC opens the Bitcoin index on first use.
func (c *chainTracer) openBTC(ctx context.Context) (bitcoin.Store, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.btc == nil {
		st, err := openChainStore(ctx, c.g, c.btcIndex, c.log)
		if err != nil {
			return nil, err
		}
		c.btc = st
		c.closers = append(c.closers, func() { _ = st.Close() })
	}
	return c.btc, nil
}

// openETH opens the Ethereum index on first use.
func (c *chainTracer) openETH(ctx context.Context) (trace.EthereumView, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eth == nil {
		v, closeFn, err := openEthView(ctx, c.g, c.ethIndex, c.log)
		if err != nil {
			return trace.EthereumView{}, err
		}
		c.eth = &v
		c.closers = append(c.closers, closeFn)
	}
	return *c.eth, nil
}

// traceStores returns the state store's saved traces and tags.
func (a *app) traceStores() (freeze.TraceStore, tags.Store, error) {
	ts, ok := a.store.(freeze.TraceStore)
	if !ok {
		return nil, nil, fmt.Errorf("the state store %T keeps no saved traces", a.store)
	}
	tg, _ := a.store.(tags.Store)
	return ts, tg, nil
}

type tracesFlags struct {
	btcIndex, ethIndex, network string
}

func (f *tracesFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.btcIndex, "index", "", "btc chain index: pebble://DIR or postgres://... (default: Pebble in <data-dir>/chain)")
	fl.StringVar(&f.ethIndex, "eth-index", "", "eth chain index (default: Pebble in <data-dir>/chain-eth)")
	fl.StringVar(&f.network, "network", "mainnet", "btc: network whose address encoding the index uses")
}

// service wires a freeze.Service over the app's state store; close it.
func (f *tracesFlags) service(a *app) (*freeze.Service, *chainTracer, error) {
	ts, tg, err := a.traceStores()
	if err != nil {
		return nil, nil, err
	}
	tr := &chainTracer{g: a.g, btcIndex: f.btcIndex, ethIndex: f.ethIndex, network: f.network, log: a.log, tags: tg}
	return &freeze.Service{Store: ts, Tracer: tr, Limits: freeze.DefaultLimits()}, tr, nil
}

func newTracesCmd(g *globals) *cobra.Command {
	f := &tracesFlags{}
	cmd := &cobra.Command{
		Use:   "traces",
		Short: "Saved traces: save, list, show (with freeze-request packets), re-run",
		Long: `Saved traces are trace requests kept in the state store with their owner
member, creation time and runs; each run records the chain index tip it ran
at and its result. POST /v1/traces saves them too.

  interdict traces save --chain btc --tx TXID [...]   run and save a trace
  interdict traces list [--member M]                  newest first
  interdict traces show ID [--freeze [--format md|html|json]] [--run N]
  interdict traces rerun ID                           run again, print what changed`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f.register(cmd)
	cmd.AddCommand(newTracesSaveCmd(g, f), newTracesListCmd(g, f), newTracesShowCmd(g, f), newTracesRerunCmd(g, f))
	return cmd
}

func newTracesSaveCmd(g *globals, f *tracesFlags) *cobra.Command {
	var (
		req              freeze.Request
		maxHops, minConf int
		member           string
	)
	cmd := &cobra.Command{
		Use:   "save --chain btc|eth (--tx TXID[:VOUT] | --address ADDR)... [flags]",
		Short: "Run a trace and save it",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("max-hops") {
				req.MaxHops = &maxHops
			}
			if cmd.Flags().Changed("min-confidence") {
				req.MinConfidence = &minConf
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				svc, tr, err := f.service(a)
				if err != nil {
					return err
				}
				defer tr.close()
				t, err := svc.Create(ctx, member, req)
				if err != nil {
					return traceError(err)
				}
				return emitTo(cmd.OutOrStdout(), g.output, t, func(w *tabwriter.Writer) { savedTable(w, t) })
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Chain, "chain", "", "chain: btc or eth (required)")
	fl.StringArrayVar(&req.Txs, "tx", nil, "start from a transaction, or one output TXID:VOUT (repeatable)")
	fl.StringArrayVar(&req.Addresses, "address", nil, "start from an address (repeatable)")
	fl.StringVar(&req.Direction, "direction", "forward", "forward or backward")
	fl.StringVar(&req.Model, "model", "haircut", "taint model: poison, haircut or fifo")
	fl.IntVar(&maxHops, "max-hops", trace.DefaultConfig().MaxHops, "hops to follow (0: no limit)")
	fl.StringVar(&req.MinAmount, "min-amount", "", "least taint an edge must carry to be followed, in the smallest unit")
	fl.StringSliceVar(&req.StopAt, "stop-at", nil, "tag categories or concepts where the trace stops (default: the trace command's)")
	fl.IntVar(&minConf, "min-confidence", trace.DefaultConfig().MinConfidence, "least tag confidence (0-100) that stops the trace")
	fl.IntVar(&req.MaxNodes, "max-nodes", 0, "budget of nodes visited (default and cap: 10000)")
	fl.StringVar(&member, "member", "local", "the member that owns the saved trace")
	return cmd
}

func newTracesListCmd(g *globals, f *tracesFlags) *cobra.Command {
	var (
		member string
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "list [--member M] [--limit N]",
		Short: "List saved traces, newest first",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ts, _, err := a.traceStores()
				if err != nil {
					return err
				}
				xs, err := ts.Traces(ctx, member, limit)
				if err != nil {
					return err
				}
				return emitTo(cmd.OutOrStdout(), g.output, xs, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tOWNER\tCREATED\tCHAIN\tRUNS\tLAST TIP\tREACHED")
					for _, x := range xs {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\n", x.ID, x.Owner, x.Created.Format("2006-01-02T15:04:05Z"), x.Chain, x.Runs, x.LastTip, x.Reached)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&member, "member", "", "only this member's traces")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many (0: all)")
	return cmd
}

func newTracesShowCmd(g *globals, f *tracesFlags) *cobra.Command {
	var (
		packets bool
		format  string
		run     int
	)
	cmd := &cobra.Command{
		Use:   "show ID [--freeze [--format json|md|html]] [--run N]",
		Short: "Show a saved trace, or its freeze-request packets",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "", "json", "md", "html":
			default:
				return usageError{fmt.Errorf("--format %q: want json, md or html", format)}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ts, tg, err := a.traceStores()
				if err != nil {
					return err
				}
				t, err := ts.Trace(ctx, args[0])
				if err != nil {
					return savedNotFound(err)
				}
				if run < 0 || run > len(t.Runs) || len(t.Runs) == 0 {
					return usageError{fmt.Errorf("--run %d: trace %s has %d runs", run, t.ID, len(t.Runs))}
				}
				r := t.Latest()
				if run > 0 {
					r = &t.Runs[run-1]
				}
				out := cmd.OutOrStdout()
				if !packets {
					return emitTo(out, g.output, t, func(w *tabwriter.Writer) { savedTable(w, t) })
				}
				var at freeze.Attributor
				if tg != nil {
					at = tg
				}
				opt := freeze.DefaultOptions()
				opt.Now = r.At
				ps, err := freeze.Build(ctx, r.Result, at, opt)
				if err != nil && !errors.Is(err, freeze.ErrNoServices) {
					return err
				}
				for i := range ps {
					ps[i].TraceID = t.ID
				}
				return writePackets(out, format, g.output, ps)
			})
		},
	}
	cmd.Flags().BoolVar(&packets, "freeze", false, "print the freeze-request packets of the run instead")
	cmd.Flags().StringVar(&format, "format", "", "with --freeze: json (default with --output json), md or html")
	cmd.Flags().IntVar(&run, "run", 0, "the run (1 is the first; default the latest)")
	return cmd
}

func writePackets(out io.Writer, format, output string, ps []freeze.Packet) error {
	if ps == nil {
		ps = []freeze.Packet{}
	}
	switch {
	case format == "md" || (format == "" && output != "json"):
		if len(ps) == 0 {
			_, err := io.WriteString(out, "The trace reached no tagged service.\n")
			return err
		}
		return freeze.WriteMarkdown(out, ps)
	case format == "html":
		return freeze.WriteHTML(out, ps)
	}
	return freeze.WriteJSON(out, ps)
}

func newTracesRerunCmd(g *globals, f *tracesFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rerun ID",
		Short: "Run a saved trace again at the index's tip and print what changed",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				svc, tr, err := f.service(a)
				if err != nil {
					return err
				}
				defer tr.close()
				t, err := svc.Store.Trace(ctx, args[0])
				if err != nil {
					return savedNotFound(err)
				}
				r, err := svc.Rerun(ctx, t)
				if err != nil {
					return traceError(err)
				}
				return emitTo(cmd.OutOrStdout(), g.output, r, func(w *tabwriter.Writer) { changesTable(w, r) })
			})
		},
	}
}

// savedNotFound exits with the not-found code for an unknown trace id.
func savedNotFound(err error) error {
	if errors.Is(err, freeze.ErrTraceNotFound) {
		return traceNotFound{err}
	}
	return err
}

func savedTable(w *tabwriter.Writer, t freeze.SavedTrace) {
	fmt.Fprintf(w, "trace %s, owner %s, created %s, %s %s %s\n", t.ID, t.Owner, t.Created.Format("2006-01-02T15:04:05Z"),
		t.Request.Chain, t.Request.Direction, t.Request.Model)
	fmt.Fprintln(w, "RUN\tAT\tTIP\tNODES\tREACHED\tTRUNCATED")
	for _, r := range t.Runs {
		n, re, tr := 0, 0, false
		if r.Result != nil {
			n, re, tr = len(r.Result.Nodes), len(r.Result.Reached), r.Result.Truncated
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%d\t%v\n", r.Seq, r.At.Format("2006-01-02T15:04:05Z"), r.Tip, n, re, tr)
	}
}

func changesTable(w *tabwriter.Writer, r freeze.Run) {
	fmt.Fprintf(w, "run %d at tip %d\n", r.Seq, r.Tip)
	if r.Changes == nil || !r.Changes.Changed() {
		fmt.Fprintln(w, "nothing changed")
		return
	}
	fmt.Fprintln(w, "CHANGE\tADDRESS\tASSET\tBEFORE\tAFTER")
	for _, x := range r.Changes.NewReached {
		fmt.Fprintf(w, "new\t%s\t%s\t-\t%s\n", x.Address, x.Asset, x.Tainted)
	}
	for _, x := range r.Changes.GoneReached {
		fmt.Fprintf(w, "gone\t%s\t%s\t%s\t-\n", x.Address, x.Asset, x.Tainted)
	}
	for _, x := range r.Changes.ChangedAmounts {
		fmt.Fprintf(w, "amount\t%s\t%s\t%s\t%s\n", x.Address, x.Asset, x.Before, x.After)
	}
}

// serveTracing wires /v1/traces, the freeze packets' attribution and
// /v1/exposure for `serve` over the default chain indexes in the data dir;
// nil services (answered 503) when neither index exists.
type serveTracing struct {
	traces   *freeze.Service
	attr     freeze.Attributor
	exposure *exposureService
}

func (a *app) serveTracing() serveTracing {
	var st serveTracing
	ts, tg, err := a.traceStores()
	if err != nil {
		return st
	}
	have := false
	for _, d := range []string{"chain", "chain-eth"} {
		if _, err := os.Stat(filepath.Join(a.g.dataDir, d)); err == nil {
			have = true
		}
	}
	if tg != nil {
		st.attr = tg
	}
	if !have {
		return st
	}
	tr := &chainTracer{g: a.g, network: "mainnet", log: a.log, tags: tg}
	st.traces = &freeze.Service{Store: ts, Tracer: tr, Limits: freeze.DefaultLimits()}
	st.exposure = &exposureService{tracer: tr, tags: tg}
	return st
}

// tracesAPI and exposureAPI are the services as the API takes them: nil
// interfaces when there is no chain index.
func (s serveTracing) tracesAPI() api.TraceService {
	if s.traces == nil {
		return nil
	}
	return s.traces
}

func (s serveTracing) exposureAPI() api.ExposureService {
	if s.exposure == nil {
		return nil
	}
	return s.exposure
}
