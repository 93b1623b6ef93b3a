package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
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

// collectedSource is one thing read: the declared configuration or a
// collector's reading.
type collectedSource struct {
	Label     string            `json:"label"`
	Collector string            `json:"collector"`
	SHA256    string            `json:"sha256"`
	URI       string            `json:"uri"`
	Outcomes  []inspect.Outcome `json:"outcomes"`
	Safe      *safe.Config      `json:"safe,omitempty"`
	// Reading is what a collector read, when, and what it found.
	Reading *inspect.Reading `json:"reading,omitempty"`
	eval    inspect.Evaluation
	// checks are the checks this source decides: for a reading, those its
	// facts change or decide (the file's other facts are not its findings).
	checks map[string]bool
}

func newInspectCollectCmd(g *globals) *cobra.Command {
	var f collectFlags
	cmd := &cobra.Command{
		Use:   "collect ID [--config FILE] [--safe ADDRESS... --rpc URL] [--hot-wallets FILE] [--signers FILE] [--github FILE] [--lockfile FILE...] [--roles FILE | --privileged]",
		Short: "Evaluate a declared configuration and what the collectors read (Safes, hot wallets, signer drift, GitHub, lockfiles, privileged people): controls of failed checks are answered not_implemented, with evidence",
		Long: `Evaluate a configuration file (the "config" object of internal/action/inspect/testdata/hardened.json)
and what each collector reads, with the checks of the crosswalk:
  --safe (with --rpc)   Safe multisigs on chain: threshold, owners, modules, guard, delay module
  --hot-wallets         balances of hot wallets at the chain indexes' tip against their caps
  --signers             fingerprint drift of signer addresses' outgoing transactions
  --github              a GitHub organisation export: 2FA, branch protection, outside admins
  --lockfile            lockfiles: pinning, known malicious and look-alike packages
  --roles/--privileged  privileged seats held by people not verified in person
Each reading is evaluated with the file's other facts. Each control of a failed check the
reading decides is answered not_implemented, with the source, the check and its reason as the
note; checks that pass or cannot be decided change no answer (a passing check covers only part
of a control). What was read is recorded once per control it decided, as config_export evidence
with its SHA-256 and collector. Owner keys shared by several Safes are listed.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !f.any() {
				return usageError{errors.New("give --config or at least one collector flag (--safe, --hot-wallets, --signers, --github, --lockfile, --roles, --privileged)")}
			}
			if len(f.safes) > 0 && f.rpcURL == "" {
				return usageError{errors.New("--safe needs --rpc")}
			}
			var base inspect.Config
			var sources []collectedSource
			if f.config != "" {
				b, err := readFile(f.config)
				if err != nil {
					return err
				}
				if base, err = inspect.DecodeConfig(b); err != nil {
					return wrapInspect(err)
				}
				sum := sha256.Sum256(b)
				sources = append(sources, collectedSource{Label: "declared configuration " + filepath.Base(f.config), Collector: "config",
					SHA256: hex.EncodeToString(sum[:]), URI: "file://" + absPath(f.config)})
			}
			for _, s := range f.safes {
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
				readings, read, err := f.readings(ctx, g, a)
				if err != nil {
					return err
				}
				baseEval, err := c.Evaluate(base)
				if err != nil {
					return err
				}
				for i := range readings {
					r := &readings[i]
					sum, err := r.SHA256()
					if err != nil {
						return err
					}
					src := collectedSource{Label: r.Label, Collector: r.Collector, SHA256: sum, URI: r.URI, Reading: r}
					if sc, ok := r.Detail.(*safe.Config); ok {
						src.Safe = sc
					}
					sources = append(sources, src)
				}
				doc := collectDoc{Inspection: args[0]}
				for i := range sources {
					cfg := base
					if r := sources[i].Reading; r != nil {
						if err := r.Apply(&cfg); err != nil {
							return err
						}
					}
					if sources[i].eval, err = c.Evaluate(cfg); err != nil {
						return err
					}
					if r := sources[i].Reading; r != nil {
						if sources[i].checks, err = decidedChecks(c, baseEval, sources[i].eval, r); err != nil {
							return err
						}
					}
					sources[i].Outcomes = sources[i].eval.Outcomes
					if err := recordCollected(ctx, st, c, args[0], f.by, sources[i], &doc); err != nil {
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
							if s.checks == nil || s.checks[o.Check] {
								fmt.Fprintf(w, "%s\t%s\t%s\n", o.Check, o.Status, o.Reason)
							}
						}
						if s.Reading != nil {
							for _, fnd := range s.Reading.Findings {
								fmt.Fprintf(w, "  finding: %s\n", fnd)
							}
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
	f.register(cmd)
	return cmd
}

// decidedChecks are the checks a reading decides: those decided on its facts
// alone, or whose outcome its facts change from the file's.
func decidedChecks(c *inspect.Catalogue, base, with inspect.Evaluation, r *inspect.Reading) (map[string]bool, error) {
	var alone inspect.Config
	if err := r.Apply(&alone); err != nil {
		return nil, err
	}
	ev, err := c.Evaluate(alone)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i, o := range with.Outcomes {
		if ev.Outcomes[i].Status != inspect.Unknown || o.Status != base.Outcomes[i].Status {
			out[o.Check] = true
		}
	}
	return out, nil
}

// recordCollected answers the controls of one source's failed checks and
// records the source as evidence for every control a check decided.
func recordCollected(ctx context.Context, st inspect.Store, c *inspect.Catalogue, id, by string, src collectedSource, doc *collectDoc) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, f := range src.eval.Failed {
		if src.checks != nil {
			var mine []string
			for _, ch := range f.Checks {
				if src.checks[ch] {
					mine = append(mine, ch)
				}
			}
			if len(mine) == 0 {
				continue
			}
			f.Checks = mine
		}
		note := "collected from " + src.Label + ": " + strings.Join(f.Checks, ", ") + ": " + strings.Join(f.Reasons, "; ")
		if r := src.Reading; r != nil && len(r.Findings) > 0 {
			// the reading's own evidence, so a report shows what was found
			const shown = 5
			fs := r.Findings[:min(len(r.Findings), shown)]
			note += ". Found: " + strings.Join(fs, "; ")
			if n := len(r.Findings) - len(fs); n > 0 {
				note += fmt.Sprintf("; and %d more", n)
			}
		}
		ans := inspect.Answer{Control: f.Control, Status: inspect.NotImplemented, By: by, At: now, Note: note}
		if err := st.PutAnswer(ctx, id, ans); err != nil {
			return wrapInspect(err)
		}
		doc.Answers++
		doc.Failed = append(doc.Failed, f)
	}
	decided := map[string]bool{}
	for _, o := range src.eval.Outcomes {
		if o.Status == inspect.Unknown || src.checks != nil && !src.checks[o.Check] {
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
