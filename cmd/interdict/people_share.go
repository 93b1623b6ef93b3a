package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/action/share/taxii"
	vet "github.com/interdict/interdict/internal/analysis/people"
)

// shareRemote is where shared objects go to or come from: a TAXII
// collection, or a file.
type shareRemote struct {
	url, collection, user, key string
	file                       string
}

func (r *shareRemote) flags(cmd *cobra.Command, fileHelp string) {
	f := cmd.Flags()
	f.StringVar(&r.url, "url", "", "TAXII 2.1 API root or discovery URL")
	f.StringVar(&r.collection, "collection", "", "TAXII collection id")
	f.StringVar(&r.user, "user", "", "HTTP Basic user name (the key is the password); empty sends a Bearer token")
	f.StringVar(&r.key, "key", "", "API key of the TAXII server (default $"+taxiiKeyEnv+")")
	f.StringVar(&r.file, "file", "", fileHelp)
}

func (r *shareRemote) check(needOne bool) error {
	if (r.url == "") != (r.collection == "") {
		return usageError{errors.New("--url and --collection go together")}
	}
	if needOne && (r.url == "") == (r.file == "") {
		return usageError{errors.New("give --url and --collection, or --file")}
	}
	if r.key == "" {
		r.key = os.Getenv(taxiiKeyEnv)
	}
	return nil
}

func (r *shareRemote) client(ctx context.Context, a *app) (*taxii.Client, string, taxii.RootInfo, error) {
	c := &taxii.Client{User: r.user, Key: r.key, Log: a.log}
	root, err := c.Root(ctx, r.url)
	if err != nil {
		return nil, "", root, err
	}
	return c, taxii.CollectionURL(root, r.collection), root, nil
}

func (pc *peopleCmd) shareCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "share",
		Short: "Share personas with other members: STIX indicators, or identifier hashes only",
		Long: `Two ways to share a persona a reviewer rejected or escalated (people case decide):

  export   its emails, GitHub and Telegram accounts, profile URLs and payout wallets as
           STIX 2.1 objects and indicators with a TLP marking, for members to block;
  hashes   only keyed hashes of its identifiers (ISAC key, agreed among members and
           distinct from this instance's people key): members match them against their
           own persons (people share match) and no value leaves the instance.

Both write a STIX bundle to stdout (or --file) or push it to a TAXII collection.`,
	}
	cmd.AddCommand(pc.shareKeygenCmd(), pc.shareExportCmd(false), pc.shareExportCmd(true), pc.shareMatchCmd())
	return cmd
}

func (pc *peopleCmd) keyPath() string {
	if *pc.keyFile != "" {
		return *pc.keyFile
	}
	return filepath.Join(pc.g.dataDir, "people.key")
}

// loadISACKey loads the ISAC key and refuses this instance's own people key.
func (pc *peopleCmd) loadISACKey(path string) (*vet.ISACKey, error) {
	if path == "" {
		return nil, usageError{errors.New("--isac-key is required")}
	}
	k, err := vet.LoadISACKey(path)
	if err != nil {
		return nil, usageError{err}
	}
	a, errA := os.ReadFile(path)
	b, errB := os.ReadFile(pc.keyPath())
	if errA == nil && errB == nil && bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b)) {
		return nil, usageError{fmt.Errorf("%s is this instance's people key: the ISAC key must be another, agreed among members", path)}
	}
	return k, nil
}

func (pc *peopleCmd) shareKeygenCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "keygen --isac-key FILE",
		Short: "Make a new ISAC key file (once, for the ISAC to hand to its members)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return usageError{errors.New("--isac-key is required")}
			}
			k, err := vet.GenerateISACKey(path)
			if err != nil {
				return usageError{err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote ISAC key %s to %s\n", k.ID(), path)
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "isac-key", "", "file to create (mode 0600)")
	return cmd
}

func (pc *peopleCmd) shareExportCmd(hashed bool) *cobra.Command {
	var (
		r        shareRemote
		tlpName  string
		isacPath string
	)
	use, short := "export ID... [--tlp LEVEL] [--url URL --collection ID | --file FILE]",
		"Export rejected or escalated personas as STIX indicators (emails, accounts, URLs, wallets)"
	if hashed {
		use, short = "hashes ID... --isac-key FILE [--tlp LEVEL] [--url URL --collection ID | --file FILE]",
			"Share rejected or escalated personas as ISAC-keyed hashes of their identifiers only"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := r.check(false); err != nil {
				return err
			}
			tlp, err := stix.ParseTLP(tlpName)
			if err != nil {
				return usageError{err}
			}
			var key *vet.ISACKey
			if hashed {
				if key, err = pc.loadISACKey(isacPath); err != nil {
					return err
				}
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				st, err := caseStore(a)
				if err != nil {
					return err
				}
				objs, err := shareObjects(ctx, svc, vet.NewCases(st), args, key, tlp)
				if err != nil {
					return workflowErr(err)
				}
				action := "people share export"
				if hashed {
					action = "people share hashes"
				}
				if err := audit(ctx, a, "share", action, strings.Join(args, ",")); err != nil {
					return err
				}
				return r.deliver(ctx, a, objs)
			})
		},
	}
	r.flags(cmd, "write the bundle to FILE (default: stdout)")
	cmd.Flags().StringVar(&tlpName, "tlp", "amber", "TLP marking: clear, green, amber, amber+strict, red")
	if hashed {
		cmd.Flags().StringVar(&isacPath, "isac-key", "", "the ISAC's agreed key file (people share keygen)")
	}
	return cmd
}

// shareObjects builds the STIX objects of each person: its persona bundle,
// or (key set) one hashed indicator. Every person must be rejected or
// escalated by a reviewer; the reference shared is its case id.
func shareObjects(ctx context.Context, svc *vet.Service, cs *vet.Cases, ids []string, key *vet.ISACKey, tlp stix.TLP) ([]stix.Object, error) {
	now := time.Now().UTC()
	var objs []stix.Object
	seen := map[string]bool{}
	for _, id := range ids {
		st, err := cs.Status(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := vet.ShareableStatus(st); err != nil {
			return nil, err
		}
		_, p, err := svc.Assess(ctx, id)
		if err != nil {
			return nil, err
		}
		if key != nil {
			hs, err := key.PersonHashes(&p)
			if err != nil {
				return nil, err
			}
			ind, err := vet.HashedIndicator(key, st.CaseID, hs, tlp, now)
			if err != nil {
				return nil, err
			}
			if len(objs) == 0 {
				if def := stix.TLP20Definition(tlp); def != nil {
					objs = append(objs, def)
				}
			}
			objs = append(objs, ind)
			continue
		}
		b, err := vet.PersonaBundle(&p, st.CaseID, tlp, now)
		if err != nil {
			return nil, err
		}
		for _, o := range b.Objects {
			if !seen[o.Core().ID] { // the marking definition, shared SCOs
				seen[o.Core().ID] = true
				objs = append(objs, o)
			}
		}
	}
	return objs, nil
}

// deliver writes objs as a bundle to the file or stdout, or pushes them.
func (r *shareRemote) deliver(ctx context.Context, a *app, objs []stix.Object) error {
	if r.url == "" {
		data, err := json.MarshalIndent(stix.NewBundle(objs...), "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if r.file != "" {
			return os.WriteFile(r.file, data, 0o600)
		}
		_, err = a.stdout.Write(data)
		return err
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		b, err := stix.Marshal(o)
		if err != nil {
			return err
		}
		raws[i] = b
	}
	c, coll, root, err := r.client(ctx, a)
	if err != nil {
		return err
	}
	st, err := c.Push(ctx, coll, raws, 500, root.MaxContentLength)
	if err != nil {
		return err
	}
	if err := a.emit(st, func(w *tabwriter.Writer) {
		fmt.Fprintf(w, "pushed\t%d\nsuccesses\t%d\nfailures\t%d\n", st.Total, st.Successes, st.Failures)
	}); err != nil {
		return err
	}
	if st.Failures > 0 {
		return fmt.Errorf("the server refused %d of %d objects", st.Failures, st.Total)
	}
	return nil
}

// loadSharedMatcher reads hashed personas from a file of STIX objects.
func loadSharedMatcher(keyPath, file string) (*vet.HashMatcher, error) {
	k, err := vet.LoadISACKey(keyPath)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, usageError{err}
	}
	objs, err := readObjects(data)
	if err != nil {
		return nil, peopleInput{fmt.Errorf("%s: %w", file, err)}
	}
	ps, _, err := vet.ParseHashedIndicators(objs)
	if err != nil {
		return nil, peopleInput{fmt.Errorf("%s: %w", file, err)}
	}
	return vet.NewHashMatcher(k, ps), nil
}

func (pc *peopleCmd) shareMatchCmd() *cobra.Command {
	var (
		r        shareRemote
		isacPath string
	)
	cmd := &cobra.Command{
		Use:   "match [--isac-key FILE] (--url URL --collection ID | --file FILE)",
		Short: "Match personas other members shared against this instance's persons",
		Long: `Read every object of a TAXII collection (from the start) or of a file and re-screen
this instance's persons against the personas in them:

  hashed personas (people share hashes), with --isac-key: this instance's identifiers are
  hashed with the same ISAC key; a match is signal PPL-SHARED-HASH (high). Neither side's
  values are shown to the other;
  persona observables (people share export, or any member's email-addr, user-account,
  url and cryptocurrency-wallet objects): a match is signal PPL-SHARED-PERSONA (high).

Matches are recorded once and put on a case for a reviewer.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := r.check(true); err != nil {
				return err
			}
			var key *vet.ISACKey
			if isacPath != "" {
				k, err := pc.loadISACKey(isacPath)
				if err != nil {
					return err
				}
				key = k
			}
			v, err := pc.vault()
			if err != nil {
				return err
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				objs, source, err := r.fetch(ctx, a)
				if err != nil {
					return err
				}
				ps, _, err := vet.ParseHashedIndicators(objs)
				if err != nil {
					return peopleInput{err}
				}
				pm, observables := vet.NewPersonaMatcher(objs)
				sources := []vet.SignalSource{pm}
				hashes := 0
				if key != nil {
					hm := vet.NewHashMatcher(key, ps)
					sources, hashes = append(sources, hm), hm.Len()
				}
				a.log.Info("shared personas read", "source", source, "hashed_personas", len(ps), "hashes", hashes, "observables", observables)
				st, err := caseStore(a)
				if err != nil {
					return err
				}
				rep, err := vet.NewRescreener(svc, v, st, a.log, sources...).IndicatorsChanged(ctx, "shared personas from "+source)
				if err != nil {
					return workflowErr(err)
				}
				if err := audit(ctx, a, "share", "people share match", source); err != nil {
					return err
				}
				return a.emit(rep, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "hashed personas\t%d\nobservables\t%d\nassessed\t%d\nnew signals\t%d\ncases opened\t%s\ncases updated\t%s\n",
						len(ps), observables, rep.Assessed, rep.NewSignals, joinOr(rep.Opened, "-"), joinOr(rep.Updated, "-"))
					for _, p := range rep.Persons {
						for _, s := range p.Signals {
							fmt.Fprintf(w, "%s\t%s %s\t%s\n", p.PersonID, s.Severity, s.Rule, s.Advisory)
						}
					}
				})
			})
		},
	}
	r.flags(cmd, "read the objects from FILE (STIX bundle, TAXII envelope or JSON lines)")
	cmd.Flags().StringVar(&isacPath, "isac-key", "", "the ISAC's agreed key file (needed to match hashed personas)")
	return cmd
}

// fetch reads every object of the collection, or of the file.
func (r *shareRemote) fetch(ctx context.Context, a *app) ([]json.RawMessage, string, error) {
	if r.file != "" {
		data, err := os.ReadFile(r.file)
		if err != nil {
			return nil, "", usageError{err}
		}
		objs, err := readObjects(data)
		if err != nil {
			return nil, "", peopleInput{fmt.Errorf("%s: %w", r.file, err)}
		}
		return objs, r.file, nil
	}
	c, coll, _, err := r.client(ctx, a)
	if err != nil {
		return nil, "", err
	}
	var out []json.RawMessage
	next := ""
	for {
		page, err := c.Objects(ctx, coll, time.Time{}, next)
		if err != nil {
			return nil, "", err
		}
		out = append(out, page.Objects...)
		if !page.More || page.Next == "" {
			return out, coll, nil
		}
		next = page.Next
	}
}
