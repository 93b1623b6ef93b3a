package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/action/watch"
)

// hubKeyEnv holds the member's key at the hub when --key is not given, so
// the key stays out of the process list and shell history.
const hubKeyEnv = "INTERDICT_HUB_KEY"

// hubTimeout bounds one filter download.
const hubTimeout = time.Minute

// watchlist is what filter check reads of the watch store.
type watchlist interface {
	Watchlist(ctx context.Context, chain string) ([]watch.Entry, error)
}

func newFilterCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "filter", Short: "Check your watched addresses against a hub's per-block filters"}
	cmd.AddCommand(newFilterCheckCmd(g))
	return cmd
}

func newFilterCheckCmd(g *globals) *cobra.Command {
	var (
		hub, key, chainName, watchedFile string
		from, to                         int64
	)
	cmd := &cobra.Command{
		Use:   "check --hub URL --key K --chain C --from H [--to H] [--watched FILE]",
		Short: "Download the hub's filters of blocks H..H and test the watched addresses locally",
		Long: `check downloads the hub's filter of newly tainted addresses for each block from
--from to --to (default: --from) and tests this instance's watched addresses
against them here: only the chain and the heights go to the hub, never an
address. A candidate is an address the filter may hold: confirm it (a trace,
or the flag it came from) before acting; expected_false_candidates says how
many candidates chance alone would give. Blocks the hub has not processed
yet are listed as missing. The watched addresses come from the watch store,
or from --watched FILE (one address a line, # comments).`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if key == "" {
				key = os.Getenv(hubKeyEnv)
			}
			switch {
			case hub == "":
				return usageError{errors.New("--hub is required")}
			case key == "":
				return usageError{fmt.Errorf("--key (or %s) is required", hubKeyEnv)}
			case chainName == "":
				return usageError{errors.New("--chain is required")}
			case !cmd.Flags().Changed("from"):
				return usageError{errors.New("--from is required")}
			}
			if !cmd.Flags().Changed("to") {
				to = from
			}
			if from < 0 || to < from {
				return usageError{fmt.Errorf("--from %d --to %d: want 0 <= from <= to", from, to)}
			}
			if err := hubfilter.CheckChain(chainName); err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				watched, err := a.watched(ctx, chainName, watchedFile)
				if err != nil {
					return err
				}
				c := &hubfilter.Client{Base: hub, Key: key, HTTP: &http.Client{Timeout: hubTimeout}}
				rep, err := c.Check(ctx, chainName, from, to, watched)
				if err != nil {
					return err
				}
				return a.emit(rep, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "chain\t%s\nblocks\t%d..%d (%d checked, %d missing)\nwatched\t%d\nexpected false candidates\t%.3f\n",
						rep.Chain, rep.From, rep.To, rep.Checked, len(rep.Missing), rep.Watched, rep.ExpectedFalse)
					if len(rep.Candidates) == 0 {
						fmt.Fprintln(w, "candidates\tnone")
					}
					for _, c := range rep.Candidates {
						fmt.Fprintf(w, "candidate\t%d\t%s\n", c.Height, c.Address)
					}
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&hub, "hub", "", "the hub's base URL, e.g. https://hub.example.org")
	f.StringVar(&key, "key", "", "this member's API key at the hub (default: $"+hubKeyEnv+")")
	f.StringVar(&chainName, "chain", "", "chain: btc or eth")
	f.Int64Var(&from, "from", 0, "first block height")
	f.Int64Var(&to, "to", 0, "last block height (default: --from)")
	f.StringVar(&watchedFile, "watched", "", "file of watched addresses instead of the watch store")
	return cmd
}

// watched returns the addresses to test: from file when given, else from
// the watch store.
func (a *app) watched(ctx context.Context, chainName, file string) ([]string, error) {
	if file != "" {
		return readAddressFile(file)
	}
	ws, ok := a.store.(watchlist)
	if !ok {
		return nil, usageError{errors.New("this build's state store keeps no watchlist: give --watched FILE")}
	}
	entries, err := ws.Watchlist(ctx, chainName)
	if err != nil {
		return nil, err
	}
	var out []string
	hashed := 0
	for _, e := range entries {
		if e.Hashed {
			hashed++ // a keyed hash cannot be tested against the hub's keys
			continue
		}
		out = append(out, e.Address)
	}
	if hashed > 0 {
		a.log.Warn("hashed watch entries are not checked against hub filters", "chain", chainName, "count", hashed)
	}
	return out, nil
}

func readAddressFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("--watched: %w", err)}
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--watched %s: %w", path, err)
	}
	return out, nil
}
