package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/action/inspect/deps"
	"github.com/interdict/interdict/internal/action/inspect/github"
	"github.com/interdict/interdict/internal/action/inspect/hotwallet"
	"github.com/interdict/interdict/internal/action/inspect/safe"
	"github.com/interdict/interdict/internal/action/notify"
	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/api"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func newInspectCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "inspect", Short: "Self-inspection against the techniques of DPRK heists: answers, evidence, signed reports"}
	cmd.AddCommand(newInspectNewCmd(g), newInspectAnswerCmd(g), newInspectEvidenceCmd(g), newInspectCollectCmd(g),
		newInspectReportCmd(g), newInspectKeygenCmd(), newInspectVerifyCmd(g))
	return cmd
}

// inspectErr gives inspect's sentinels the exit codes of the one table in
// main.go: not found 4, exists like a list version, invalid input 65.
type inspectErr struct{ err error }

func (e inspectErr) Error() string { return e.err.Error() }
func (e inspectErr) Unwrap() error { return e.err }
func (e inspectErr) Is(target error) bool {
	switch target {
	case lists.ErrNotFound:
		return errors.Is(e.err, inspect.ErrNotFound)
	case lists.ErrExists:
		return errors.Is(e.err, inspect.ErrExists)
	case sanctions.ErrMalformed:
		return errors.Is(e.err, inspect.ErrInvalid) || errors.Is(e.err, inspect.ErrSignature) || errors.Is(e.err, safe.ErrNotSafe) ||
			errors.Is(e.err, hotwallet.ErrPolicy) || errors.Is(e.err, github.ErrExport) || errors.Is(e.err, deps.ErrLockfile) ||
			errors.Is(e.err, vet.ErrRoles)
	}
	return false
}

func wrapInspect(err error) error {
	if err == nil {
		return nil
	}
	return inspectErr{err}
}

// inspectApp is the state store as an inspect.Store and the catalogue.
func (a *app) inspect() (inspect.Store, *inspect.Catalogue, error) {
	st, ok := a.store.(inspect.Store)
	if !ok {
		return nil, nil, fmt.Errorf("the state store %T keeps no inspections", a.store)
	}
	c, err := inspect.Load()
	if err != nil {
		return nil, nil, err
	}
	return st, c, nil
}

// inspectionsAPI is the state store as the API's inspection store, signing
// reports with the instance identity; nil (the routes answer 503) if the
// backend keeps no inspections.
func (a *app) inspectionsAPI() api.InspectionStore {
	if st, ok := a.store.(api.InspectionStore); ok {
		return signingInspections{InspectionStore: st, identity: a.g.identityFile()}
	}
	return nil
}

// signingInspections signs the API's reports with the instance identity
// (identity.pem, `interdict keys init`), read on each request: an identity
// made or rotated while serve runs signs the next report.
type signingInspections struct {
	api.InspectionStore
	identity string
}

func (s signingInspections) ReportKey(context.Context) (ed25519.PrivateKey, error) {
	id, err := notify.LoadIdentity(s.identity)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no instance identity at %s (interdict keys init)", api.ErrNoReportKey, s.identity)
	}
	if err != nil {
		return nil, err
	}
	return id.Key, nil
}

func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func newInspectNewCmd(g *globals) *cobra.Command {
	var org, title, previous string
	var first bool
	cmd := &cobra.Command{
		Use:   "new ID --org ORG [--title T] [--previous ID | --first]",
		Short: "Start an inspection; it is compared with the organisation's latest one unless --previous or --first",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if org == "" {
				return usageError{errors.New("--org is required")}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, _, err := a.inspect()
				if err != nil {
					return err
				}
				if previous == "" && !first {
					all, err := st.Inspections(ctx, org)
					if err != nil {
						return err
					}
					if len(all) > 0 {
						previous = all[len(all)-1].ID
					}
				} else if previous != "" {
					if _, err := st.Inspection(ctx, previous); err != nil {
						return wrapInspect(err)
					}
				}
				in := inspect.Inspection{ID: args[0], Org: org, Title: title, Created: time.Now().UTC().Truncate(time.Microsecond), Previous: previous}
				if err := st.CreateInspection(ctx, in); err != nil {
					return wrapInspect(err)
				}
				return a.emit(in, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "inspection\t%s\norg\t%s\nprevious\t%s\n", in.ID, in.Org, joinOr([]string{in.Previous}, "(none)"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "the organisation inspected")
	cmd.Flags().StringVar(&title, "title", "", "a title, e.g. 2026 Q4")
	cmd.Flags().StringVar(&previous, "previous", "", "the inspection to compare with")
	cmd.Flags().BoolVar(&first, "first", false, "compare with nothing")
	return cmd
}

func newInspectAnswerCmd(g *globals) *cobra.Command {
	var justification, note, by string
	cmd := &cobra.Command{
		Use:   "answer ID CONTROL STATUS [--justification TEXT] [--note TEXT]",
		Short: "Answer a control (framework:id) implemented, partial, not_implemented, na (with --justification) or unknown",
		Args:  withArgs(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			status, err := inspect.ParseStatus(args[2])
			if err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, c, err := a.inspect()
				if err != nil {
					return err
				}
				ans := inspect.Answer{Control: args[1], Status: status, Justification: justification, Note: note, By: by,
					At: time.Now().UTC().Truncate(time.Microsecond)}
				if err := ans.Validate(c); err != nil {
					return usageError{err}
				}
				if err := st.PutAnswer(ctx, args[0], ans); err != nil {
					return wrapInspect(err)
				}
				return a.emit(ans, func(w *tabwriter.Writer) { fmt.Fprintf(w, "%s\t%s\n", ans.Control, ans.Status) })
			})
		},
	}
	cmd.Flags().StringVar(&justification, "justification", "", "why the control does not apply (required for na)")
	cmd.Flags().StringVar(&note, "note", "", "a note")
	cmd.Flags().StringVar(&by, "by", whoami(), "who answers")
	return cmd
}

func newInspectEvidenceCmd(g *globals) *cobra.Command {
	var kind, title, owner, expires, id string
	cmd := &cobra.Command{
		Use:   "evidence ID CONTROL FILE --kind K --title T --owner O [--expires YYYY-MM-DD]",
		Short: "Record an evidence item (procedure, log, test_result, config_export, screenshot) with its SHA-256",
		Args:  withArgs(cobra.ExactArgs(3)),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[2])
			if err != nil {
				return usageError{err}
			}
			sum := sha256.Sum256(b)
			e := inspect.Evidence{ID: id, Control: args[1], Kind: inspect.EvidenceKind(kind), Title: title, Owner: owner,
				Date: time.Now().UTC().Truncate(time.Microsecond), SHA256: hex.EncodeToString(sum[:]), URI: "file://" + absPath(args[2])}
			if e.ID == "" {
				e.ID = hex.EncodeToString(sum[:6])
			}
			if expires != "" {
				t, err := time.Parse(time.DateOnly, expires)
				if err != nil {
					return usageError{fmt.Errorf("--expires: %w", err)}
				}
				e.Expires = t
			}
			if err := e.Validate(); err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, c, err := a.inspect()
				if err != nil {
					return err
				}
				if _, ok := c.Control(e.Control); !ok {
					return usageError{fmt.Errorf("unknown control %q", e.Control)}
				}
				if err := st.AddEvidence(ctx, args[0], e); err != nil {
					return wrapInspect(err)
				}
				return a.emit(e, func(w *tabwriter.Writer) { fmt.Fprintf(w, "%s\t%s\t%s\n", e.ID, e.Kind, e.SHA256) })
			})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "procedure, log, test_result, config_export or screenshot")
	cmd.Flags().StringVar(&title, "title", "", "what the file is")
	cmd.Flags().StringVar(&owner, "owner", "", "who owns it")
	cmd.Flags().StringVar(&expires, "expires", "", "the date it stops counting")
	cmd.Flags().StringVar(&id, "id", "", "evidence id (default: from the file's hash)")
	return cmd
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// reportDoc is what report prints.
type reportDoc struct {
	Inspection string `json:"inspection"`
	JSON       string `json:"json"`
	HTML       string `json:"html,omitempty"`
	PDF        string `json:"pdf,omitempty"`
	Checklist  string `json:"checklist,omitempty"`
	PublicKey  string `json:"public_key"`
	CCSSLevel  int    `json:"ccss_level"`
	Covered    int    `json:"techniques_covered"`
	Techniques int    `json:"techniques"`
	Changes    int    `json:"changes"`
}

func newInspectReportCmd(g *globals) *cobra.Command {
	var keyPath, outJSON, outHTML, outPDF, outCSV, lang string
	cmd := &cobra.Command{
		Use:   "report ID --key KEY.pem --json OUT.json [--html OUT.html] [--pdf OUT.pdf] [--checklist OUT.csv]",
		Short: "Write the inspection's Ed25519-signed JSON report (and an HTML page, a PDF, a SEAL checklist CSV)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyPath == "" || outJSON == "" {
				return usageError{errors.New("--key and --json are required")}
			}
			if !slices.Contains(inspect.Languages, lang) {
				return usageError{fmt.Errorf("--lang %q: want en, ja or ko", lang)}
			}
			key, err := readKey(keyPath)
			if err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, c, err := a.inspect()
				if err != nil {
					return err
				}
				r, err := buildReport(ctx, st, c, args[0])
				if err != nil {
					return wrapInspect(err)
				}
				signed, err := inspect.Sign(r, key)
				if err != nil {
					return err
				}
				if err := os.WriteFile(outJSON, append(signed, '\n'), 0o644); err != nil {
					return err
				}
				doc := reportDoc{Inspection: args[0], JSON: outJSON, PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
					CCSSLevel: r.CCSS.Level, Covered: r.Techniques.Covered, Techniques: r.Techniques.Total}
				if r.Diff != nil {
					doc.Changes = len(r.Diff.Changes)
				}
				if outHTML != "" {
					f, err := os.Create(outHTML)
					if err != nil {
						return err
					}
					if err := inspect.WriteHTMLLang(f, r, lang); err != nil {
						f.Close()
						return err
					}
					if err := f.Close(); err != nil {
						return err
					}
					doc.HTML = outHTML
				}
				if outPDF != "" {
					if err := (inspect.PDFRenderer{}).WritePDF(ctx, outPDF, r, lang); err != nil {
						return err
					}
					doc.PDF = outPDF
				}
				if outCSV != "" {
					if err := writeChecklist(outCSV, c, r); err != nil {
						return err
					}
					doc.Checklist = outCSV
				}
				return a.emit(doc, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "json\t%s\nhtml\t%s\npdf\t%s\npublic key\t%s\nCCSS level\t%d\nDPRK techniques covered\t%d of %d\nchanges since previous\t%d\n",
						doc.JSON, joinOr([]string{doc.HTML}, "-"), joinOr([]string{doc.PDF}, "-"), doc.PublicKey, doc.CCSSLevel, doc.Covered, doc.Techniques, doc.Changes)
				})
			})
		},
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "Ed25519 private key, PKCS#8 PEM (interdict inspect keygen)")
	cmd.Flags().StringVar(&outJSON, "json", "", "where to write the signed JSON report")
	cmd.Flags().StringVar(&outHTML, "html", "", "where to write the HTML report")
	cmd.Flags().StringVar(&outPDF, "pdf", "", "where to write the report as PDF (the HTML page printed by headless Chromium)")
	cmd.Flags().StringVar(&lang, "lang", "en", "labels beside the English in the HTML report: en, ja or ko")
	cmd.Flags().StringVar(&outCSV, "checklist", "", "where to write the SEAL controls as a checklist spreadsheet (CSV)")
	return cmd
}

func writeChecklist(path string, c *inspect.Catalogue, r *inspect.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := c.WriteChecklist(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func buildReport(ctx context.Context, st inspect.Store, c *inspect.Catalogue, id string) (*inspect.Report, error) {
	in, err := st.Inspection(ctx, id)
	if err != nil {
		return nil, err
	}
	answers, err := st.Answers(ctx, id)
	if err != nil {
		return nil, err
	}
	evidence, err := st.Evidence(ctx, id)
	if err != nil {
		return nil, err
	}
	var prev []inspect.Answer
	if in.Previous != "" {
		if prev, err = st.Answers(ctx, in.Previous); err != nil {
			return nil, err
		}
	}
	return c.BuildReport(in, answers, evidence, prev, nil, time.Now()), nil
}

func readKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: not a PEM PRIVATE KEY", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ed, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return ed, nil
}

func newInspectKeygenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen FILE",
		Short: "Write a new Ed25519 report-signing key (PKCS#8 PEM, mode 0600) and print its public key",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			der, err := x509.MarshalPKCS8PrivateKey(priv)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return usageError{err}
			}
			if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), base64.StdEncoding.EncodeToString(pub))
			return nil
		},
	}
}

func newInspectVerifyCmd(g *globals) *cobra.Command {
	var pub string
	cmd := &cobra.Command{
		Use:   "verify REPORT.json [--public-key BASE64]",
		Short: "Verify a signed report (against a trusted public key if given); exit 65 if it fails",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return usageError{err}
			}
			var trusted ed25519.PublicKey
			if pub != "" {
				if trusted, err = base64.StdEncoding.DecodeString(pub); err != nil || len(trusted) != ed25519.PublicKeySize {
					return usageError{errors.New("--public-key: want a base64 Ed25519 public key")}
				}
			}
			r, err := inspect.Verify(b, trusted)
			if err != nil {
				return wrapInspect(err)
			}
			return emitTo(cmd.OutOrStdout(), g.output, map[string]any{"verified": true, "inspection": r.Inspection.ID, "org": r.Inspection.Org},
				func(w *tabwriter.Writer) { fmt.Fprintf(w, "verified\t%s\t%s\n", r.Inspection.ID, r.Inspection.Org) })
		},
	}
	cmd.Flags().StringVar(&pub, "public-key", "", "the signer's public key (base64)")
	return cmd
}
