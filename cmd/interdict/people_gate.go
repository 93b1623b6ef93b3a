package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

func (pc *peopleCmd) gateCmd() *cobra.Command {
	var rolesFile string
	cmd := &cobra.Command{
		Use:   "gate [--roles FILE]",
		Short: "List privileged seats whose holder is not verified in person (exit 3 if any)",
		Long: `Every signer seat, package publisher and repository or cloud admin must map to a person
whose latest decision is verified_in_person, with no case opened or reopened since.
Checks the privileges recorded on persons and, with --roles, the seats a system lists:
a CSV file with the header privilege,resource,account,person_id (or a JSON array of the
same fields), privilege one of signer_seat, package_publisher, repo_admin, cloud_admin.
A seat with no person_id is a violation too.

Exit status: 0 when every seat passes, 3 when any does not (for CI), 65 for a roles
file that does not parse.`,
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var roles []vet.RoleAssignment
			if rolesFile != "" {
				f, err := os.Open(rolesFile)
				if err != nil {
					return usageError{err}
				}
				roles, err = vet.ParseRoles(f)
				f.Close()
				if err != nil {
					return workflowErr(fmt.Errorf("%s: %w", rolesFile, err))
				}
			}
			return pc.g.run(cmd, func(ctx context.Context, a *app) error {
				ps, ok := a.store.(people.Store)
				if !ok {
					return fmt.Errorf("the state store %T keeps no people", a.store)
				}
				cs, err := caseStore(a)
				if err != nil {
					return err
				}
				vs, err := vet.NewGate(ps, cs).Check(ctx, roles)
				if err != nil {
					return err
				}
				if vs == nil {
					vs = []vet.Violation{}
				}
				if err := a.emit(vs, func(w *tabwriter.Writer) {
					if len(vs) == 0 {
						fmt.Fprintln(w, "every privileged seat is held by a person verified in person")
						return
					}
					fmt.Fprintln(w, "PRIVILEGE\tRESOURCE\tACCOUNT\tPERSON\tREASON\tSTATUS")
					for _, v := range vs {
						status := "-"
						if v.Status != nil {
							status = orDash(string(v.Status.Disposition))
							if len(v.Status.Open) > 0 {
								status += fmt.Sprintf(" (open: %v)", v.Status.Open)
							}
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Privilege, orDash(v.Resource), orDash(v.Account), orDash(v.PersonID), v.Reason, status)
					}
				}); err != nil {
					return err
				}
				if len(vs) > 0 {
					return fmt.Errorf("%w: %d privileged seat(s) not held by a person verified in person", errHit, len(vs))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&rolesFile, "roles", "", "CSV or JSON file of privileged seats and their persons")
	return cmd
}
