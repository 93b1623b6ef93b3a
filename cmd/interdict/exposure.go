package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/index/tags"
)

// exposureService scores addresses over the chain indexes and the tag store
// (api.ExposureService).
type exposureService struct {
	tracer *chainTracer
	tags   tags.Store
	cfg    exposure.Config
}

// Exposure implements api.ExposureService.
func (e *exposureService) Exposure(ctx context.Context, chainName string, req exposure.Request) (*exposure.Report, error) {
	switch chainName {
	case "btc", "eth":
	default:
		return nil, fmt.Errorf("%w: chain %q: want btc or eth", exposure.ErrBadRequest, chainName)
	}
	req.Address = chain.NormalizeAddress(req.Address)
	cfg := e.cfg
	if cfg.Rules == nil {
		cfg = exposure.DefaultConfig()
	}
	s := &exposure.Scorer{Chain: chainName, Config: cfg,
		Trace: func(ctx context.Context, c trace.Config, starts []trace.Start) (*trace.Result, error) {
			res, _, err := e.tracer.Trace(ctx, chainName, c, starts)
			return res, err
		}}
	if e.tags != nil {
		s.Tagger = newStoreTagger(e.tags)
	}
	return s.Score(ctx, req)
}

func newExposureCmd(g *globals) *cobra.Command {
	f := &tracesFlags{}
	var (
		chainName string
		req       exposure.Request
	)
	cmd := &cobra.Command{
		Use:   "exposure ADDRESS --chain btc|eth [--direction receiving|sending|both] [--model M] [--max-hops N]",
		Short: "Score an address's exposure to illicit funds",
		Long: `Direct exposure (the address's own tags, interdict tags import) and indirect
exposure (a backward trace for the funds it received, forward for the funds it
sent) by category and actor, with amounts, shares of the traced funds and hops,
and a severity Low, Medium, High or Severe with the reasons that set it (the
rules table of internal/analysis/exposure).`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			tuneGC()
			if chainName != "btc" && chainName != "eth" {
				return usageError{fmt.Errorf("--chain %q: want btc or eth", chainName)}
			}
			req.Address = args[0]
			return g.run(cmd, func(ctx context.Context, a *app) error {
				_, tg, err := a.traceStores()
				if err != nil {
					return err
				}
				tr := &chainTracer{g: g, btcIndex: f.btcIndex, ethIndex: f.ethIndex, network: f.network, log: a.log, tags: tg}
				defer tr.close()
				svc := &exposureService{tracer: tr, tags: tg}
				rep, err := svc.Exposure(ctx, chainName, req)
				switch {
				case errors.Is(err, exposure.ErrBadRequest):
					return usageError{err}
				case err != nil:
					return traceError(err)
				}
				return emitTo(cmd.OutOrStdout(), g.output, rep, func(w *tabwriter.Writer) { exposureTable(w, rep) })
			})
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&chainName, "chain", "", "chain: btc or eth (required)")
	fl.StringVar(&req.Direction, "direction", "both", "receiving (backward), sending (forward) or both")
	fl.StringVar(&req.Model, "model", "haircut", "taint model: poison, haircut or fifo")
	fl.IntVar(&req.MaxHops, "max-hops", exposure.DefaultConfig().MaxHops, "hops to trace")
	return cmd
}

func exposureTable(w *tabwriter.Writer, r *exposure.Report) {
	fmt.Fprintf(w, "%s %s: severity %s (%s, %d hops)", r.Chain, r.Address, r.Severity, r.Model, r.MaxHops)
	if r.Truncated {
		fmt.Fprint(w, " (a trace was truncated)")
	}
	fmt.Fprintln(w)
	for _, x := range r.Reasons {
		fmt.Fprintln(w, "  "+x)
	}
	fmt.Fprintln(w, "KIND\tDIRECTION\tCATEGORY\tACTOR\tAMOUNT\tSHARE\tHOPS\tADDRESSES\tLABELS")
	for _, f := range r.Direct {
		fmt.Fprintf(w, "direct\t-\t%s\t%s\t-\t-\t0\t1\t%s\n", f.Category, orDash(f.Actor), strings.Join(f.Labels, "; "))
	}
	for _, f := range r.Indirect {
		fmt.Fprintf(w, "indirect\t%s\t%s\t%s\t%s %s\t%s\t%d\t%d\t%s\n", f.Direction, f.Category, orDash(f.Actor), f.Amount, f.Asset, f.Share, f.Hops, f.Addresses, strings.Join(f.Labels, "; "))
	}
}
