package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/tags"
)

// newFlagSource gives the alert engine the active flags: on a state store
// that keeps the notification network's flags (both backends), the network's
// active flags plus the local flags file (<data-dir>/watch-flags.json; none
// if absent); otherwise a state store that is itself a FlagSource, or the
// local file alone.
var newFlagSource = func(_ context.Context, a *app) (watch.FlagSource, error) {
	if fs, ok := a.store.(watch.FlagSource); ok {
		return fs, nil
	}
	local := localFlags{path: filepath.Join(a.g.dataDir, "watch-flags.json")}
	if fs, ok, err := networkFlagSource(a, local); ok || err != nil {
		return fs, err
	}
	return local, nil
}

// watchStore is the state store as the watch commands need it.
func watchStore(a *app) (watch.Store, error) {
	st, ok := a.store.(watch.Store)
	if !ok {
		return nil, fmt.Errorf("the state store %T keeps no watchlists", a.store)
	}
	return st, nil
}

// watchHasher loads (creating) the watch key in the data dir.
func watchHasher(g *globals) (*watch.Hasher, error) {
	return watch.LoadHasher(filepath.Join(g.dataDir, "watch.key"))
}

func newWatchCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Keep the member's private watchlist (add, list, remove) and alert settings",
		Long: `The watchlist is the member's own addresses (deposit, hot, cold); it never
leaves this instance. --hashed stores only an HMAC of the normalised address,
keyed by watch.key in the data dir: the alert engine matches it by hashing
the addresses taint reaches. Alerts: see 'interdict alerts'.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		chainName, kind, label string
		hashed                 bool
	)
	add := &cobra.Command{
		Use:   "add --chain btc|eth [--kind deposit|hot|cold] [--label L] [--hashed] ADDR...",
		Short: "Watch addresses",
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := watch.CheckChain(chainName); err != nil {
				return usageError{err}
			}
			k, err := watch.ParseKind(kind)
			if err != nil {
				return usageError{err}
			}
			entries, err := watchEntries(g, chainName, args, hashed)
			if err != nil {
				return err
			}
			for i := range entries {
				entries[i].Kind, entries[i].Label = k, label
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				n, err := st.AddWatch(ctx, entries)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"added": n, "updated": len(entries) - n, "entries": entries}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "added %d, updated %d\n", n, len(entries)-n)
				})
			})
		},
	}
	add.Flags().StringVar(&chainName, "chain", "", "chain: btc or eth")
	add.Flags().StringVar(&kind, "kind", "deposit", "kind: deposit, hot or cold")
	add.Flags().StringVar(&label, "label", "", "a label for the member's own use")
	add.Flags().BoolVar(&hashed, "hashed", false, "store only an HMAC of each address (key: watch.key in the data dir)")

	var rmChain string
	var rmHashed bool
	remove := &cobra.Command{
		Use:   "remove --chain btc|eth [--hashed] ADDR...",
		Short: "Stop watching addresses",
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := watch.CheckChain(rmChain); err != nil {
				return usageError{err}
			}
			entries, err := watchEntries(g, rmChain, args, rmHashed)
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				for _, e := range entries {
					if err := st.RemoveWatch(ctx, e.Chain, e.Address); err != nil {
						return err
					}
				}
				return a.emit(map[string]any{"removed": len(entries)}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "removed %d\n", len(entries))
				})
			})
		},
	}
	remove.Flags().StringVar(&rmChain, "chain", "", "chain: btc or eth")
	remove.Flags().BoolVar(&rmHashed, "hashed", false, "the addresses were added with --hashed")

	var listChain string
	list := &cobra.Command{
		Use:   "list [--chain btc|eth]",
		Short: "List watched addresses (hashed ones as their HMAC)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				got, err := st.Watchlist(ctx, listChain)
				if err != nil {
					return err
				}
				return a.emit(got, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "CHAIN\tADDRESS\tKIND\tHASHED\tLABEL")
					for _, e := range got {
						fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\n", e.Chain, e.Address, e.Kind, e.Hashed, e.Label)
					}
				})
			})
		},
	}
	list.Flags().StringVar(&listChain, "chain", "", "only this chain")
	cmd.AddCommand(add, remove, list, newWatchSettingsCmd(g))
	return cmd
}

// watchEntries normalises (and with hashed, hashes) the addresses.
func watchEntries(g *globals, c string, args []string, hashed bool) ([]watch.Entry, error) {
	var h *watch.Hasher
	if hashed {
		var err error
		if h, err = watchHasher(g); err != nil {
			return nil, usageError{err}
		}
	}
	out := make([]watch.Entry, 0, len(args))
	for _, arg := range args {
		n, err := watch.NormalizeAddress(c, arg)
		if err != nil {
			return nil, usageError{err}
		}
		e := watch.Entry{Chain: c, Address: n}
		if h != nil {
			e.Address, e.Hashed = h.Hash(c, n), true
		}
		out = append(out, e)
	}
	return out, nil
}

func newWatchSettingsCmd(g *globals) *cobra.Command {
	var (
		model, minAmount string
		maxHops, minConf int
		stopAt           []string
	)
	cmd := &cobra.Command{
		Use:   "settings [--model poison|haircut|fifo] [--max-hops N] [--min-amount A] [--stop-at CATS] [--min-confidence N]",
		Short: "Show or change the alert settings (taint model, hop limit, minimum amount in smallest units, stop at tagged services)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := watchStore(a)
				if err != nil {
					return err
				}
				s, err := st.WatchSettings(ctx)
				if err != nil {
					return err
				}
				fl := cmd.Flags()
				if fl.Changed("model") {
					m, err := trace.ParseModel(model)
					if err != nil {
						return usageError{err}
					}
					s.Model = m
				}
				if fl.Changed("max-hops") {
					s.MaxHops = maxHops
				}
				if fl.Changed("min-amount") {
					v, ok := new(big.Int).SetString(minAmount, 10)
					if !ok {
						return usageError{fmt.Errorf("--min-amount %q: want an integer in the smallest unit (satoshi, wei)", minAmount)}
					}
					s.MinAmount = v
				}
				if fl.Changed("stop-at") {
					s.StopCategories = nil
					for _, c := range stopAt {
						if c = strings.TrimSpace(c); c != "" && c != "none" {
							s.StopCategories = append(s.StopCategories, strings.ToLower(c))
						}
					}
				}
				if fl.Changed("min-confidence") {
					s.MinConfidence = minConf
				}
				if err := s.Check(); err != nil {
					return usageError{err}
				}
				if fl.Changed("model") || fl.Changed("max-hops") || fl.Changed("min-amount") || fl.Changed("stop-at") || fl.Changed("min-confidence") {
					if err := st.SetWatchSettings(ctx, s); err != nil {
						return err
					}
				}
				stops := s.StopCategories
				if stops == nil {
					stops = []string{}
				}
				out := map[string]any{"model": s.Model, "max_hops": s.MaxHops, "min_amount": s.MinAmount.String(),
					"stop_categories": stops, "min_confidence": s.MinConfidence}
				return a.emit(out, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "model\t%s\nmax hops\t%d\nmin amount\t%s\nstop at\t%s\nmin confidence\t%d\n",
						s.Model, s.MaxHops, s.MinAmount, watch.EncodeStops(stops), s.MinConfidence)
				})
			})
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "taint model: poison, haircut or fifo")
	cmd.Flags().IntVar(&maxHops, "max-hops", 0, "hops followed from a flagged source (0: no limit)")
	cmd.Flags().StringVar(&minAmount, "min-amount", "", "taint below this (smallest units) is neither followed nor alerted on")
	cmd.Flags().StringSliceVar(&stopAt, "stop-at", nil, "tag categories where taint stops (alerted on, not followed): e.g. exchange,bridge,mixer,coinjoin; none for no stop")
	cmd.Flags().IntVar(&minConf, "min-confidence", 0, "the tag confidence (0-100) from which --stop-at applies")
	return cmd
}

// watchAfterIngest runs the alert engine after an ingest committed: the
// process that holds the chain store catches the engine up, so a block
// that pays a watched address alerts in the same run. btc or eth is the
// index just written (the other nil). A failure is logged, not returned:
// the ingest itself succeeded, and the next run or 'alerts scan' catches
// up.
func watchAfterIngest(ctx context.Context, g *globals, btc bitcoin.ChainReader, params *chaincfg.Params, eth ethereum.Reader, log *slog.Logger) {
	reps, err := runWatchEngine(context.WithoutCancel(ctx), g, btc, params, eth, log)
	logWatchRun(ctx, reps, err, log)
}

// logWatchRun logs what a run of the alert engine after a commit did.
func logWatchRun(ctx context.Context, reps []watch.Report, err error, log *slog.Logger) {
	if err != nil {
		log.Error("alert engine failed after ingest; run 'interdict alerts scan' to catch up", "err", err)
		return
	}
	for _, r := range reps {
		lvl := slog.LevelDebug // quiet unless it found something
		if r.Alerts > 0 || r.Orphaned > 0 {
			lvl = slog.LevelInfo
		}
		log.Log(ctx, lvl, "alert engine ran", "chain", r.Chain, "height", r.Cursor.Height, "blocks", r.Blocks,
			"alerts", r.Alerts, "retro_flags", r.Retro, "orphaned", r.Orphaned)
	}
}

// runWatchEngine opens the state store and runs one CatchUp.
func runWatchEngine(ctx context.Context, g *globals, btc bitcoin.ChainReader, params *chaincfg.Params, eth ethereum.Reader, log *slog.Logger) ([]watch.Report, error) {
	a, err := g.open(ctx)
	if err != nil {
		return nil, err
	}
	defer a.close()
	return catchUpWatch(ctx, a, btc, params, eth, log)
}

func catchUpWatch(ctx context.Context, a *app, btc bitcoin.ChainReader, params *chaincfg.Params, eth ethereum.Reader, log *slog.Logger) ([]watch.Report, error) {
	e, err := newWatchEngine(ctx, a, btc, params, eth, log)
	if err != nil {
		return nil, err
	}
	return catchUpWith(ctx, e)
}

// catchUpWith runs one CatchUp of e; an invalid setup is a usage error.
func catchUpWith(ctx context.Context, e *watch.Engine) ([]watch.Report, error) {
	reps, err := e.CatchUp(ctx)
	if errors.Is(err, watch.ErrInvalid) {
		return reps, usageError{err}
	}
	return reps, err
}

// newWatchEngine builds the alert engine over the app's state store and the
// chain index just written (btc or eth; the other nil).
func newWatchEngine(ctx context.Context, a *app, btc bitcoin.ChainReader, params *chaincfg.Params, eth ethereum.Reader, log *slog.Logger) (*watch.Engine, error) {
	st, err := watchStore(a)
	if err != nil {
		return nil, err
	}
	fs, err := newFlagSource(ctx, a)
	if err != nil {
		return nil, err
	}
	// Hashed entries exist only once 'watch add --hashed' made the key: an
	// instance without one needs none (and an ingest makes none).
	var h *watch.Hasher
	if _, err := os.Stat(filepath.Join(a.g.dataDir, "watch.key")); err == nil {
		if h, err = watchHasher(a.g); err != nil {
			return nil, err
		}
	}
	d := watch.Deps{Store: st, Flags: fs, BTCParams: params, Hasher: h, Log: log}
	if ts, ok := a.store.(tags.Store); ok {
		d.Tags = freshTagger{ts}
	}
	if btc != nil {
		d.BTC = btc
	}
	if eth != nil {
		d.ETH = eth
	}
	return watch.NewEngine(d, watch.DefaultConfig())
}

// freshTagger reads the state store's tags anew on each lookup (the engine
// caches them for one catch-up), so that a following ingest sees tags
// imported while it runs.
type freshTagger struct{ st tags.Store }

func (f freshTagger) Tags(ctx context.Context, chain, address string) ([]trace.Tag, error) {
	return newStoreTagger(f.st).Tags(ctx, chain, address)
}

// localFlags is the data dir's watch-flags.json: a JSON array of
// watch.Source, the member's own flagged subjects, for an instance that is
// not on the notification network and for drills.
type localFlags struct{ path string }

func (l localFlags) ActiveFlags(_ context.Context, chain string) ([]watch.Source, error) {
	b, err := os.ReadFile(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []watch.Source
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", l.path, err)
	}
	var out []watch.Source
	for _, s := range all {
		if s.Chain == chain {
			if s.Address != "" || s.Tx == "" {
				s.Vout = -1
			}
			out = append(out, s)
		}
	}
	return out, nil
}
