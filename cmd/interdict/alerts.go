package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/ethereum"
	srcbtc "github.com/interdict/interdict/internal/sources/bitcoin"
)

func newAlertsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Chain alerts (flagged funds reaching watched addresses) and list-rescreen alerts",
		Long: `Two kinds of alert:

  flags  chain alerts of the alert engine: tainted funds from a flagged
         source reached a watched address (see 'interdict watch'). They have
         a lifecycle: open -> acknowledged -> frozen | dismissed (open may
         be frozen or dismissed at once), with notes, in the audit log.
  lists  list-rescreen alerts: a screened subject hit by a new sanctions
         list version (read only here).

'alerts list' shows flags by default; --source lists or all selects the
others. ack, freeze, dismiss and show take a chain alert's id.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAlertsListCmd(g), newAlertsShowCmd(g), newAlertsScanCmd(g))
	for _, m := range []struct {
		use   string
		to    watch.Status
		short string
	}{
		{"ack", watch.Acknowledged, "Acknowledge a chain alert"},
		{"freeze", watch.Frozen, "Mark a chain alert frozen (the funds are held)"},
		{"dismiss", watch.Dismissed, "Dismiss a chain alert"},
	} {
		cmd.AddCommand(newAlertsMoveCmd(g, m.use, m.to, m.short))
	}
	return cmd
}

func newAlertsListCmd(g *globals) *cobra.Command {
	var (
		source, chainName, status string
		limit                     int
	)
	cmd := &cobra.Command{
		Use:   "list [--source flags|lists|all] [--chain btc|eth] [--status S] [--limit N]",
		Short: "List alerts, newest first (JSON: an array; with --source all an object {flags, lists})",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if source != "flags" && source != "lists" && source != "all" {
				return usageError{fmt.Errorf("--source must be flags, lists or all, not %q", source)}
			}
			if chainName != "" {
				if err := watch.CheckChain(chainName); err != nil {
					return usageError{err}
				}
			}
			if status != "" {
				if _, err := watch.ParseStatus(status); err != nil {
					return usageError{err}
				}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				var (
					chainAlerts []watch.Alert
					listAlerts  []alert.Alert
				)
				if source != "lists" {
					st, err := watchStore(a)
					if err != nil {
						return err
					}
					if chainAlerts, err = st.ChainAlerts(ctx, watch.Filter{Chain: chainName, Status: watch.Status(status), Limit: limit}); err != nil {
						return err
					}
				}
				if source != "flags" {
					var err error
					if listAlerts, err = a.store.Alerts(ctx, alert.Filter{Limit: limit}); err != nil {
						return err
					}
					if listAlerts == nil {
						listAlerts = []alert.Alert{}
					}
				}
				var v any = chainAlerts
				switch source {
				case "lists":
					v = listAlerts
				case "all":
					v = map[string]any{"flags": chainAlerts, "lists": listAlerts}
				}
				return a.emit(v, func(w *tabwriter.Writer) {
					if source != "lists" {
						fmt.Fprintln(w, "ID\tSTATUS\tCHAIN\tADDRESS\tAMOUNT\tFLAG\tINCIDENT\tHEIGHT\tTX")
						for _, x := range chainAlerts {
							st := string(x.Status)
							if x.Orphaned {
								st += " (orphaned)"
							}
							fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s %s\t%s\t%s\t%d\t%s\n", x.ID, st, x.Chain, x.Address, x.Amount, x.Asset,
								x.FlagID, x.Incident, x.Height, x.Tx)
						}
					}
					if source != "flags" {
						fmt.Fprintln(w, "LIST ID\tCREATED\tKIND\tQUERY\tNAME\tSCORE")
						for _, x := range listAlerts {
							fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%.2f\n", x.ID, x.CreatedAt.Format("2006-01-02 15:04"), x.Kind, x.Query, x.Name, x.Score)
						}
					}
				})
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&source, "source", "flags", "flags (chain alerts), lists (list-rescreen alerts) or all")
	fl.StringVar(&chainName, "chain", "", "only chain alerts of this chain")
	fl.StringVar(&status, "status", "", "only chain alerts in this status: open, acknowledged, frozen or dismissed")
	fl.IntVar(&limit, "limit", 100, "at most this many of each")
	return cmd
}

func newAlertsShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a chain alert with its path and history",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				x, err := st.ChainAlert(ctx, args[0])
				if err != nil {
					return alertErr(err)
				}
				return a.emit(x, func(w *tabwriter.Writer) { printChainAlert(w, x) })
			})
		},
	}
}

func printChainAlert(w *tabwriter.Writer, x watch.Alert) {
	fmt.Fprintf(w, "id\t%s\nstatus\t%s\nchain\t%s\naddress\t%s (%s %s)\namount\t%s %s\nflag\t%s\nincident\t%s\nactor\t%s\n",
		x.ID, x.Status, x.Chain, x.Address, x.Kind, x.Label, x.Amount, x.Asset, x.FlagID, x.Incident, x.Actor)
	fmt.Fprintf(w, "tx\t%s:%d\nheight\t%d\nhops\t%d (%s)\nretro\t%v\norphaned\t%v\n", x.Tx, x.Vout, x.Height, x.Hop, x.Model, x.Retro, x.Orphaned)
	fmt.Fprintf(w, "path\t%s\n", strings.Join(x.Path, " -> "))
	for _, t := range x.History {
		fmt.Fprintf(w, "history\t%s %s -> %s by %s: %s\n", t.At.Format("2006-01-02 15:04:05"), t.From, t.To, t.By, t.Note)
	}
}

// alertErr maps a refused transition to a usage error (exit 2). A missing
// alert exits 4 once main.go's exit-code table lists watch.ErrNotFound.
func alertErr(err error) error {
	if errors.Is(err, watch.ErrTransition) || errors.Is(err, watch.ErrInvalid) {
		return usageError{err}
	}
	return err
}

func newAlertsMoveCmd(g *globals, use string, to watch.Status, short string) *cobra.Command {
	var note, by string
	cmd := &cobra.Command{
		Use:   use + " ID [--note T] [--by NAME]",
		Short: short,
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if by == "" {
				by = os.Getenv("USER")
			}
			if by == "" {
				by = "cli"
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				x, err := watch.Move(ctx, st, a.store, args[0], to, by, "", note, nowUTC())
				if err != nil {
					return alertErr(err)
				}
				return a.emit(x, func(w *tabwriter.Writer) { printChainAlert(w, x) })
			})
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note recorded with the transition")
	cmd.Flags().StringVar(&by, "by", "", "who made the transition (default: $USER)")
	return cmd
}

func newAlertsScanCmd(g *globals) *cobra.Command {
	var chainName, chainURL, network string
	cmd := &cobra.Command{
		Use:   "scan --chain btc|eth [--chain-store URL] [--network N]",
		Short: "Run the alert engine now: process the indexed blocks it has not, and trace new flags",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := watch.CheckChain(chainName); err != nil {
				return usageError{err}
			}
			params, err := srcbtc.Params(network)
			if err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				var (
					btc bitcoin.ChainReader
					eth ethereum.Reader
				)
				if chainName == watch.BTC {
					s, err := openChainStore(ctx, g, chainURL, a.log)
					if err != nil {
						return err
					}
					defer s.Close()
					btc = s
				} else {
					s, err := openEthStore(ctx, g, chainURL, a.log)
					if err != nil {
						return err
					}
					defer s.Close()
					eth = s
				}
				reps, err := catchUpWatch(ctx, a, btc, params, eth, a.log)
				if err != nil {
					return err
				}
				return a.emit(reps, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "CHAIN\tHEIGHT\tBLOCKS\tALERTS\tRETRO FLAGS\tORPHANED")
					for _, r := range reps {
						fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\n", r.Chain, r.Cursor.Height, r.Blocks, r.Alerts, r.Retro, r.Orphaned)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&chainName, "chain", "", "chain: btc or eth")
	cmd.Flags().StringVar(&chainURL, "chain-store", "", "chain index: pebble://DIR or postgres://... (default: Pebble in the data dir, as ingest)")
	cmd.Flags().StringVar(&network, "network", "mainnet", "Bitcoin network (address encoding), as at ingest")
	return cmd
}
