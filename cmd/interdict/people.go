package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func newPeopleCmd(g *globals) *cobra.Command {
	var keyFile string
	cmd := &cobra.Command{
		Use:   "people",
		Short: "Vet applicants, staff, vendors and counterparties: persona clusters and signals",
		Long: `Person records with their identifiers, stored as keyed hashes (HMAC-SHA256) and
AES-GCM sealed values under a key kept outside the database (--key-file, created on first
use: back it up; without it the stored values cannot be read nor matched). Persons sharing
an identifier such as an ID document, payout account or wallet, phone, email, photo hash or
GitHub id are clustered as personas of one another; every signal names its rule, the
advisory it follows, a severity and its evidence. No protected attribute is scored.`,
	}
	cmd.PersistentFlags().StringVar(&keyFile, "key-file", "", "the instance's people key (default: people.key in the data dir)")
	pc := &peopleCmd{g: g, keyFile: &keyFile}
	cmd.AddCommand(pc.addCmd(), pc.importCmd(), pc.screenCmd(), pc.showCmd(), pc.clustersCmd(), pc.purgeCmd(), pc.logsCmd())
	cmd.AddCommand(pc.workflowCmds()...)
	return cmd
}

type peopleCmd struct {
	g       *globals
	keyFile *string
}

// peopleNotFound gives an unknown person exit code 4, like any other lookup.
type peopleNotFound struct{ err error }

func (e peopleNotFound) Error() string        { return e.err.Error() }
func (e peopleNotFound) Unwrap() error        { return e.err }
func (e peopleNotFound) Is(target error) bool { return target == lists.ErrNotFound }

// peopleInput gives bad person input exit code 65 (malformed input).
type peopleInput struct{ err error }

func (e peopleInput) Error() string        { return e.err.Error() }
func (e peopleInput) Unwrap() error        { return e.err }
func (e peopleInput) Is(target error) bool { return target == sanctions.ErrMalformed }

func peopleErr(err error) error {
	switch {
	case errors.Is(err, people.ErrNotFound):
		return peopleNotFound{err}
	case errors.Is(err, people.ErrInvalid):
		return peopleInput{err}
	case errors.Is(err, people.ErrKey):
		return usageError{fmt.Errorf("%w (see --key-file)", err)}
	}
	return err
}

// run opens the app and the people service (graph loaded, lists index built).
func (pc *peopleCmd) run(cmd *cobra.Command, fn func(ctx context.Context, a *app, svc *vet.Service) error) error {
	return pc.g.run(cmd, func(ctx context.Context, a *app) error {
		st, ok := a.store.(people.Store)
		if !ok {
			return fmt.Errorf("the state store %T keeps no people", a.store)
		}
		path := *pc.keyFile
		if path == "" {
			path = filepath.Join(pc.g.dataDir, "people.key")
		}
		key, err := people.LoadKey(path)
		if err != nil {
			return usageError{err}
		}
		vault, err := people.NewVault(key)
		if err != nil {
			return usageError{err}
		}
		ix, err := a.index(ctx)
		if err != nil {
			return err
		}
		svc, err := vet.NewService(ctx, st, vault, vet.NewRules(vet.DefaultConfig(), ix))
		if err != nil {
			return peopleErr(err)
		}
		return peopleErr(fn(ctx, a, svc))
	})
}

func (pc *peopleCmd) addCmd() *cobra.Command {
	var (
		kind, role string
		privileges []string
		idents     []string
		consent    string
		retain     string
	)
	cmd := &cobra.Command{
		Use:   "add ID --ident TYPE=VALUE[|EXTRA]...",
		Short: "Add or replace a person and print its cluster and signals",
		Long: `Add a person (or replace the one with this ID) and assess it at once.

Each --ident is TYPE=VALUE, or TYPE=VALUE|EXTRA, with TYPE one of:
  ` + strings.Join(typeNames(), ", ") + `
EXTRA is a phone's default region (GB), an ID document's "type:country" (passport:US),
a GitHub or Telegram login, an IP's ASN (AS64500), a wallet's chain.

  interdict people add p1 --kind contractor --ident legal_name="Alex Example" \
    --ident email=alex@example.org --ident phone="020 7946 0123|GB" --ident github=9001|alexexample`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := people.Person{ID: args[0], Kind: people.Kind(kind), Role: role, Consent: people.Consent{Basis: consent}}
			if consent != "" {
				p.Consent.Given = time.Now().UTC()
			}
			if retain != "" {
				t, err := time.Parse(time.DateOnly, retain)
				if err != nil {
					return usageError{fmt.Errorf("--retain-until %q: want YYYY-MM-DD", retain)}
				}
				p.RetainUntil = t
			}
			for _, pr := range privileges {
				p.Privileges = append(p.Privileges, people.Privilege(pr))
			}
			for _, s := range idents {
				id, err := parseIdent(s)
				if err != nil {
					return usageError{err}
				}
				p.Identifiers = append(p.Identifiers, id)
			}
			if err := p.Validate(); err != nil {
				return usageError{err}
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				as, err := svc.Add(ctx, p)
				if err != nil {
					return err
				}
				return a.emit(as, func(w *tabwriter.Writer) { writeAssessment(w, as) })
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", string(people.Applicant), "applicant, employee, contractor, vendor or counterparty")
	f.StringVar(&role, "role", "", "the person's role")
	f.StringSliceVar(&privileges, "privilege", nil, "signer_seat, package_publisher, repo_admin, cloud_admin (repeatable)")
	f.StringArrayVar(&idents, "ident", nil, "an identifier TYPE=VALUE[|EXTRA] (repeatable)")
	f.StringVar(&consent, "consent", "", "the basis of processing, recorded with the current time: consent, contract, legal_obligation, ...")
	f.StringVar(&retain, "retain-until", "", "delete the person at this date (YYYY-MM-DD; see people purge)")
	return cmd
}

func typeNames() []string {
	var out []string
	for _, t := range people.Types() {
		out = append(out, string(t))
	}
	return out
}

func parseIdent(s string) (people.Identifier, error) {
	t, v, ok := strings.Cut(s, "=")
	if !ok || !people.Type(t).Valid() {
		return people.Identifier{}, fmt.Errorf("--ident %q: want TYPE=VALUE[|EXTRA] with TYPE one of %s", s, strings.Join(typeNames(), ", "))
	}
	v, x, _ := strings.Cut(v, "|")
	return people.Identifier{Type: people.Type(t), Value: v, Extra: x}, nil
}

func (pc *peopleCmd) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Add persons from a CSV or JSON file (one transaction) and print the flagged ones",
		Long: `Add persons from FILE, all or none: JSON (an array of persons or one per line, as
cmd/peoplegen writes them) or CSV with a header row: id, kind, role, privileges and any
identifier type as a column (` + strings.Join(typeNames(), ", ") + `).
A cell may hold several values separated by ";", each VALUE or VALUE|EXTRA. A bad
record stops the import with exit code 65 and its record number.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ps, err := readPeopleFile(args[0])
			if err != nil {
				return peopleInput{err}
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				res, err := svc.AddBatch(ctx, ps)
				if err != nil {
					return err
				}
				flagged := slices.DeleteFunc(res, func(as vet.Assessment) bool { return !as.Flagged })
				summary := struct {
					Imported int              `json:"imported"`
					Flagged  []vet.Assessment `json:"flagged"`
				}{len(ps), flagged}
				return a.emit(summary, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "imported %d, flagged %d\n", len(ps), len(flagged))
					writeFlagged(w, flagged)
				})
			})
		},
	}
}

func (pc *peopleCmd) screenCmd() *cobra.Command {
	var (
		all    bool
		payout payoutFlags
	)
	cmd := &cobra.Command{
		Use:   "screen [ID...] [--wallets --index pebble://DIR|postgres://...]",
		Short: "Assess stored persons again (after list or person changes); print the flagged ones",
		Long: `Assess stored persons again: persona clusters, shared identifiers, the sanctions
lists. With --wallets each payout wallet (a wallet identifier; EXTRA btc or eth, else
guessed from the address) is also traced backward over the chain index, and a wallet
that received funds the exposure rules grade Medium or more (DPRK-attributed, hacks,
sanctioned parties, from the tags in the state store) is flagged as PPL-WALLET-EXPOSED
with the transaction path from the flagged address as evidence. The login and activity
rules run on the events imported with people logs import.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				ws, closeWS, err := payout.screener(a)
				if err != nil {
					return err
				}
				defer closeWS()
				logRules := vet.NewLogRules(vet.DefaultLogConfig())
				ids := args
				if all {
					ids = svc.Graph().Persons()
				}
				var out []vet.Assessment
				for _, id := range ids {
					as, p, err := svc.Assess(ctx, id)
					if err != nil {
						return err
					}
					if err := screenWallets(ctx, ws, &as, &p); err != nil {
						return err
					}
					if err := screenLogs(ctx, a, logRules, &as, &p); err != nil {
						return err
					}
					if as.Flagged || !all {
						out = append(out, as)
					}
				}
				return a.emit(out, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "screened %d, flagged %d\n", len(ids), countFlagged(out))
					writeFlagged(w, out)
				})
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "screen every stored person; print the flagged ones only")
	payout.register(cmd)
	cmd.Args = withArgs(func(_ *cobra.Command, args []string) error {
		if len(args) == 0 && !all {
			return errors.New("give at least one ID, or --all")
		}
		return nil
	})
	return cmd
}

func countFlagged(as []vet.Assessment) int {
	n := 0
	for _, a := range as {
		if a.Flagged {
			n++
		}
	}
	return n
}

func (pc *peopleCmd) showCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a person's identifiers (decrypted, canonical), cluster and signals (log rules included)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				as, p, err := svc.Assess(ctx, args[0])
				if err != nil {
					return err
				}
				if err := screenLogs(ctx, a, vet.NewLogRules(vet.DefaultLogConfig()), &as, &p); err != nil {
					return err
				}
				v := struct {
					Person     people.Person  `json:"person"`
					Assessment vet.Assessment `json:"assessment"`
				}{p, as}
				return a.emit(v, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "person\t%s (%s)\n", p.ID, p.Kind)
					for _, id := range p.Identifiers {
						val := id.Value
						if id.Extra != "" {
							val += " | " + id.Extra
						}
						fmt.Fprintf(w, "  %s\t%s\n", id.Type, val)
					}
					writeAssessment(w, as)
				})
			})
		},
	}
}

func (pc *peopleCmd) clustersCmd() *cobra.Command {
	var minSize int
	cmd := &cobra.Command{
		Use:   "clusters",
		Short: "List persona clusters with the identifiers their members share",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				cs := svc.Graph().Clusters(minSize)
				if cs == nil {
					cs = []vet.Cluster{}
				}
				return a.emit(cs, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "CLUSTER\tSIZE\tMEMBERS\tSHARED")
					for _, c := range cs {
						fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", c.ID, len(c.Members), strings.Join(c.Members, ","), sharedSummary(c.Evidence))
					}
				})
			})
		},
	}
	cmd.Flags().IntVar(&minSize, "min", 2, "smallest cluster listed")
	return cmd
}

func sharedSummary(ev []vet.Shared) string {
	var s []string
	for _, e := range ev {
		s = append(s, fmt.Sprintf("%s:%s(%d)", e.Type, e.Ref, len(e.Others)))
	}
	return joinOr(s, "-")
}

func writeAssessment(w *tabwriter.Writer, as vet.Assessment) {
	fmt.Fprintf(w, "cluster\t%s: %s\n", as.Cluster.ID, strings.Join(as.Cluster.Members, ","))
	fmt.Fprintf(w, "flagged\t%v\n", as.Flagged)
	if len(as.Signals) > 0 {
		fmt.Fprintln(w, "SEVERITY\tRULE\tADVISORY\tSUMMARY")
	}
	for _, s := range as.Signals {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Severity, s.Rule, s.Advisory, s.Summary)
	}
}

func writeFlagged(w *tabwriter.Writer, as []vet.Assessment) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintln(w, "PERSON\tCLUSTER\tSIZE\tTOP SIGNAL\tSIGNALS")
	for _, a := range as {
		top := "-"
		if len(a.Signals) > 0 {
			top = a.Signals[0].Severity.String() + " " + a.Signals[0].Rule
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d\n", a.PersonID, a.Cluster.ID, len(a.Cluster.Members), top, len(a.Signals))
	}
}

func (pc *peopleCmd) purgeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "purge",
		Short: "Delete the persons and identifiers whose retention date has passed",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return pc.g.run(cmd, func(ctx context.Context, a *app) error {
				st, ok := a.store.(people.Store)
				if !ok {
					return fmt.Errorf("the state store %T keeps no people", a.store)
				}
				n, err := st.PurgeExpired(ctx, time.Now())
				if err != nil {
					return err
				}
				return a.emit(n, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "purged %d persons and %d identifiers\n", n.Persons, n.Identifiers)
				})
			})
		},
	}
}
