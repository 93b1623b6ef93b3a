package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/notify"
)

// `interdict flags issue|revoke|list|show|verify|rejected|import`: signed
// flags on addresses, transactions and outputs.

// flagOpts are the options every flags command shares.
type flagOpts struct {
	issuerRoles []string
}

func (o *flagOpts) policy() (notify.Policy, error) {
	var p notify.Policy
	for _, r := range o.issuerRoles {
		role, err := notify.ParseRole(strings.TrimSpace(r))
		if err != nil {
			return notify.Policy{}, usageError{err}
		}
		p.IssuerRoles = append(p.IssuerRoles, role)
	}
	return p, nil
}

// withFlags runs fn with the flag service.
func (o *flagOpts) run(g *globals, cmd *cobra.Command, fn func(ctx context.Context, a *app, svc *notify.Service) error) error {
	p, err := o.policy()
	if err != nil {
		return err
	}
	return g.run(cmd, func(ctx context.Context, a *app) error {
		svc, err := a.notifyService(p)
		if err != nil {
			return err
		}
		return fn(ctx, a, svc)
	})
}

func newFlagsCmd(g *globals) *cobra.Command {
	o := &flagOpts{}
	cmd := &cobra.Command{Use: "flags", Short: "Issue, amend, revoke, list, show, verify and import signed flags (and federate them)"}
	cmd.PersistentFlags().StringSliceVar(&o.issuerRoles, "issuer-roles", []string{string(notify.RoleAuthority)},
		"member roles whose flags, revocations and amendments are accepted")
	cmd.AddCommand(newFlagsIssueCmd(g, o), newFlagsAmendCmd(g, o), newFlagsRevokeCmd(g, o), newFlagsListCmd(g, o), newFlagsShowCmd(g, o),
		newFlagsVerifyCmd(g, o), newFlagsRejectedCmd(g, o), newFlagsImportCmd(g, o))
	cmd.AddCommand(federationCmds(g, o)...)
	return cmd
}

// parseExpiry reads "90d", a Go duration ("36h"), or "never".
func parseExpiry(s string) (time.Duration, error) {
	switch s = strings.TrimSpace(s); {
	case s == "" || s == "never" || s == "0":
		return 0, nil
	case strings.HasSuffix(s, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--expires %q: want a positive number of days such as 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want 90d, a duration such as 36h, or never", s)
	}
	return d, nil
}

// parseTxSubject reads TXID or TXID:VOUT.
func parseTxSubject(chain, s string) (notify.Subject, error) {
	sub := notify.Subject{Chain: chain, TxID: s}
	if id, vout, ok := strings.Cut(s, ":"); ok {
		n, err := strconv.ParseUint(vout, 10, 32)
		if err != nil {
			return notify.Subject{}, fmt.Errorf("--tx %q: output index is not a number", s)
		}
		v := uint32(n)
		sub.TxID, sub.Vout = id, &v
	}
	return sub, nil
}

func newFlagsIssueCmd(g *globals, o *flagOpts) *cobra.Command {
	var (
		chain, reason, incident, actor, tlp, expires, id string
		addresses, txs                                   []string
		confidence                                       int
	)
	cmd := &cobra.Command{
		Use:   "issue --chain C --address A... --reason R [--incident I] [--actor X] [--tlp amber] [--expires 90d] [--confidence N]",
		Short: "Sign a flag with the instance identity, store it, and print its id",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(addresses)+len(txs) == 0 {
				return usageError{errors.New("name at least one --address or --tx")}
			}
			if strings.TrimSpace(reason) == "" {
				return usageError{errors.New("--reason is required")}
			}
			ttl, err := parseExpiry(expires)
			if err != nil {
				return usageError{err}
			}
			r := notify.Record{ID: id, Kind: notify.KindFlag, Reason: reason, Incident: incident, Actor: actor, TLP: tlp, Confidence: confidence}
			if r.ID == "" {
				r.ID = notify.NewRecordID(notify.KindFlag)
			}
			for _, a := range addresses {
				r.Subjects = append(r.Subjects, notify.Subject{Chain: chain, Address: a})
			}
			for _, t := range txs {
				s, err := parseTxSubject(chain, t)
				if err != nil {
					return usageError{err}
				}
				r.Subjects = append(r.Subjects, s)
			}
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				r.IssuedAt = nowUTC()
				if ttl > 0 {
					r.ExpiresAt = r.IssuedAt.Add(ttl)
				}
				env, rec, err := svc.Issue(ctx, r)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": rec.ID, "record": rec, "envelope": env}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, rec.ID)
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&chain, "chain", "", "chain of the subjects: btc or eth")
	f.StringSliceVar(&addresses, "address", nil, "flagged address (repeat, or comma-separate)")
	f.StringSliceVar(&txs, "tx", nil, "flagged transaction TXID or output TXID:VOUT (repeat, or comma-separate)")
	f.StringVar(&reason, "reason", "", "why the subjects are flagged")
	f.StringVar(&incident, "incident", "", `incident, e.g. "DMM Bitcoin 2024-05-31"`)
	f.StringVar(&actor, "actor", "", "threat actor, e.g. TraderTraitor")
	f.StringVar(&tlp, "tlp", "amber", "TLP: clear, green, amber, amber+strict or red")
	f.StringVar(&expires, "expires", "90d", "validity: days (90d), a duration (36h) or never")
	f.IntVar(&confidence, "confidence", 0, "confidence 0–100 (0: unstated)")
	f.StringVar(&id, "id", "", "flag id (default: a new flag--UUID)")
	return cmd
}

func newFlagsAmendCmd(g *globals, o *flagOpts) *cobra.Command {
	var (
		chain, reason, incident, actor, tlp, expires string
		addresses, txs                               []string
		confidence                                   int
	)
	cmd := &cobra.Command{
		Use:   "amend ID [--expires 30d] [--confidence N] [--reason R] [--incident I] [--actor X] [--tlp T] [--chain C --address A... --tx T...]",
		Short: "Sign and store an amendment of a flag this instance issued: new expiry, confidence, texts or TLP, added subjects",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a := notify.Record{Reason: reason, Incident: incident, Actor: actor, TLP: tlp, Confidence: confidence}
			var ttl time.Duration
			if cmd.Flags().Changed("expires") {
				var err error
				if ttl, err = parseExpiry(expires); err != nil || ttl == 0 {
					return usageError{fmt.Errorf("--expires %q: want a positive validity such as 30d", expires)}
				}
			}
			for _, ad := range addresses {
				a.Subjects = append(a.Subjects, notify.Subject{Chain: chain, Address: ad})
			}
			for _, t := range txs {
				sub, err := parseTxSubject(chain, t)
				if err != nil {
					return usageError{err}
				}
				a.Subjects = append(a.Subjects, sub)
			}
			if ttl == 0 && a.Reason == "" && a.Incident == "" && a.Actor == "" && a.TLP == "" && a.Confidence == 0 && len(a.Subjects) == 0 {
				return usageError{errors.New("nothing to amend: give --expires, --confidence, --reason, --incident, --actor, --tlp or subjects")}
			}
			return o.run(g, cmd, func(ctx context.Context, ap *app, svc *notify.Service) error {
				a.IssuedAt = nowUTC()
				if ttl > 0 {
					a.ExpiresAt = a.IssuedAt.Add(ttl)
				}
				env, rec, err := svc.Amend(ctx, args[0], a)
				if err != nil {
					return err
				}
				return ap.emit(map[string]any{"id": rec.ID, "amended": rec.Ref, "record": rec, "envelope": env}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, rec.ID)
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&chain, "chain", "", "chain of added subjects: btc or eth")
	f.StringSliceVar(&addresses, "address", nil, "address to add to the flag")
	f.StringSliceVar(&txs, "tx", nil, "transaction TXID or output TXID:VOUT to add")
	f.StringVar(&reason, "reason", "", "new reason")
	f.StringVar(&incident, "incident", "", "new incident")
	f.StringVar(&actor, "actor", "", "new actor")
	f.StringVar(&tlp, "tlp", "", "new TLP")
	f.StringVar(&expires, "expires", "", "new validity from now: days (30d) or a duration")
	f.IntVar(&confidence, "confidence", 0, "new confidence 1–100")
	return cmd
}

func newFlagsRevokeCmd(g *globals, o *flagOpts) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke ID [--reason R]",
		Short: "Sign and store a revocation of a flag this instance issued (final: a replayed flag stays revoked)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				env, rec, err := svc.Revoke(ctx, args[0], reason)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"id": rec.ID, "revoked": rec.Ref, "record": rec, "envelope": env}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, rec.ID)
				})
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the flag is revoked")
	return cmd
}

func subjectsString(ss []notify.Subject) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return joinOr(out, "-")
}

func newFlagsListCmd(g *globals, o *flagOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List flags with their state (active, amended, revoked, expired) and whether they still verify",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				vs, err := svc.List(ctx)
				if err != nil {
					return err
				}
				docs := make([]notify.Doc, 0, len(vs))
				for _, v := range vs {
					docs = append(docs, v.Doc())
				}
				return a.emit(map[string]any{"flags": docs}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tSTATE\tISSUER\tTLP\tVERIFIED\tEXPIRES\tSUBJECTS\tREASON")
					for _, d := range docs {
						exp := "never"
						if d.ExpiresAt != nil {
							exp = d.ExpiresAt.Format(time.RFC3339)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%t\t%s\t%s\t%s\n", d.ID, d.State, d.Issuer, d.TLP, d.Verified, exp, subjectsString(d.Subjects), d.Reason)
					}
				})
			})
		},
	}
}

// historyDoc is one record of a flag's history as printed.
type historyDoc struct {
	ID         string          `json:"id"`
	Kind       notify.Kind     `json:"kind"`
	Issuer     string          `json:"issuer"`
	IssuedAt   time.Time       `json:"issued_at"`
	Source     notify.Source   `json:"source"`
	ReceivedAt time.Time       `json:"received_at"`
	Envelope   notify.Envelope `json:"envelope"`
}

func newFlagsShowCmd(g *globals, o *flagOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a flag and its history (the flag, amendments and revocations as signed)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				v, hist, err := svc.Show(ctx, args[0])
				if err != nil {
					return err
				}
				hs := make([]historyDoc, 0, len(hist))
				for _, h := range hist {
					hs = append(hs, historyDoc{ID: h.Record.ID, Kind: h.Record.Kind, Issuer: h.Record.Issuer, IssuedAt: h.Record.IssuedAt,
						Source: h.Source, ReceivedAt: h.ReceivedAt, Envelope: h.Envelope})
				}
				d := v.Doc()
				return a.emit(map[string]any{"flag": d, "history": hs}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "id\t%s\nstate\t%s\nissuer\t%s\nkey_id\t%s\nverified\t%t\nreason\t%s\n", d.ID, d.State, d.Issuer, d.KeyID, d.Verified, d.Reason)
					fmt.Fprintf(w, "incident\t%s\nactor\t%s\nconfidence\t%d\ntlp\t%s\nissued_at\t%s\n", d.Incident, d.Actor, d.Confidence, d.TLP, d.IssuedAt.Format(time.RFC3339))
					if d.ExpiresAt != nil {
						fmt.Fprintf(w, "expires_at\t%s\n", d.ExpiresAt.Format(time.RFC3339))
					}
					for _, s := range d.Subjects {
						fmt.Fprintf(w, "subject\t%s\n", s)
					}
					for _, h := range hs {
						fmt.Fprintf(w, "history\t%s\t%s\t%s\t%s\n", h.IssuedAt.Format(time.RFC3339), h.Kind, h.ID, h.Source)
					}
				})
			})
		},
	}
}

// readInput reads FILE, or stdin for "-", up to limit bytes.
func readInput(cmd *cobra.Command, name string, limit int64) ([]byte, error) {
	var r io.Reader = cmd.InOrStdin()
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

func newFlagsVerifyCmd(g *globals, o *flagOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Verify a signed envelope (JSON) against the member registry, offline; print why it fails and exit non-zero",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readInput(cmd, args[0], notify.MaxEnvelopeJSON)
			if err != nil {
				return err
			}
			env, err := notify.DecodeEnvelope(b)
			if err != nil {
				return err
			}
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				rec, err := notify.Verify(ctx, svc.Store(), svc.Policy(), env, nowUTC())
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"valid": true, "key_id": env.KeyID, "record": rec}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "valid\t%s %s by %s (key %s)\n", rec.Kind, rec.ID, rec.Issuer, env.KeyID)
				})
			})
		},
	}
}

func newFlagsRejectedCmd(g *globals, o *flagOpts) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "rejected [--limit N]",
		Short: "List refused records, newest first, with the reason",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				rs, err := svc.Store().Rejections(ctx, limit)
				if err != nil {
					return err
				}
				if rs == nil {
					rs = []notify.Rejection{}
				}
				return a.emit(map[string]any{"rejected": rs}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "AT\tSOURCE\tRECORD\tKEY\tREASON")
					for _, r := range rs {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.At.Format(time.RFC3339), r.Source, orDash(r.RecordID), r.KeyID, r.Reason)
					}
				})
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 100, "how many")
	return cmd
}

// importResult is one line of `flags import`.
type importResult struct {
	Line    int    `json:"line"`
	ID      string `json:"id,omitempty"`
	Outcome string `json:"outcome"` // accepted, duplicate, rejected
	Reason  string `json:"reason,omitempty"`
}

func newFlagsImportCmd(g *globals, o *flagOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE|-",
		Short: "Accept signed envelopes, one JSON object per line; exit non-zero if any is rejected",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			return o.run(g, cmd, func(ctx context.Context, a *app, svc *notify.Service) error {
				var (
					results []importResult
					first   error
				)
				br := bufio.NewReaderSize(r, 64<<10)
				for n := 1; ; n++ {
					line, err := readLine(br, notify.MaxEnvelopeJSON)
					if errors.Is(err, io.EOF) && len(line) == 0 {
						break
					}
					if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, notify.ErrTooLarge) {
						return fmt.Errorf("read %s: %w", args[0], err)
					}
					if err == nil && len(strings.TrimSpace(string(line))) == 0 {
						continue
					}
					res := importResult{Line: n}
					if err == nil || errors.Is(err, io.EOF) {
						var env notify.Envelope
						if env, err = notify.DecodeEnvelope(line); err == nil {
							var out notify.Outcome
							var rec notify.Record
							out, rec, err = svc.Accept(ctx, env, notify.SourceImport) // logs its own rejections
							res.ID, res.Outcome = rec.ID, string(out)
						} else {
							svc.LogRejection(ctx, notify.SourceImport, line, err)
						}
					} else {
						svc.LogRejection(ctx, notify.SourceImport, nil, err) // too long: not kept
					}
					if err != nil {
						if first == nil {
							first = fmt.Errorf("line %d: %w", n, err)
						}
						res.Outcome, res.Reason = "rejected", err.Error()
					}
					results = append(results, res)
				}
				if results == nil {
					results = []importResult{}
				}
				if err := a.emit(map[string]any{"results": results}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "LINE\tOUTCOME\tID\tREASON")
					for _, r := range results {
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", r.Line, r.Outcome, r.ID, r.Reason)
					}
				}); err != nil {
					return err
				}
				return first
			})
		},
	}
}

// readLine reads one line without its newline. A line longer than limit is
// skipped to its end and reported as notify.ErrTooLarge.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= limit+1 {
			line = append(line, chunk...)
		} else {
			line = line[:0:0]
			limit = -1
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return nil, err
		}
		if limit < 0 {
			return nil, fmt.Errorf("%w: line longer than %d bytes", notify.ErrTooLarge, notify.MaxEnvelopeJSON)
		}
		return []byte(strings.TrimRight(string(line), "\r\n")), err
	}
}
