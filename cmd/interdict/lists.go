package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/fetch"
)

func newListsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "lists", Short: "Load, update, compare and export sanctions list versions"}
	cmd.AddCommand(newListsLoadCmd(g), newListsUpdateCmd(g), newListsDiffCmd(g), newListsShowCmd(g), newListsExportCmd(g))
	return cmd
}

// loadOutput is what `lists load` and `lists update` print per list.
type loadOutput struct {
	Version lists.Version `json:"version"`
	Diff    *lists.Diff   `json:"diff,omitempty"`
	Alerts  []alert.Alert `json:"alerts"`
	Skipped string        `json:"skipped,omitempty"`
}

func newListsLoadCmd(g *globals) *cobra.Command {
	var source string
	cmd := &cobra.Command{
		Use:   "load --source ofac|un FILE",
		Short: "Load a list file (plain, .gz or .bz2), diff it against the previous version and re-screen",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if source == "" {
				return usageError{errors.New("--source ofac|un is required")}
			}
			src, err := sanctions.ParseSource(source)
			if err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				out, err := a.loadFile(cmd, src, args[0])
				if err != nil {
					return err
				}
				return a.emit(out, func(w *tabwriter.Writer) { loadTable(w, []loadOutput{out}) })
			})
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "list source: ofac (SDN advanced XML) or un (consolidated XML)")
	return cmd
}

// loadFile loads one file and re-screens every subject screened before.
func (a *app) loadFile(cmd *cobra.Command, src sanctions.Source, path string) (loadOutput, error) {
	f, err := os.Open(path)
	if err != nil {
		return loadOutput{}, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	r, done := progressReader(f, size, "loading "+string(src))
	out, err := a.load(cmd, src, r)
	done()
	return out, err
}

func (a *app) load(cmd *cobra.Command, src sanctions.Source, r io.Reader) (loadOutput, error) {
	ctx := cmd.Context()
	dr, _, err := fetch.Decompress(r)
	if err != nil {
		return loadOutput{}, fmt.Errorf("open list: %w", err)
	}
	prev, err := a.index(ctx)
	if err != nil {
		return loadOutput{}, err
	}
	start := time.Now()
	v, diff, err := a.lists.Load(ctx, src, dr)
	if err != nil {
		return loadOutput{}, err
	}
	next, err := a.index(ctx)
	if err != nil {
		return loadOutput{}, err
	}
	alerts, err := alert.Rescreen(ctx, a.store, prev, next, v.ID)
	if err != nil {
		return loadOutput{}, fmt.Errorf("re-screen after %s: %w", v.ID, err)
	}
	a.log.Info("list loaded", "version", v.ID, "entities", v.Entities, "addresses", v.Addresses,
		"alerts", len(alerts), "took", time.Since(start).Round(time.Millisecond))
	if alerts == nil {
		alerts = []alert.Alert{}
	}
	return loadOutput{Version: v, Diff: diff, Alerts: alerts}, nil
}

func loadTable(w *tabwriter.Writer, outs []loadOutput) {
	fmt.Fprintln(w, "VERSION\tSOURCE\tPUBLISHED\tENTITIES\tADDRESSES\t+ENT\t-ENT\t~ENT\t+ADDR\t-ADDR\tALERTS")
	for _, o := range outs {
		if o.Skipped != "" {
			fmt.Fprintf(w, "%s\t%s\t\t\t\t\t\t\t\t\t(%s)\n", o.Version.ID, o.Version.Source, o.Skipped)
			continue
		}
		c := lists.DiffCounts{}
		if o.Diff != nil {
			c = o.Diff.Counts
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", o.Version.ID, o.Version.Source,
			o.Version.Published.Format(time.DateOnly), o.Version.Entities, o.Version.Addresses,
			c.EntitiesAdded, c.EntitiesRemoved, c.EntitiesChanged, c.AddressesAdded, c.AddressesRemoved, len(o.Alerts))
	}
}

func newListsDiffCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "diff FROM TO",
		Short: "Show what changed between two versions of a list",
		Args:  withArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				d, err := a.lists.Diff(ctx, args[0], args[1])
				if errors.Is(err, lists.ErrSourceMismatch) {
					return usageError{err}
				}
				if err != nil {
					return err
				}
				return a.emit(d, func(w *tabwriter.Writer) { diffTable(w, d) })
			})
		},
	}
}

func diffTable(w *tabwriter.Writer, d *lists.Diff) {
	fmt.Fprintf(w, "%s -> %s\n", d.From, d.To)
	fmt.Fprintf(w, "entities\t+%d\t-%d\t~%d\n", d.Counts.EntitiesAdded, d.Counts.EntitiesRemoved, d.Counts.EntitiesChanged)
	fmt.Fprintf(w, "addresses\t+%d\t-%d\t\n", d.Counts.AddressesAdded, d.Counts.AddressesRemoved)
	for _, e := range d.EntitiesAdded {
		fmt.Fprintf(w, "+ entity\t%s\t%s\t%s\n", e.ID, e.Name, joinOr(e.Programs, "-"))
	}
	for _, e := range d.EntitiesRemoved {
		fmt.Fprintf(w, "- entity\t%s\t%s\t%s\n", e.ID, e.Name, joinOr(e.Programs, "-"))
	}
	for _, e := range d.EntitiesChanged {
		fmt.Fprintf(w, "~ entity\t%s\t%s\t%s\n", e.ID, e.Name, joinOr(e.Fields, "-"))
	}
	for _, x := range d.AddressesAdded {
		fmt.Fprintf(w, "+ address\t%s\t%s\t%s\n", x.EntityID, x.Currency, x.Address)
	}
	for _, x := range d.AddressesRemoved {
		fmt.Fprintf(w, "- address\t%s\t%s\t%s\n", x.EntityID, x.Currency, x.Address)
	}
}

func newListsShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show [VERSION]",
		Short: "List the loaded list versions, or show one version's entities",
		Args:  withArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				if len(args) == 0 {
					vs, err := a.lists.Versions(ctx)
					if err != nil {
						return err
					}
					if vs == nil {
						vs = []lists.Version{}
					}
					return a.emit(map[string]any{"lists": vs}, func(w *tabwriter.Writer) {
						fmt.Fprintln(w, "VERSION\tSOURCE\tPUBLISHED\tENTITIES\tADDRESSES\tSHA256\tLOADED")
						for _, v := range vs {
							fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", v.ID, v.Source, v.Published.Format(time.DateOnly),
								v.Entities, v.Addresses, v.SHA256, v.LoadedAt.Format(time.RFC3339))
						}
					})
				}
				v, err := a.lists.Version(ctx, args[0])
				if err != nil {
					return err
				}
				ents, err := a.lists.Entities(ctx, v.ID)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"version": v, "entities": ents}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tTYPE\tNAME\tPROGRAMS\tADDRESSES")
					for _, e := range ents {
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", e.ID, e.Type, e.PrimaryName(), joinOr(e.Programs, "-"), len(e.Addresses))
					}
				})
			})
		},
	}
}

func newListsExportCmd(g *globals) *cobra.Command {
	var format, version string
	cmd := &cobra.Command{
		Use:   "export --format address-lists DIR",
		Short: "Export sanctioned addresses as per-asset plain-text lists (sanctioned_addresses_<ASSET>.txt)",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "address-lists" {
				return usageError{fmt.Errorf("--format %q: only address-lists is supported", format)}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				var ids []string
				var ents []sanctions.Entity
				if version != "" {
					e, err := a.lists.Entities(ctx, version)
					if err != nil {
						return err
					}
					ids, ents = []string{version}, e
				} else {
					loaded, err := a.lists.Latest(ctx)
					if err != nil {
						return err
					}
					for _, l := range loaded {
						ids = append(ids, l.Version.ID)
						ents = append(ents, l.Entities...)
					}
				}
				files, err := lists.WriteAddressLists(args[0], ents)
				if err != nil {
					return err
				}
				return a.emit(map[string]any{"dir": args[0], "versions": ids, "files": files}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "FILE")
					for _, f := range files {
						fmt.Fprintln(w, f)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "address-lists", "export format: address-lists")
	cmd.Flags().StringVar(&version, "version", "", "list version to export (default: the latest of each source)")
	return cmd
}
