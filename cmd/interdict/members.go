package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/notify"
)

// `interdict members add|list|remove|keys revoke`: the member registry the
// flags this instance receives are verified against.

func newMembersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "members", Short: "Register, list and remove members of the notification network and their keys"}
	keys := &cobra.Command{Use: "keys", Short: "Manage a member's keys"}
	keys.AddCommand(newMembersKeysAddCmd(g), newMembersKeysRevokeCmd(g))
	cmd.AddCommand(newMembersAddCmd(g), newMembersListCmd(g), newMembersRemoveCmd(g), keys)
	return cmd
}

// parsePublicKey reads a base64 (standard or URL, padded or not) Ed25519
// public key.
func parsePublicKey(s string) (notify.MemberKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return notify.NewMemberKey(b, nowUTC())
		}
	}
	return notify.MemberKey{}, fmt.Errorf("%w: --key is not base64", notify.ErrMalformed)
}

// readCredential reads a secret from a file (its first line, trimmed).
func readCredential(path string) (notify.Secret, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read endpoint credential: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return notify.Secret(strings.TrimSpace(line)), nil
}

func newMembersAddCmd(g *globals) *cobra.Command {
	var org, role, endpoint, credFile string
	var keys []string
	cmd := &cobra.Command{
		Use:   "add ID --org O --role R --key BASE64 [--endpoint URL] [--endpoint-key-file F]",
		Short: "Register a member with its public key(s) and, optionally, its TAXII collection and the credential to reach it",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := notify.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			if len(keys) == 0 {
				return usageError{errors.New("--key is required (the member's Ed25519 public key, base64)")}
			}
			m := notify.Member{ID: args[0], Org: org, Role: r, Endpoint: notify.Endpoint{URL: endpoint}}
			for _, k := range keys {
				mk, err := parsePublicKey(k)
				if err != nil {
					return err
				}
				m.Keys = append(m.Keys, mk)
			}
			if m.Endpoint.Credential, err = readCredential(credFile); err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				if err := st.AddMember(ctx, m); err != nil {
					return err
				}
				m, err = st.Member(ctx, m.ID)
				if err != nil {
					return err
				}
				a.log.Info("member registered", "member", m.ID, "role", m.Role, "keys", len(m.Keys))
				return a.emit(memberDocOf(m), func(w *tabwriter.Writer) { printMember(w, m) })
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&org, "org", "", "organisation name")
	f.StringVar(&role, "role", "", "role: authority, exchange, custodian, isac or researcher")
	f.StringArrayVar(&keys, "key", nil, "Ed25519 public key, base64 (repeat for several)")
	f.StringVar(&endpoint, "endpoint", "", "the member's TAXII 2.1 collection URL")
	f.StringVar(&credFile, "endpoint-key-file", "", "file holding the API key to present at --endpoint (kept, never printed)")
	return cmd
}

// memberDoc is a member as printed: the credential only as whether one is set.
type memberDoc struct {
	notify.Member
	CredentialSet bool `json:"endpoint_credential_set"`
}

func memberDocOf(m notify.Member) memberDoc {
	if m.Keys == nil {
		m.Keys = []notify.MemberKey{}
	}
	return memberDoc{Member: m, CredentialSet: m.Endpoint.Credential != ""}
}

func printMember(w *tabwriter.Writer, m notify.Member) {
	fmt.Fprintf(w, "id\t%s\norg\t%s\nrole\t%s\n", m.ID, m.Org, m.Role)
	if m.Endpoint.URL != "" {
		fmt.Fprintf(w, "endpoint\t%s\n", m.Endpoint.URL)
	}
	for _, k := range m.Keys {
		st := "in force"
		if !k.RevokedAt.IsZero() {
			st = "revoked " + k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "key\t%s\t%s\n", k.ID, st)
	}
}

func newMembersListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List registered members and their keys (never endpoint credentials)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				ms, err := st.Members(ctx)
				if err != nil {
					return err
				}
				docs := make([]memberDoc, 0, len(ms))
				for _, m := range ms {
					docs = append(docs, memberDocOf(m))
				}
				return a.emit(map[string]any{"members": docs}, func(w *tabwriter.Writer) {
					fmt.Fprintln(w, "ID\tORG\tROLE\tKEYS\tENDPOINT")
					for _, m := range ms {
						var ids []string
						for _, k := range m.Keys {
							id := k.ID
							if !k.RevokedAt.IsZero() {
								id += " (revoked)"
							}
							ids = append(ids, id)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Org, m.Role, joinOr(ids, "-"), orDash(m.Endpoint.URL))
					}
				})
			})
		},
	}
}

func newMembersRemoveCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a member and its keys: its flags stop being active here",
		Args:  withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				if err := st.RemoveMember(ctx, args[0]); err != nil {
					return err
				}
				a.log.Info("member removed", "member", args[0])
				return a.emit(map[string]any{"removed": args[0]}, func(w *tabwriter.Writer) { fmt.Fprintf(w, "removed\t%s\n", args[0]) })
			})
		},
	}
}

func newMembersKeysAddCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "add ID BASE64",
		Short: "Register another public key of a member (its rotation)",
		Args:  withArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := parsePublicKey(args[1])
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				if err := st.AddMemberKey(ctx, args[0], k); err != nil {
					return err
				}
				return a.emit(map[string]any{"member": args[0], "key_id": k.ID}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "member\t%s\nkey_id\t%s\n", args[0], k.ID)
				})
			})
		},
	}
}

func newMembersKeysRevokeCmd(g *globals) *cobra.Command {
	var at string
	cmd := &cobra.Command{
		Use:   "revoke ID KEYID [--at RFC3339]",
		Short: "Revoke a member's key: records it signed from --at on (default now) stop verifying; back-date --at for a compromised key",
		Args:  withArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			when := nowUTC()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return usageError{fmt.Errorf("--at: %w", err)}
				}
				when = t.UTC()
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				if err := st.RevokeMemberKey(ctx, args[0], args[1], when); err != nil {
					return err
				}
				a.log.Info("member key revoked", "member", args[0], "key_id", args[1], "at", when)
				return a.emit(map[string]any{"member": args[0], "key_id": args[1], "revoked_at": when}, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "member\t%s\nkey_id\t%s\nrevoked_at\t%s\n", args[0], args[1], when.Format(time.RFC3339))
				})
			})
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "revocation time (RFC 3339); default now")
	return cmd
}
