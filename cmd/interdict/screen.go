package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// screenOutput is the JSON document `screen` prints (the CLI contract).
type screenOutput struct {
	Results []screen.Result     `json:"results"`
	Lists   []screen.VersionRef `json:"lists"`
}

func newScreenCmd(g *globals) *cobra.Command {
	var failOnHit bool
	cmd := &cobra.Command{
		Use:   "screen",
		Short: "Screen crypto addresses or names against the loaded sanctions lists",
	}
	cmd.PersistentFlags().BoolVar(&failOnHit, "fail-on-hit", false, "exit with code 3 when any query hits")

	addr := &cobra.Command{
		Use:   "address ADDR...",
		Short: "Screen addresses exactly (normalised per chain)",
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScreen(cmd, g, failOnHit, "address", args, func(ix *screen.Index, q string) screen.Result {
				return ix.ScreenAddress(q)
			})
		},
	}

	var nq screen.NameQuery
	var types, programs []string
	name := &cobra.Command{
		Use:   "name NAME...",
		Short: "Screen names of people, organisations, vessels and aircraft (fuzzy)",
		Args:  withArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := nq
			for _, t := range types {
				et, err := parseEntityType(t)
				if err != nil {
					return usageError{err}
				}
				q.Types = append(q.Types, et)
			}
			q.Programs = programs
			if q.Threshold < 0 || q.Threshold > 1 {
				return usageError{fmt.Errorf("--threshold must be in [0,1]")}
			}
			return runScreen(cmd, g, failOnHit, "name", args, func(ix *screen.Index, s string) screen.Result {
				q.Name = s
				return ix.ScreenName(q)
			})
		},
	}
	f := name.Flags()
	f.StringSliceVar(&types, "type", nil, "only these entity types: individual, entity, vessel, aircraft")
	f.StringSliceVar(&programs, "program", nil, "only entities in these programs (e.g. DPRK3,CYBER2)")
	f.StringVar(&nq.Country, "country", "", "only entities with this nationality or place of birth")
	f.IntVar(&nq.BirthYear, "birth-year", 0, "drop individuals born more than a year off")
	f.Float64Var(&nq.Threshold, "threshold", 0, fmt.Sprintf("minimum score in [0,1] (default %.2f)", screen.DefaultThreshold))
	f.IntVar(&nq.Limit, "limit", 10, "maximum matches per name")
	cmd.AddCommand(addr, name)
	return cmd
}

func parseEntityType(s string) (sanctions.EntityType, error) {
	switch t := sanctions.EntityType(strings.ToLower(s)); t {
	case sanctions.TypeIndividual, sanctions.TypeOrganization, sanctions.TypeVessel, sanctions.TypeAircraft:
		return t, nil
	case "organization", "organisation":
		return sanctions.TypeOrganization, nil
	}
	return "", fmt.Errorf("unknown entity type %q (want individual, entity, vessel or aircraft)", s)
}

func runScreen(cmd *cobra.Command, g *globals, failOnHit bool, kind string, queries []string,
	do func(*screen.Index, string) screen.Result) error {
	return g.run(cmd, func(ctx context.Context, a *app) error {
		ix, err := a.index(ctx)
		if err != nil {
			return err
		}
		out := screenOutput{Lists: ix.Versions(), Results: make([]screen.Result, 0, len(queries))}
		hit := false
		for _, q := range queries {
			if strings.TrimSpace(q) == "" {
				return usageError{fmt.Errorf("empty %s", kind)}
			}
			r := do(ix, q)
			hit = hit || r.Hit
			out.Results = append(out.Results, r)
			// Remember the subject so a later list version re-screens it.
			if err := a.store.RecordScreened(ctx, kind, q); err != nil {
				return fmt.Errorf("record screened subject: %w", err)
			}
		}
		if len(out.Lists) == 0 {
			a.log.Warn("no sanctions list loaded; run 'interdict lists load' first")
		}
		if err := a.emit(out, func(w *tabwriter.Writer) { screenTable(w, out) }); err != nil {
			return err
		}
		if hit && failOnHit {
			return errHit
		}
		return nil
	})
}

func screenTable(w *tabwriter.Writer, out screenOutput) {
	fmt.Fprintln(w, "QUERY\tHIT\tSCORE\tLIST\tENTITY\tNAME\tPROGRAMS\tDETAIL")
	for _, r := range out.Results {
		if !r.Hit {
			fmt.Fprintf(w, "%s\tno\t\t\t\t\t\t\n", r.Query)
			continue
		}
		for _, m := range r.Matches {
			detail := m.MatchedName
			if m.Address != "" {
				detail = m.Currency + " " + m.Address
			}
			fmt.Fprintf(w, "%s\tyes\t%.3f\t%s\t%s\t%s\t%s\t%s\n", r.Query, m.Score, m.ListVersion, m.EntityID, m.Name, joinOr(m.Programs, "-"), detail)
		}
	}
}
