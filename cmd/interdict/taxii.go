package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/share/ioc"
	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/api"
)

// taxiiKeyEnv holds the API key of the remote TAXII server when --key is
// not given, so the key stays out of the process list and shell history.
const taxiiKeyEnv = "INTERDICT_TAXII_KEY"

func newTAXIICmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "taxii", Short: "TAXII 2.1: import medallion data, pull, push and sync collections"}
	cmd.AddCommand(newTAXIIImportCmd(g), newTAXIIGrantCmd(g),
		newTAXIIRemoteCmd(g, "pull"), newTAXIIRemoteCmd(g, "push"), newTAXIIRemoteCmd(g, "sync"))
	return cmd
}

// taxiiStore returns the state store as a TAXII store (both backends are).
func (a *app) taxiiStore() (taxii.Store, error) {
	ts, ok := a.store.(taxii.Store)
	if !ok {
		return nil, errors.New("the state store does not hold TAXII collections")
	}
	return ts, nil
}

// iocMatcher serves POST /v1/iocs/match over the TAXII collections; nil when
// the store cannot hold them.
func (a *app) iocMatcher() api.IOCMatcher {
	ts, err := a.taxiiStore()
	if err != nil {
		return nil
	}
	return ioc.New(ts, ioc.DefaultConfig())
}

// taxiiHandler is the /taxii2/ handler `serve` mounts; nil when the store
// cannot hold TAXII collections.
func (a *app) taxiiHandler() http.Handler {
	ts, err := a.taxiiStore()
	if err != nil {
		return nil
	}
	return taxii.NewServer(taxii.Config{MaxContentLength: a.cfg.API.MaxBodyBytes}, ts, a.store, a.store, a.log)
}

func newTAXIIImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Import a medallion (OASIS reference TAXII server) memory-backend data file",
		Long: `Import loads the API roots, collections (their can_read/can_write become the
default rights of every non-admin key), every object version with its
date_added, and the status resources of a medallion data file. Ids are kept as
given; the roots are served under /taxii2/ by 'interdict serve'. Importing the
same file again adds nothing.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ts, err := a.taxiiStore()
				if err != nil {
					return err
				}
				rep, err := taxii.ImportMedallion(ctx, ts, data)
				if err != nil {
					return fmt.Errorf("import %s: %w", args[0], err)
				}
				return a.emit(rep, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "api roots\t%d\ncollections\t%d\nobject versions\t%d\nstatus resources\t%d\n", rep.APIRoots, rep.Collections, rep.Objects, rep.Statuses)
				})
			})
		},
	}
}

func newTAXIIGrantCmd(g *globals) *cobra.Command {
	var gr taxii.Grant
	var member, keyID string
	cmd := &cobra.Command{
		Use:   "grant --root R --collection C (--member M | --key-id ID) [--read] [--write] [--amber]",
		Short: "Set a member's or a key's rights on a collection, and its TLP:AMBER clearance",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case gr.APIRoot == "" || gr.Collection == "":
				return usageError{errors.New("--root and --collection are required")}
			case (member == "") == (keyID == ""):
				return usageError{errors.New("give exactly one of --member and --key-id")}
			case member != "":
				gr.Principal = taxii.MemberPrincipal(member)
			default:
				gr.Principal = taxii.KeyPrincipal(keyID)
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				ts, err := a.taxiiStore()
				if err != nil {
					return err
				}
				if err := ts.PutGrant(ctx, gr); err != nil {
					return err
				}
				return a.emit(gr, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "principal\t%s\nread\t%v\nwrite\t%v\namber\t%v\n", gr.Principal, gr.Read, gr.Write, gr.Amber)
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&gr.APIRoot, "root", "", "API root name")
	f.StringVar(&gr.Collection, "collection", "", "collection id")
	f.StringVar(&member, "member", "", "the member the grant is for")
	f.StringVar(&keyID, "key-id", "", "the API key id the grant is for")
	f.BoolVar(&gr.Read, "read", false, "may read the collection")
	f.BoolVar(&gr.Write, "write", false, "may add to the collection")
	f.BoolVar(&gr.Amber, "amber", false, "cleared for TLP:AMBER and AMBER+STRICT objects")
	return cmd
}

// remoteFlags are the flags of pull, push and sync.
type remoteFlags struct {
	url, collection, user, key string
	pageSize, retries          int
	out                        string
	intoRoot, intoCollection   string
	member                     string
	every                      time.Duration
}

func newTAXIIRemoteCmd(g *globals, verb string) *cobra.Command {
	var f remoteFlags
	use := map[string]string{
		"pull": "pull --url URL --collection ID [--out FILE]",
		"push": "push --url URL --collection ID FILE",
		"sync": "sync --url URL --collection ID [--into-root R] [--into-collection C]",
	}[verb]
	short := map[string]string{
		"pull": "Print the objects added to a remote collection since the last pull, one JSON object a line",
		"push": "Post the objects of a STIX bundle, TAXII envelope or JSON-lines FILE to a remote collection",
		"sync": "Mirror a remote collection into this instance's TAXII store, resuming where the last sync stopped",
	}[verb]
	args := cobra.NoArgs
	if verb == "push" {
		args = cobra.ExactArgs(1)
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

URL is an API root (https://host/taxii2/root/) or a discovery URL whose default
root is used. The key is the password of HTTP Basic auth when --user is given
and a Bearer token otherwise; it is read from --key or ` + taxiiKeyEnv + ` and
never logged. Pull and sync keep their resume point (the last date_added read)
in the state store, so an interrupted run continues where it stopped.

With --every (pull and sync) the command runs on a schedule: once at once,
then again each time the interval has passed, until interrupted (Ctrl-C,
SIGTERM: exit 0). A failed round is logged and the next one retries from the
saved resume point.`,
		Args: withArgs(args),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.url == "" || f.collection == "" {
				return usageError{errors.New("--url and --collection are required")}
			}
			if f.every < 0 {
				return usageError{fmt.Errorf("--every must not be negative, not %s", f.every)}
			}
			if f.key == "" {
				f.key = os.Getenv(taxiiKeyEnv)
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				c := &taxii.Client{User: f.user, Key: f.key, PageSize: f.pageSize, Retries: f.retries, Log: a.log}
				root, err := c.Root(ctx, f.url)
				if err != nil {
					return err
				}
				coll := taxii.CollectionURL(root, f.collection)
				switch verb {
				case "pull":
					return a.scheduled(ctx, f.every, "taxii pull", func() error { return a.taxiiPull(ctx, c, coll, f) })
				case "push":
					return a.taxiiPush(ctx, c, coll, root, args[0])
				}
				if f.every > 0 {
					return a.scheduled(ctx, f.every, "taxii sync", func() error {
						rep, err := a.taxiiSyncOnce(ctx, c, coll, f)
						a.log.Info("taxii sync", "collection", coll, "objects", rep.Objects, "pages", rep.Pages)
						return err
					})
				}
				return a.taxiiSync(ctx, c, coll, f)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "API root or discovery URL of the TAXII 2.1 server")
	fl.StringVar(&f.collection, "collection", "", "collection id")
	fl.StringVar(&f.user, "user", "", "HTTP Basic user name (the key is the password); empty sends a Bearer token")
	fl.StringVar(&f.key, "key", "", "API key of the remote server (default $"+taxiiKeyEnv+")")
	fl.IntVar(&f.retries, "retries", 4, "retries of a failed request, with exponential back-off (negative: none)")
	if verb != "push" {
		fl.IntVar(&f.pageSize, "page-size", 1000, "objects asked per page")
	}
	if verb != "push" {
		fl.DurationVar(&f.every, "every", 0, "run on a schedule: again each time this interval has passed, until interrupted (0: once)")
	}
	switch verb {
	case "pull":
		fl.StringVar(&f.out, "out", "", "append the objects to FILE instead of stdout")
	case "sync":
		fl.StringVar(&f.intoRoot, "into-root", "mirror", "local API root that holds the mirror")
		fl.StringVar(&f.intoCollection, "into-collection", "", "local collection id (default: the remote id)")
		fl.StringVar(&f.member, "member", "local", "member the mirrored objects are held for (TLP rules apply as to its own)")
	}
	return cmd
}

func (a *app) taxiiPull(ctx context.Context, c *taxii.Client, coll string, f remoteFlags) error {
	out := a.stdout
	if f.out != "" {
		file, err := os.OpenFile(f.out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		defer file.Close()
		out = file
	}
	w := bufio.NewWriter(out)
	rep, err := c.Pull(ctx, coll, a.store.(taxii.StateStore), "pull "+coll, func(_ context.Context, objs []json.RawMessage) error {
		for _, o := range objs {
			var b bytes.Buffer
			if err := json.Compact(&b, o); err != nil {
				return err
			}
			b.WriteByte('\n')
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
		}
		return w.Flush() // before the resume point moves past these objects
	})
	a.log.Info("taxii pull", "collection", coll, "objects", rep.Objects, "pages", rep.Pages, "resumed_from", rep.From)
	return err
}

// scheduled runs once, or with every > 0 again each time every has passed
// until ctx ends (then it returns nil); a failed scheduled round is logged.
func (a *app) scheduled(ctx context.Context, every time.Duration, what string, once func() error) error {
	if every <= 0 {
		return once()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := once(); err != nil && ctx.Err() == nil {
			a.log.Warn(what+" failed; retrying at the next round", "err", err, "every", every.String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (a *app) taxiiSyncOnce(ctx context.Context, c *taxii.Client, coll string, f remoteFlags) (taxii.PullReport, error) {
	ts, err := a.taxiiStore()
	if err != nil {
		return taxii.PullReport{}, err
	}
	into := f.intoCollection
	if into == "" {
		into = f.collection
	}
	return taxii.Sync(ctx, c, coll, ts, f.intoRoot, into, f.member)
}

func (a *app) taxiiSync(ctx context.Context, c *taxii.Client, coll string, f remoteFlags) error {
	rep, err := a.taxiiSyncOnce(ctx, c, coll, f)
	if err != nil {
		return err
	}
	into := f.intoCollection
	if into == "" {
		into = f.collection
	}
	return a.emit(rep, func(w *tabwriter.Writer) {
		fmt.Fprintf(w, "collection\t%s\ninto\t%s/%s\nobjects\t%d\npages\t%d\n", coll, f.intoRoot, into, rep.Objects, rep.Pages)
	})
}

func (a *app) taxiiPush(ctx context.Context, c *taxii.Client, coll string, root taxii.RootInfo, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	objs, err := readObjects(data)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", path, err)}
	}
	st, err := c.Push(ctx, coll, objs, 500, root.MaxContentLength)
	if err != nil {
		return err
	}
	if err := a.emit(st, func(w *tabwriter.Writer) {
		fmt.Fprintf(w, "total\t%d\nsuccesses\t%d\nfailures\t%d\npendings\t%d\n", st.Total, st.Successes, st.Failures, st.Pendings)
		for _, f := range st.FailureMessages {
			fmt.Fprintf(w, "failed\t%s\t%s\n", f.ID, f.Message)
		}
	}); err != nil {
		return err
	}
	if st.Failures > 0 {
		return fmt.Errorf("the server refused %d of %d objects", st.Failures, st.Total)
	}
	return nil
}

// readObjects reads a STIX bundle, a TAXII envelope or JSON lines.
func readObjects(data []byte) ([]json.RawMessage, error) {
	t := bytes.TrimSpace(data)
	var doc struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(t, &doc); err == nil && doc.Objects != nil {
		return doc.Objects, nil
	}
	var out []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(t))
	for {
		var o json.RawMessage
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || !strings.HasPrefix(string(o), "{") {
			return nil, fmt.Errorf("not a STIX bundle, a TAXII envelope or JSON lines of objects")
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, errors.New("no objects")
	}
	return out, nil
}
