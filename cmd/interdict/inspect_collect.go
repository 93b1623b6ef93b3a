package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/safe"
)

// collectDoc is what collect prints.
type collectDoc struct {
	Inspection string              `json:"inspection"`
	Sources    []collectedSource   `json:"sources"`
	Failed     []inspect.Finding   `json:"failed"`
	Reused     map[string][]string `json:"reused_owners,omitempty"`
	Evidence   int                 `json:"evidence"`
	Answers    int                 `json:"answers"`
}

// collectedSource is one thing read: the declared configuration or a Safe.
type collectedSource struct {
	Label     string            `json:"label"`
	Collector string            `json:"collector"`
	SHA256    string            `json:"sha256"`
	URI       string            `json:"uri"`
	Outcomes  []inspect.Outcome `json:"outcomes"`
	Safe      *safe.Config      `json:"safe,omitempty"`
	eval      inspect.Evaluation
}

func newInspectCollectCmd(g *globals) *cobra.Command {
	var configPath, by, rpcURL string
	var safes []string
	cmd := &cobra.Command{
		Use:   "collect ID [--config FILE] [--safe ADDRESS... --rpc URL]",
		Short: "Evaluate a declared configuration and Safe multisigs read on chain: controls of failed checks are answered not_implemented, with evidence",
		Long: `Evaluate a configuration file (the "config" object of internal/action/inspect/testdata/hardened.json)
and each --safe multisig read over --rpc (threshold, owners, modules, guard, delay module;
each Safe is evaluated with the file's other facts) with the checks of the crosswalk. Each
control of a failed check is answered not_implemented, with the source, the check and its
reason as the note; checks that pass or cannot be decided change no answer (a passing check
covers only part of a control). What was read is recorded once per control it decided, as
config_export evidence with its SHA-256 and collector. Owner keys shared by several Safes are
listed.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if configPath == "" && len(safes) == 0 {
				return usageError{errors.New("give --config, --safe, or both")}
			}
			if len(safes) > 0 && rpcURL == "" {
				return usageError{errors.New("--safe needs --rpc")}
			}
			var base inspect.Config
			var sources []collectedSource
			if configPath != "" {
				b, err := os.ReadFile(configPath)
				if err != nil {
					return usageError{err}
				}
				if base, err = inspect.DecodeConfig(b); err != nil {
					return wrapInspect(err)
				}
				sum := sha256.Sum256(b)
				sources = append(sources, collectedSource{Label: "declared configuration " + filepath.Base(configPath), Collector: "config",
					SHA256: hex.EncodeToString(sum[:]), URI: "file://" + absPath(configPath)})
			}
			for _, s := range safes {
				if !common.IsHexAddress(s) {
					return usageError{fmt.Errorf("--safe %q is not an address", s)}
				}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, c, err := a.inspect()
				if err != nil {
					return err
				}
				if _, err := st.Inspection(ctx, args[0]); err != nil {
					return wrapInspect(err)
				}
				var read []*safe.Config
				if len(safes) > 0 {
					client, err := ethclient.DialContext(ctx, rpcURL)
					if err != nil {
						return fmt.Errorf("dial %s: %w", rpcURL, err)
					}
					defer client.Close()
					for _, s := range safes {
						sc, err := safe.Read(ctx, client, common.HexToAddress(s), time.Now())
						if err != nil {
							return wrapInspect(err)
						}
						read = append(read, sc)
						body, _ := json.Marshal(sc)
						sum := sha256.Sum256(body)
						sources = append(sources, collectedSource{Label: "Safe " + sc.Address.Hex(), Collector: "safe",
							SHA256: hex.EncodeToString(sum[:]), URI: "eip155:" + sc.Address.Hex(), Safe: sc})
					}
				}
				doc := collectDoc{Inspection: args[0]}
				for i := range sources {
					cfg := base
					if sc := sources[i].Safe; sc != nil {
						sc.Apply(&cfg)
					}
					if sources[i].eval, err = c.Evaluate(cfg); err != nil {
						return err
					}
					sources[i].Outcomes = sources[i].eval.Outcomes
					if err := recordCollected(ctx, st, c, args[0], by, sources[i], &doc); err != nil {
						return err
					}
				}
				doc.Sources = sources
				if re := safe.ReusedOwners(read); len(re) > 0 {
					doc.Reused = map[string][]string{}
					for o, list := range re {
						for _, s := range list {
							doc.Reused[o.Hex()] = append(doc.Reused[o.Hex()], s.Hex())
						}
					}
				}
				return a.emit(doc, func(w *tabwriter.Writer) {
					for _, s := range doc.Sources {
						fmt.Fprintf(w, "%s\nCHECK\tRESULT\tREASON\n", s.Label)
						for _, o := range s.Outcomes {
							fmt.Fprintf(w, "%s\t%s\t%s\n", o.Check, o.Status, o.Reason)
						}
						fmt.Fprintln(w)
					}
					for o, list := range doc.Reused {
						fmt.Fprintf(w, "owner %s signs for %s\n", o, strings.Join(list, ", "))
					}
					fmt.Fprintf(w, "%d controls answered not_implemented, %d evidence items\n", doc.Answers, doc.Evidence)
				})
			})
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "the configuration file (JSON)")
	cmd.Flags().StringSliceVar(&safes, "safe", nil, "a Safe multisig address to read (repeat or comma-separate)")
	cmd.Flags().StringVar(&rpcURL, "rpc", "", "Ethereum JSON-RPC URL for --safe")
	cmd.Flags().StringVar(&by, "by", whoami(), "who collects")
	return cmd
}

// recordCollected answers the controls of one source's failed checks and
// records the source as evidence for every control a check decided.
func recordCollected(ctx context.Context, st inspect.Store, c *inspect.Catalogue, id, by string, src collectedSource, doc *collectDoc) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, f := range src.eval.Failed {
		ans := inspect.Answer{Control: f.Control, Status: inspect.NotImplemented, By: by, At: now,
			Note: "collected from " + src.Label + ": " + strings.Join(f.Checks, ", ") + ": " + strings.Join(f.Reasons, "; ")}
		if err := st.PutAnswer(ctx, id, ans); err != nil {
			return wrapInspect(err)
		}
		doc.Answers++
		doc.Failed = append(doc.Failed, f)
	}
	decided := map[string]bool{}
	for _, o := range src.eval.Outcomes {
		if o.Status == inspect.Unknown {
			continue
		}
		for _, ch := range c.Checks {
			if ch.ID == o.Check {
				for _, k := range ch.Controls {
					decided[k] = true
				}
			}
		}
	}
	for _, k := range c.Controls() {
		if !decided[k] {
			continue
		}
		e := inspect.Evidence{ID: src.Collector + "-" + src.SHA256[:12] + "-" + k, Control: k, Kind: inspect.ConfigExport,
			Title: src.Label, Owner: by, Date: now, SHA256: src.SHA256, URI: src.URI, Collector: src.Collector}
		if err := st.AddEvidence(ctx, id, e); err != nil && !errors.Is(err, inspect.ErrExists) {
			return wrapInspect(err)
		}
		doc.Evidence++
	}
	return nil
}
