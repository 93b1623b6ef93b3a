package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/serve/auth"
)

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Create, list and revoke API keys; init, show and rotate the instance identity"}

	var name, member, role string
	create := &cobra.Command{
		Use:   "create --name NAME [--member M] [--role admin|analyst|screener]",
		Short: "Create an API key; the secret is printed once and only its hash is stored",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usageError{errors.New("--name is required")}
			}
			r, err := auth.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				secret, k, err := auth.NewKey(member, name, r)
				if err != nil {
					return err
				}
				if err := a.store.CreateKey(ctx, k); err != nil {
					return err
				}
				// "key" is the secret (the CLI contract); the other fields describe it.
				return a.emit(map[string]any{"key": secret, "id": k.ID, "name": k.Name, "member": k.Member, "role": k.Role,
					"created_at": k.CreatedAt, "secret": secret}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "id\t%s\nname\t%s\nmember\t%s\nrole\t%s\nsecret\t%s\n", k.ID, k.Name, k.Member, k.Role, secret)
					fmt.Fprintln(w, "\t(the secret is shown once; store it now)")
				})
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "a label for the key")
	create.Flags().StringVar(&member, "member", "local", "the member (organisation) the key acts for")
	create.Flags().StringVar(&role, "role", string(auth.RoleScreener), "role: admin, analyst or screener")

	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				keys, err := a.store.Keys(ctx)
				if err != nil {
					return err
				}
				if keys == nil {
					keys = []auth.Key{}
				}
				return a.emit(map[string]any{"keys": keys}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tNAME\tMEMBER\tROLE\tCREATED\tREVOKED")
					for _, k := range keys {
						revoked := "-"
						if k.RevokedAt != nil {
							revoked = k.RevokedAt.Format(time.RFC3339)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Member, k.Role, k.CreatedAt.Format(time.RFC3339), revoked)
					}
				})
			})
		},
	}

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				if err := a.store.RevokeKey(ctx, args[0], time.Now().UTC()); err != nil {
					return err
				}
				return a.emit(map[string]any{"revoked": args[0]}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "revoked\t%s\n", args[0])
				})
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	cmd.AddCommand(newKeysInitCmd(g), newKeysShowCmd(g), newKeysRotateCmd(g)) // instance identity (identity.go)
	return cmd
}

func nowUTC() time.Time { return time.Now().UTC() }
