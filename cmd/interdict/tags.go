package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func newTagsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "tags", Short: "Import, look up and export attribution tags and actors"}
	cmd.AddCommand(newTagsImportCmd(g), newTagsShowCmd(g), newTagsFindCmd(g), newTagsActorsCmd(g), newTagsExportCmd(g))
	return cmd
}

// tagInput marks an import error about a file's content, so the exit code
// is 65 (malformed input) like a list file's; the message stays the
// decoder's (file:line: ...).
type tagInput struct{ err error }

func (e tagInput) Error() string        { return e.err.Error() }
func (e tagInput) Unwrap() error        { return e.err }
func (e tagInput) Is(target error) bool { return target == sanctions.ErrMalformed }

// tagNotFound gives an unknown actor exit code 4, like any other lookup.
type tagNotFound struct{ err error }

func (e tagNotFound) Error() string        { return e.err.Error() }
func (e tagNotFound) Unwrap() error        { return e.err }
func (e tagNotFound) Is(target error) bool { return target == lists.ErrNotFound }

// tagsApp is what the tags commands use: the state store as a tags.Store and
// an importer with the curated actors loaded.
func (a *app) tags(ctx context.Context) (tags.Store, *tags.Importer, error) {
	st, ok := a.store.(tags.Store)
	if !ok {
		return nil, nil, fmt.Errorf("the state store %T keeps no tags", a.store)
	}
	im, err := tags.NewImporter(st, nil, a.log)
	if err != nil {
		return nil, nil, err
	}
	if _, err := im.EnsureCurated(ctx); err != nil {
		return nil, nil, fmt.Errorf("curated actors: %w", err)
	}
	return st, im, nil
}

func newTagsImportCmd(g *globals) *cobra.Command {
	var opt tags.Options
	var withSanctions bool
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Import TagPacks, ActorPacks and label sets (CSV/JSON/YAML, .gz ok); print counts per file",
		Long: `Import attribution files. The format is told from content and name: a GraphSense
TagPack (YAML with tags:), an ActorPack (YAML with actors:), or a label set (Etherscan
label dump or account CSV, MEW dark/light list, Forta labelled dataset, CryptoScamDB
urls.yaml, or a CSV/JSON with address and label columns). Each file is one dataset;
importing it again replaces that dataset, so nothing is duplicated. A bad file stops the
import with exit code 65 and its file:line; nothing of it is stored.

--sanctions also turns the addresses of the latest stored OFAC and UN list versions (see
"lists load") into tags of category sanction.`,
		Args: withArgs(func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !withSanctions {
				return errors.New("give at least one FILE, or --sanctions")
			}
			if opt.Dataset != "" && len(args) != 1 {
				return errors.New("--dataset names one file's dataset: give exactly one FILE")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				_, im, err := a.tags(ctx)
				if err != nil {
					return err
				}
				var results []tags.Result
				var failed error
				for _, path := range args {
					r, err := importTagFile(ctx, im, path, opt)
					if err != nil {
						failed = err
						break
					}
					results = append(results, r)
				}
				if failed == nil && withSanctions {
					rs, err := a.importSanctionTags(ctx, im)
					results = append(results, rs...)
					failed = err
				}
				if results == nil {
					results = []tags.Result{}
				}
				if len(results) == 0 && failed != nil && a.g.output != "json" {
					return failed
				}
				if err := a.emit(map[string]any{"imports": results}, func(w *tabwriter.Writer) { importTable(w, results) }); err != nil {
					return err
				}
				return failed
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opt.Strict, "strict", false, "unknown categories, concepts and jurisdictions are errors, not warnings")
	f.BoolVar(&opt.AllowMerge, "allow-merge", false, "record an actor whose id or alias names another actor as same_as it, instead of refusing the file")
	f.StringVar(&opt.Dataset, "dataset", "", "dataset id for the file (default: kind and the last two path elements)")
	f.BoolVar(&withSanctions, "sanctions", false, "also import the addresses of the latest stored OFAC and UN lists as tags")
	return cmd
}

func importTagFile(ctx context.Context, im *tags.Importer, path string, opt tags.Options) (tags.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return tags.Result{}, err
	}
	defer f.Close()
	r, err := im.ImportFile(ctx, path, f, opt)
	if errors.Is(err, tags.ErrMalformed) {
		return r, tagInput{err}
	}
	return r, err
}

// importSanctionTags imports the latest version of each stored list.
func (a *app) importSanctionTags(ctx context.Context, im *tags.Importer) ([]tags.Result, error) {
	loaded, err := a.lists.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("read latest lists: %w", err)
	}
	var out []tags.Result
	for _, l := range loaded {
		r, err := im.ImportSanctions(ctx, l.Source, l.ID, l.Published, l.Entities)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func importTable(w *tabwriter.Writer, rs []tags.Result) {
	fmt.Fprintln(w, "FILE\tDATASET\tKIND\tROWS\tTAGS\tDUPLICATES\tSKIPPED\tACTORS\tCONFIDENCE\tWARNINGS")
	for _, r := range rs {
		kind := r.Kind
		if r.Unchanged {
			kind += " (unchanged)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\n", r.File, r.Dataset, kind, r.Rows, r.Tags, r.Duplicates,
			len(r.Skipped), r.Actors, confidenceSummary(r.Confidence), len(r.Warnings))
	}
	for _, r := range rs {
		for _, wn := range r.Warnings {
			fmt.Fprintf(w, "warning: %s\n", wn)
		}
		for _, m := range r.Merged {
			fmt.Fprintf(w, "merged: %s same_as %s (%s)\n", m.From, m.To, m.Source)
		}
	}
}

func confidenceSummary(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

func newTagsShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ADDRESS",
		Short: "Show the tags of an address (any chain's form), strongest confidence first",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, ok := a.store.(tags.Store)
				if !ok {
					return fmt.Errorf("the state store %T keeps no tags", a.store)
				}
				ts, err := tags.AddressTags(ctx, st, args[0])
				if err != nil {
					return err
				}
				if ts == nil {
					ts = []tags.Tag{}
				}
				return a.emit(map[string]any{"address": tags.Address(args[0]), "tags": ts}, func(w *tabwriter.Writer) { tagTable(w, ts) })
			})
		},
	}
}

func tagTable(w *tabwriter.Writer, ts []tags.Tag) {
	fmt.Fprintln(w, "ADDRESS\tNETWORK\tLABEL\tCATEGORY\tACTOR\tCONFIDENCE\tSOURCE\tFROM")
	for _, t := range ts {
		cat := joinOr(slices.DeleteFunc([]string{t.Category, t.Abuse}, func(s string) bool { return s == "" }), "-")
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s (%d)\t%s\t%s:%d\n", chain.ParseAddress(t.Address).Display, t.Network, t.Label, cat, orDash(t.Actor),
			t.Confidence, t.Level, t.Source, t.File, t.Line)
	}
}

func newTagsFindCmd(g *globals) *cobra.Command {
	var concept, minConf string
	var limit int
	cmd := &cobra.Command{
		Use:   "find --category CONCEPT [--min-confidence LEVEL|ID] [--limit N]",
		Short: "List tags of a category, abuse or concept at a minimum confidence, strongest first",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if concept == "" {
				return usageError{errors.New("--category is required")}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, im, err := a.tags(ctx)
				if err != nil {
					return err
				}
				level, err := confidenceLevel(im, minConf)
				if err != nil {
					return usageError{err}
				}
				ts, err := st.TagsByConcept(ctx, concept, level, limit)
				if err != nil {
					return err
				}
				if ts == nil {
					ts = []tags.Tag{}
				}
				return a.emit(map[string]any{"category": concept, "min_level": level, "tags": ts}, func(w *tabwriter.Writer) { tagTable(w, ts) })
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&concept, "category", "", "GraphSense concept: a category (exchange, mixing_service, ...) or abuse (sanction, ...)")
	f.StringVar(&minConf, "min-confidence", "0", "minimum confidence: a level 0..100 or a confidence id (authority_data, ...)")
	f.IntVar(&limit, "limit", 100, "at most N tags (0: all)")
	return cmd
}

// confidenceLevel reads a level number or a confidence id.
func confidenceLevel(im *tags.Importer, s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 100 {
		return n, nil
	}
	if n, ok := im.Taxonomy().ConfidenceLevel(s); ok {
		return n, nil
	}
	return 0, fmt.Errorf("--min-confidence %q: want 0..100 or one of %v", s, im.Taxonomy().ConfidenceIDs())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newTagsActorsCmd(g *globals) *cobra.Command {
	var associated bool
	cmd := &cobra.Command{
		Use:   "actors [ID|NAME]",
		Short: "List actors, or show one with its aliases, relations and tags",
		Args:  withArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, im, err := a.tags(ctx)
				if err != nil {
					return err
				}
				reg, err := im.Registry(ctx)
				if err != nil {
					return err
				}
				if len(args) == 0 {
					actors := reg.Actors()
					return a.emit(map[string]any{"actors": actors}, func(w *tabwriter.Writer) {
						fmt.Fprintln(w, "ID\tLABEL\tALIASES\tRELATIONS\tDATASET")
						for _, x := range actors {
							fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\n", x.ID, x.Label, len(x.Aliases), len(x.Relations), x.Dataset)
						}
					})
				}
				ts, ids, err := tags.ActorTags(ctx, st, reg, args[0], associated)
				if errors.Is(err, tags.ErrNotFound) {
					return tagNotFound{err}
				}
				if err != nil {
					return err
				}
				id := args[0]
				if r, ok := reg.Resolve(id); ok {
					id = r
				}
				actor, _ := reg.Actor(id)
				if ts == nil {
					ts = []tags.Tag{}
				}
				doc := map[string]any{"actor": actor, "same_as": reg.SameAs(id), "relations": reg.Relations(id), "cluster": ids, "tags": ts}
				return a.emit(doc, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "actor\t%s\t%s\n", actor.ID, actor.Label)
					fmt.Fprintf(w, "aliases\t%s\n", joinOr(actor.Aliases, "-"))
					fmt.Fprintf(w, "same as\t%s\n", strings.Join(reg.SameAs(id), ","))
					for _, r := range reg.Relations(id) {
						fmt.Fprintf(w, "relation\t%s %s %s\t%s\n", r.From, r.Kind, r.To, r.Source)
					}
					fmt.Fprintf(w, "tags of\t%s\t%d\n\n", strings.Join(ids, ","), len(ts))
					tagTable(w, ts)
				})
			})
		},
	}
	cmd.Flags().BoolVar(&associated, "associated", false, "include the tags of clusters attributed to or associated with the actor")
	return cmd
}

func newTagsExportCmd(g *globals) *cobra.Command {
	var format, out, actor, title string
	var datasets []string
	var associated bool
	cmd := &cobra.Command{
		Use:   "export --format tagpack [--dataset ID]... [--actor NAME [--associated]] [--out FILE]",
		Short: "Export stored tags as a GraphSense TagPack (re-importable to the same tags)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "tagpack" {
				return usageError{fmt.Errorf("--format must be tagpack, not %q", format)}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, im, err := a.tags(ctx)
				if err != nil {
					return err
				}
				ts, err := exportSelection(ctx, st, im, datasets, actor, associated)
				if err != nil {
					return err
				}
				w := io.Writer(a.stdout)
				if out != "" {
					f, err := os.Create(out)
					if err != nil {
						return err
					}
					defer f.Close()
					w = f
				}
				if err := tags.ExportPack(w, title, "interdict", "Tags exported by interdict tags export", ts); err != nil {
					return err
				}
				a.log.Info("tags exported", "tags", len(ts), "out", out)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "tagpack", "output format: tagpack (GraphSense TagPack YAML)")
	f.StringVar(&out, "out", "", "write to FILE instead of stdout")
	f.StringSliceVar(&datasets, "dataset", nil, "export only these datasets (default: all)")
	f.StringVar(&actor, "actor", "", "export only the tags of this actor (id or alias)")
	f.BoolVar(&associated, "associated", false, "with --actor: include attributed and associated clusters")
	f.StringVar(&title, "title", "Interdict tag export", "pack title")
	return cmd
}

func exportSelection(ctx context.Context, st tags.Store, im *tags.Importer, datasets []string, actor string, associated bool) ([]tags.Tag, error) {
	if actor != "" {
		reg, err := im.Registry(ctx)
		if err != nil {
			return nil, err
		}
		ts, _, err := tags.ActorTags(ctx, st, reg, actor, associated)
		if errors.Is(err, tags.ErrNotFound) {
			return nil, tagNotFound{err}
		}
		return ts, err
	}
	if len(datasets) == 0 {
		ds, err := st.TagDatasets(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.Tags > 0 {
				datasets = append(datasets, d.ID)
			}
		}
	}
	var out []tags.Tag
	for _, id := range datasets {
		ts, err := st.TagsByDataset(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}
