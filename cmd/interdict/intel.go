package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/sources/intel"
)

func newIntelCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "intel", Short: "Import threat-actor intelligence (MITRE ATT&CK, MISP galaxies) and look actors up"}
	cmd.AddCommand(newIntelImportCmd(g), newIntelShowCmd(g))
	return cmd
}

// intelDir is where imported intelligence files are kept, as given.
func (g *globals) intelDir() string { return filepath.Join(g.dataDir, "intel") }

// intelFile is one decoded intelligence file.
type intelFile struct {
	Path     string `json:"file"`
	Kind     string `json:"kind"` // attack, misp:<galaxy type>
	Objects  int    `json:"objects"`
	Relation int    `json:"relationships,omitempty"`
	attack   *intel.ATTACK
	galaxy   *intel.Galaxy
}

// readIntel decodes an ATT&CK bundle or a MISP galaxy (gzip or plain),
// telling them apart by content.
func readIntel(path string) (*intelFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, tagInput{fmt.Errorf("%s: %w: %v", path, intel.ErrMalformed, err)}
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, tagInput{fmt.Errorf("%s: %w: %v", path, intel.ErrMalformed, err)}
		}
	}
	f := &intelFile{Path: path}
	if bytes.Contains(data[:min(len(data), 4096)], []byte(`"values"`)) {
		g, err := intel.DecodeGalaxy(bytes.NewReader(data))
		if err != nil {
			return nil, tagInput{fmt.Errorf("%s: %w", path, err)}
		}
		f.Kind, f.Objects, f.galaxy = "misp:"+g.Type, len(g.Clusters), g
		return f, nil
	}
	a, err := intel.DecodeATTACK(bytes.NewReader(data))
	if err != nil {
		return nil, tagInput{fmt.Errorf("%s: %w", path, err)}
	}
	f.Kind, f.Objects, f.Relation, f.attack = "attack", len(a.Objects), len(a.Relationships), a
	return f, nil
}

func newIntelImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE...",
		Short: "Check and keep ATT&CK STIX bundles and MISP galaxy files (.json or .json.gz) for intel show",
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				if err := os.MkdirAll(g.intelDir(), 0o750); err != nil {
					return err
				}
				var done []*intelFile
				for _, p := range args {
					f, err := readIntel(p)
					if err != nil {
						return err
					}
					if err := copyFile(p, filepath.Join(g.intelDir(), filepath.Base(p))); err != nil {
						return err
					}
					a.log.Info("intel imported", "file", p, "kind", f.Kind, "objects", f.Objects)
					done = append(done, f)
				}
				return a.emit(map[string]any{"imported": done}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "FILE\tKIND\tOBJECTS\tRELATIONSHIPS")
					for _, f := range done {
						fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", f.Path, f.Kind, f.Objects, f.Relation)
					}
				})
			})
		},
	}
}

// copyFile writes src to dst through a temporary file, so a reader never
// sees half a file.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// loadCatalog joins the imported files and the extra ones given.
func (g *globals) loadCatalog(extra []string) (*intel.Catalog, []string, error) {
	files, err := filepath.Glob(filepath.Join(g.intelDir(), "*.json*"))
	if err != nil {
		return nil, nil, err
	}
	files = append(files, extra...)
	if len(files) == 0 {
		return nil, nil, usageError{fmt.Errorf("no intelligence imported: run interdict intel import FILE (an ATT&CK STIX bundle or a MISP galaxy), or give --file")}
	}
	sort.Strings(files[:len(files)-len(extra)])
	c := intel.NewCatalog()
	for _, p := range files {
		f, err := readIntel(p)
		if err != nil {
			return nil, nil, err
		}
		if f.attack != nil {
			c.AddATTACK(f.attack)
		} else {
			c.AddGalaxy(f.galaxy)
		}
	}
	return c, files, nil
}

func newIntelShowCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "show", Short: "Show what the imported intelligence says"}
	var files []string
	var associated bool
	actor := &cobra.Command{
		Use:   "actor NAME",
		Short: "An actor's aliases, malware and tools, techniques, related actors and known addresses",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				c, _, err := g.loadCatalog(files)
				if err != nil {
					return err
				}
				p, ok := c.Profile(args[0])
				if !ok {
					return tagNotFound{fmt.Errorf("actor %q: not in the imported intelligence", args[0])}
				}
				addrs, tagActor, err := actorAddresses(ctx, a, p, associated)
				if err != nil {
					return err
				}
				doc := struct {
					*intel.Profile
					TagActor  string     `json:"tag_actor,omitempty"`
					Addresses []tags.Tag `json:"addresses"`
				}{p, tagActor, addrs}
				return a.emit(doc, func(w *tabwriter.Writer) { profileTable(w, p, tagActor, addrs) })
			})
		},
	}
	actor.Flags().StringArrayVar(&files, "file", nil, "also read this ATT&CK bundle or MISP galaxy (repeatable)")
	actor.Flags().BoolVar(&associated, "associated", false, "known addresses include clusters attributed to or associated with the actor")
	actors := &cobra.Command{
		Use:   "actors",
		Short: "List the actors of the imported intelligence",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				c, _, err := g.loadCatalog(files)
				if err != nil {
					return err
				}
				list := c.Actors()
				return a.emit(map[string]any{"actors": list}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "NAME\tSOURCE\tID\tCOUNTRY\tALIASES")
					for _, x := range list {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", x.Name, x.Source, x.ExternalID, orDash(x.Country), len(x.Aliases))
					}
				})
			})
		},
	}
	actors.Flags().StringArrayVar(&files, "file", nil, "also read this ATT&CK bundle or MISP galaxy (repeatable)")
	cmd.AddCommand(actor, actors)
	return cmd
}

// actorAddresses asks the tag store for the actor's addresses, resolving the
// query, then the profile's names and aliases, through the tag store's own
// actor registry.
func actorAddresses(ctx context.Context, a *app, p *intel.Profile, associated bool) ([]tags.Tag, string, error) {
	st, im, err := a.tags(ctx)
	if err != nil {
		return nil, "", err
	}
	reg, err := im.Registry(ctx)
	if err != nil {
		return nil, "", err
	}
	names := []string{p.Query}
	for _, x := range p.Actors {
		names = append(names, x.Name)
	}
	names = append(names, p.Aliases...)
	for _, n := range names {
		id, ok := reg.Resolve(n)
		if !ok {
			continue
		}
		ts, _, err := tags.ActorTags(ctx, st, reg, id, associated)
		if errors.Is(err, tags.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		if ts == nil {
			ts = []tags.Tag{}
		}
		return ts, id, nil
	}
	return []tags.Tag{}, "", nil
}

func profileTable(w *tabwriter.Writer, p *intel.Profile, tagActor string, addrs []tags.Tag) {
	for _, x := range p.Actors {
		id := x.ExternalID
		if x.Country != "" {
			id += ", " + x.Country
		}
		fmt.Fprintf(w, "ACTOR\t%s\t%s (%s)\n", x.Name, x.Source, id)
	}
	for _, x := range p.AliasOf {
		fmt.Fprintf(w, "ALSO AN ALIAS OF\t%s\t%s (%s)\n", x.Name, x.Source, x.ExternalID)
	}
	fmt.Fprintf(w, "ALIASES\t%s\n", joinOr(p.Aliases, "-"))
	for _, it := range p.Related {
		fmt.Fprintf(w, "RELATED\t%s\t%s (%s)\n", it.Name, it.Kind, it.Source)
	}
	for _, it := range p.Campaigns {
		fmt.Fprintf(w, "CAMPAIGN\t%s\t%s\n", it.Name, it.ID)
	}
	items(w, "MALWARE/TOOL", p.Software)
	items(w, "TECHNIQUE", p.Techniques)
	for _, it := range p.CitedWith {
		fmt.Fprintf(w, "CITED WITH\t%s\t%s\n", it.Name, it.ID)
	}
	if tagActor == "" {
		fmt.Fprintln(w, "ADDRESSES\t- (no actor of this name in the tag store)")
		return
	}
	fmt.Fprintf(w, "ADDRESSES\t%d tagged for tag-store actor %s\n", len(addrs), tagActor)
	for _, t := range addrs {
		fmt.Fprintf(w, "ADDRESS\t%s\t%s\t%s (%s)\n", t.Address, t.Network, t.Label, t.Source)
	}
}

// items lists direct items one per line and those through a related actor or
// campaign as one line per route with a count, so a related actor's hundreds
// of techniques do not bury the rest (--output json has every item).
func items(w *tabwriter.Writer, title string, list []intel.Item) {
	via := map[string][]string{}
	var order []string
	for _, it := range list {
		label := it.Name
		if it.ID != "" {
			label += " (" + it.ID + ")"
		}
		if it.Via == "" {
			fmt.Fprintf(w, "%s\t%s\t%s\n", title, label, it.Source)
			continue
		}
		if _, ok := via[it.Via]; !ok {
			order = append(order, it.Via)
		}
		via[it.Via] = append(via[it.Via], it.Name)
	}
	for _, v := range order {
		names := via[v]
		shown := names
		if len(shown) > 8 {
			shown = append(shown[:8:8], fmt.Sprintf("... %d more", len(names)-8))
		}
		fmt.Fprintf(w, "%s\tvia %s: %d\t%s\n", title, v, len(names), strings.Join(shown, ", "))
	}
}
