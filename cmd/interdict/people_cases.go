package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/share/taxii"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/serve/auth"
)

// workflowCmds are the people subcommands for cases, re-screening, role
// gating and sharing (people_cases.go, people_gate.go, people_share.go).
func (pc *peopleCmd) workflowCmds() []*cobra.Command {
	return []*cobra.Command{pc.caseCmd(), pc.rescreenCmd(), pc.gateCmd(), pc.shareCmd()}
}

// workflowErr maps the workflow errors to exit codes: an unknown case is
// not found (4), a bad request a usage error (2), a bad roles file
// malformed input (65).
func workflowErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, vet.ErrCaseNotFound):
		return peopleNotFound{err}
	case errors.Is(err, vet.ErrCaseInvalid), errors.Is(err, vet.ErrShare):
		return usageError{err}
	case errors.Is(err, vet.ErrRoles):
		return peopleInput{err}
	}
	return err
}

// caseStore returns the state store's cases.
func caseStore(a *app) (vet.CaseStore, error) {
	cs, ok := a.store.(vet.CaseStore)
	if !ok {
		return nil, fmt.Errorf("the state store %T keeps no cases", a.store)
	}
	return cs, nil
}

// runCases opens the app and the case workflow (no people key needed).
func (pc *peopleCmd) runCases(cmd *cobra.Command, fn func(ctx context.Context, a *app, cs *vet.Cases) error) error {
	return pc.g.run(cmd, func(ctx context.Context, a *app) error {
		st, err := caseStore(a)
		if err != nil {
			return err
		}
		return workflowErr(fn(ctx, a, vet.NewCases(st)))
	})
}

// vault loads the instance's people key (the --key-file of people).
func (pc *peopleCmd) vault() (*people.Vault, error) {
	path := *pc.keyFile
	if path == "" {
		path = filepath.Join(pc.g.dataDir, "people.key")
	}
	key, err := people.LoadKey(path)
	if err != nil {
		return nil, usageError{err}
	}
	v, err := people.NewVault(key)
	if err != nil {
		return nil, usageError{err}
	}
	return v, nil
}

// audit writes a CLI change to the store's audit log, as the API does for
// every mutating call.
func audit(ctx context.Context, a *app, actor, action, target string) error {
	return a.store.AppendAudit(ctx, auth.AuditEntry{KeyID: "cli:" + actor, Action: action, Target: target, Status: 200})
}

func (pc *peopleCmd) caseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Review cases on persons and persona clusters: open, note, decide, list, show",
		Long: `A case reviews one person or a persona cluster. Re-screening opens cases when it finds
new flagging signals; a reviewer can open one by hand. Every change (opening, notes,
signals, decisions) is kept in the case's trail with who, when and why, and in the audit
log. Only a person records a disposition: cleared, escalated, rejected or
verified_in_person (the status privileged roles need, see people gate).`,
	}
	cmd.AddCommand(pc.caseOpenCmd(), pc.caseNoteCmd(), pc.caseDecideCmd(), pc.caseListCmd(), pc.caseShowCmd())
	return cmd
}

func requireBy(by string) error {
	if strings.TrimSpace(by) == "" {
		return usageError{errors.New("--by is required: name the reviewer")}
	}
	return nil
}

func (pc *peopleCmd) caseOpenCmd() *cobra.Command {
	var (
		persons     []string
		cluster     string
		by, reason  string
		withCluster bool
	)
	cmd := &cobra.Command{
		Use:   "open (--person ID... | --cluster ID) --by NAME --reason TEXT",
		Short: "Open a case by hand on persons, or on the whole cluster of a person",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireBy(by); err != nil {
				return err
			}
			if cluster != "" {
				withCluster = true
				persons = append(persons, cluster)
			}
			if len(persons) == 0 {
				return usageError{errors.New("give --person or --cluster")}
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				if withCluster {
					c, ok := svc.Graph().ClusterOf(cluster)
					if !ok {
						return fmt.Errorf("person %s: %w", cluster, people.ErrNotFound)
					}
					persons = append(persons, c.Members...)
				}
				for _, id := range persons {
					if _, ok := svc.Graph().ClusterOf(id); !ok {
						return fmt.Errorf("person %s: %w", id, people.ErrNotFound)
					}
				}
				st, err := caseStore(a)
				if err != nil {
					return err
				}
				c, err := vet.NewCases(st).Open(ctx, persons, by, reason, nil)
				if err != nil {
					return workflowErr(err)
				}
				if err := audit(ctx, a, by, "people case open", c.ID); err != nil {
					return err
				}
				return a.emit(c, func(w *tabwriter.Writer) { writeCase(w, c) })
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&persons, "person", nil, "person id (repeat or comma-separate)")
	f.StringVar(&cluster, "cluster", "", "a person whose whole persona cluster the case covers")
	f.StringVar(&by, "by", "", "the reviewer opening the case")
	f.StringVar(&reason, "reason", "", "why the case is opened")
	return cmd
}

func (pc *peopleCmd) caseNoteCmd() *cobra.Command {
	var by, text string
	cmd := &cobra.Command{
		Use:   "note CASE --by NAME --text TEXT",
		Short: "Add a reviewer's note to a case",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireBy(by); err != nil {
				return err
			}
			return pc.runCases(cmd, func(ctx context.Context, a *app, cs *vet.Cases) error {
				ev, err := cs.Note(ctx, args[0], by, text)
				if err != nil {
					return err
				}
				if err := audit(ctx, a, by, "people case note", args[0]); err != nil {
					return err
				}
				return a.emit(ev, func(w *tabwriter.Writer) { fmt.Fprintf(w, "case %s: note %d recorded\n", args[0], ev.Seq) })
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "the reviewer writing the note")
	cmd.Flags().StringVar(&text, "text", "", "the note")
	return cmd
}

func (pc *peopleCmd) caseDecideCmd() *cobra.Command {
	var by, disposition, reason string
	cmd := &cobra.Command{
		Use:   "decide CASE --by NAME --disposition D --reason TEXT",
		Short: "Record a reviewer's disposition on a case: cleared, escalated, rejected, verified_in_person",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireBy(by); err != nil {
				return err
			}
			return pc.runCases(cmd, func(ctx context.Context, a *app, cs *vet.Cases) error {
				ev, err := cs.Decide(ctx, args[0], by, vet.Disposition(disposition), reason)
				if err != nil {
					return err
				}
				if err := audit(ctx, a, by, "people case decide "+disposition, args[0]); err != nil {
					return err
				}
				return a.emit(ev, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "case %s: %s by %s at %s\n", args[0], ev.Disposition, ev.Actor, ev.At.Format("2006-01-02T15:04:05Z"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "the reviewer deciding (a person: the system never decides)")
	cmd.Flags().StringVar(&disposition, "disposition", "", "cleared, escalated, rejected or verified_in_person")
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}

func (pc *peopleCmd) caseListCmd() *cobra.Command {
	var f vet.CaseFilter
	var status string
	cmd := &cobra.Command{
		Use:   "list [--person ID] [--status open|closed] [--limit N]",
		Short: "List cases, newest first",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch vet.CaseStatus(status) {
			case "", vet.CaseOpen, vet.CaseClosed:
				f.Status = vet.CaseStatus(status)
			default:
				return usageError{fmt.Errorf("--status %q: want open or closed", status)}
			}
			return pc.runCases(cmd, func(ctx context.Context, a *app, cs *vet.Cases) error {
				list, err := cs.List(ctx, f)
				if err != nil {
					return err
				}
				if list == nil {
					list = []vet.Case{}
				}
				return a.emit(list, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "CASE\tSTATUS\tDISPOSITION\tOPENED\tBY\tPERSONS\tREASON")
					for _, c := range list {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Status, orDash(string(c.Disposition)),
							c.Opened.Format("2006-01-02T15:04:05Z"), c.OpenedBy, strings.Join(c.Persons, ","), c.Reason)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&f.PersonID, "person", "", "only cases naming this person")
	cmd.Flags().StringVar(&status, "status", "", "open or closed")
	cmd.Flags().IntVar(&f.Limit, "limit", 100, "most cases listed")
	return cmd
}

func (pc *peopleCmd) caseShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show CASE",
		Short: "Show a case and its whole trail",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pc.runCases(cmd, func(ctx context.Context, a *app, cs *vet.Cases) error {
				c, err := cs.Case(ctx, args[0])
				if err != nil {
					return err
				}
				return a.emit(c, func(w *tabwriter.Writer) { writeCase(w, c) })
			})
		},
	}
}

func writeCase(w *tabwriter.Writer, c vet.Case) {
	fmt.Fprintf(w, "case\t%s\nstatus\t%s\ndisposition\t%s\npersons\t%s\nopened\t%s by %s: %s\n", c.ID, c.Status,
		orDash(string(c.Disposition)), strings.Join(c.Persons, ","), c.Opened.Format("2006-01-02T15:04:05Z"), c.OpenedBy, c.Reason)
	if len(c.Events) > 0 {
		fmt.Fprintln(w, "SEQ\tAT\tACTOR\tACTION\tTEXT")
	}
	for _, e := range c.Events {
		act := string(e.Action)
		if e.Disposition != "" {
			act += " " + string(e.Disposition)
		}
		text := e.Text
		if len(e.Signals) > 0 {
			text += " [" + strings.Join(e.Signals, " ") + "]"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format("2006-01-02T15:04:05Z"), e.Actor, act, text)
	}
}

func (pc *peopleCmd) rescreenCmd() *cobra.Command {
	var (
		reason, isacKey, shared string
		persons                 []string
		ifListsChanged          bool
		changedID               string
	)
	cmd := &cobra.Command{
		Use:   "rescreen [--person ID... | --changed ID] [--reason TEXT] [--shared FILE --isac-key FILE]",
		Short: "Re-assess persons, record only new signals and open or update cases for them",
		Long: `Re-assess every person (or those given) against the current lists and the other persons,
and, with --shared, against hashed personas other members shared (a STIX bundle, TAXII
envelope or JSON lines, as people share pull writes them; matched with --isac-key). Only
signals not seen before are recorded; a person with a new flagging signal gets a case
(its open case updated, a decided one reopened, else a new case on its cluster). Nothing
is ever decided: that is a reviewer's job (people case decide).

Other code calls the same re-screener (vet.Rescreener: ListLoaded, IndicatorsChanged,
PersonChanged) when a list version loads, indicators change or a person's identifiers do.
With --changed ID (after the person's identifiers changed, e.g. people add of an existing
id) it re-screens that person, its cluster and every person sharing an identifier with it.
With --if-lists-changed (for cron, after lists update) it re-screens only when the latest
list versions differ from those of the last re-screening, and names them as the reason.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (shared == "") != (isacKey == "") {
				return usageError{errors.New("--shared and --isac-key go together")}
			}
			if changedID != "" && (len(persons) > 0 || ifListsChanged) {
				return usageError{errors.New("--changed goes without --person and --if-lists-changed")}
			}
			v, err := pc.vault()
			if err != nil {
				return err
			}
			var sources []vet.SignalSource
			if shared != "" {
				m, err := loadSharedMatcher(isacKey, shared)
				if err != nil {
					return workflowErr(err)
				}
				sources = append(sources, m)
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				st, err := caseStore(a)
				if err != nil {
					return err
				}
				lists, err := latestListIDs(ctx, a)
				if err != nil {
					return err
				}
				state, _ := a.store.(taxii.StateStore)
				prev := ""
				if state != nil {
					if prev, err = state.ClientState(ctx, rescreenListsState); err != nil {
						return err
					}
				}
				changed := prev != "lists:"+lists
				if ifListsChanged && !changed {
					return a.emit(map[string]any{"unchanged": true, "lists": lists}, func(w *tabwriter.Writer) {
						fmt.Fprintf(w, "lists unchanged since the last re-screening (%s): nothing to do\n", orDash(lists))
					})
				}
				if reason == "" && changed {
					reason = "lists " + orDash(lists) + " loaded"
				} else if reason == "" {
					reason = "rescreen requested"
				}
				rs := vet.NewRescreener(svc, v, st, a.log, sources...)
				var rep vet.RescreenReport
				if changedID != "" {
					if _, ok := svc.Graph().ClusterOf(changedID); !ok {
						return fmt.Errorf("person %s: %w", changedID, people.ErrNotFound)
					}
					rep, err = rs.PersonChanged(ctx, changedID)
				} else {
					rep, err = rs.Rescreen(ctx, vet.Trigger{Reason: reason, PersonIDs: persons})
				}
				if err != nil {
					return workflowErr(err)
				}
				if state != nil && len(persons) == 0 && changedID == "" { // only a full pass has seen the lists
					if err := state.PutClientState(ctx, rescreenListsState, "lists:"+lists); err != nil {
						return err
					}
				}
				if err := audit(ctx, a, "rescreen", "people rescreen", fmt.Sprintf("opened=%d updated=%d", len(rep.Opened), len(rep.Updated))); err != nil {
					return err
				}
				return a.emit(rep, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "assessed\t%d\nnew signals\t%d\ncases opened\t%s\ncases updated\t%s\n", rep.Assessed, rep.NewSignals,
						joinOr(rep.Opened, "-"), joinOr(rep.Updated, "-"))
					if len(rep.Persons) > 0 {
						fmt.Fprintln(w, "PERSON\tCASE\tNEW SIGNALS")
					}
					for _, p := range rep.Persons {
						var rules []string
						for _, s := range p.Signals {
							rules = append(rules, s.Severity.String()+" "+s.Rule)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\n", p.PersonID, orDash(p.CaseID), strings.Join(rules, ", "))
					}
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&persons, "person", nil, "re-assess only these persons (default: all)")
	f.StringVar(&reason, "reason", "", "why, written to the cases (default: rescreen requested)")
	f.StringVar(&shared, "shared", "", "hashed personas received from other members (STIX objects)")
	f.StringVar(&isacKey, "isac-key", "", "the ISAC's agreed key file the shared hashes were made with")
	f.StringVar(&changedID, "changed", "", "re-screen the persons affected by a change of this person's identifiers")
	f.BoolVar(&ifListsChanged, "if-lists-changed", false, "do nothing unless the latest list versions changed since the last re-screening")
	return cmd
}

// rescreenListsState names the state-store entry keeping the list versions
// of the last re-screening.
const rescreenListsState = "people:rescreen:lists"

// latestListIDs returns the ids of the latest version of each list, sorted
// and comma-separated ("" when none is loaded).
func latestListIDs(ctx context.Context, a *app) (string, error) {
	loaded, err := a.lists.Latest(ctx)
	if err != nil {
		return "", fmt.Errorf("read latest lists: %w", err)
	}
	ids := make([]string, len(loaded))
	for i, l := range loaded {
		ids[i] = l.ID
	}
	slices.Sort(ids)
	return strings.Join(ids, ","), nil
}
