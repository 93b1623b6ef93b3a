package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/notify"
)

// The instance identity: `keys init|show|rotate` (the Ed25519 key this
// instance signs flags with, in identity.pem in the data dir).

// identityFile is the identity's path in the data dir.
func (g *globals) identityFile() string { return filepath.Join(g.dataDir, "identity.pem") }

// notifyStore is the state store as a notify.Store.
func (a *app) notifyStore() (notify.Store, error) {
	st, ok := a.store.(notify.Store)
	if !ok {
		return nil, fmt.Errorf("the state store %T keeps no members or flags", a.store)
	}
	return st, nil
}

// notifyService wires the flag service: the store, the issuer policy, and the
// instance identity if there is one.
func (a *app) notifyService(p notify.Policy) (*notify.Service, error) {
	st, err := a.notifyStore()
	if err != nil {
		return nil, err
	}
	svc := notify.NewService(st, p, a.log)
	id, err := notify.LoadIdentity(a.g.identityFile())
	switch {
	case err == nil:
		svc = svc.WithIdentity(id)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return svc, nil
}

// writeIdentity writes the identity file with mode 0600, atomically.
func writeIdentity(path string, id notify.Identity) error {
	b, err := id.MarshalKey()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".identity-*.pem")
	if err != nil {
		return fmt.Errorf("write identity: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write identity: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write identity: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write identity: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write identity: %w", err)
	}
	return nil
}

// identityDoc is what `keys init|show|rotate` print: what a peer needs to
// register this instance.
type identityDoc struct {
	Member    string `json:"member"`
	Org       string `json:"org,omitempty"`
	Role      string `json:"role,omitempty"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	Path      string `json:"path"`
	Previous  string `json:"previous_key_id,omitempty"`
}

func (a *app) emitIdentity(d identityDoc) error {
	return a.emit(d, func(w *tabwriter.Writer) {
		fmt.Fprintf(w, "member\t%s\n", d.Member)
		if d.Org != "" {
			fmt.Fprintf(w, "org\t%s\n", d.Org)
		}
		if d.Role != "" {
			fmt.Fprintf(w, "role\t%s\n", d.Role)
		}
		fmt.Fprintf(w, "key_id\t%s\npublic_key\t%s\n", d.KeyID, d.PublicKey)
		if d.Previous != "" {
			fmt.Fprintf(w, "previous_key_id\t%s\t(revoked now; still verifies what it signed before)\n", d.Previous)
		}
		fmt.Fprintf(w, "path\t%s\n", d.Path)
	})
}

func newKeysInitCmd(g *globals) *cobra.Command {
	var member, org, role string
	var force bool
	cmd := &cobra.Command{
		Use:   "init --member ID [--org NAME] [--role R] [--force]",
		Short: "Create this instance's signing identity (identity.pem) and register it as a member",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(member) == "" {
				return usageError{errors.New("--member is required")}
			}
			r, err := notify.ParseRole(role)
			if err != nil {
				return usageError{err}
			}
			path := g.identityFile()
			if _, err := os.Stat(path); err == nil && !force {
				return fmt.Errorf("%w: %s holds an identity; --force replaces it", notify.ErrExists, path)
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				id, err := notify.NewIdentity(member)
				if err != nil {
					return err
				}
				k, err := notify.NewMemberKey(id.Public(), nowUTC())
				if err != nil {
					return err
				}
				m, err := st.Member(ctx, member)
				switch {
				case errors.Is(err, notify.ErrNotFound):
					m = notify.Member{ID: member, Org: org, Role: r, Keys: []notify.MemberKey{k}}
					err = st.AddMember(ctx, m)
				case err == nil && force:
					if err = st.AddMemberKey(ctx, member, k); err == nil {
						err = revokeReplaced(ctx, st, path, member)
					}
				case err == nil:
					err = fmt.Errorf("%w: member %s is registered; --force adds this key to it", notify.ErrExists, member)
				}
				if err != nil {
					return err
				}
				if err := writeIdentity(path, id); err != nil {
					return err
				}
				a.log.Info("instance identity created", "member", member, "key_id", id.KeyID(), "path", path)
				return a.emitIdentity(identityDoc{Member: member, Org: m.Org, Role: string(m.Role), KeyID: id.KeyID(),
					PublicKey: base64.StdEncoding.EncodeToString(id.Public()), Path: path})
			})
		},
	}
	cmd.Flags().StringVar(&member, "member", "", "this instance's member id in the network")
	cmd.Flags().StringVar(&org, "org", "", "organisation name")
	cmd.Flags().StringVar(&role, "role", string(notify.RoleAuthority), "role: authority, exchange, custodian, isac or researcher")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing identity file")
	return cmd
}

// revokeReplaced revokes, now, the key of the identity file that --force
// replaces, if it was this member's: it keeps verifying what it signed.
func revokeReplaced(ctx context.Context, st notify.MemberStore, path, member string) error {
	old, err := notify.LoadIdentity(path)
	if err != nil || old.Member != member {
		return nil // nothing readable to replace
	}
	err = st.RevokeMemberKey(ctx, member, old.KeyID(), nowUTC())
	if errors.Is(err, notify.ErrNotFound) {
		return nil
	}
	return err
}

func newKeysShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Print this instance's member id, key id and public key (what a peer needs to register it)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := loadIdentity(g)
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				d := identityDoc{Member: id.Member, KeyID: id.KeyID(), PublicKey: base64.StdEncoding.EncodeToString(id.Public()), Path: g.identityFile()}
				if st, err := a.notifyStore(); err == nil {
					if m, err := st.Member(ctx, id.Member); err == nil {
						d.Org, d.Role = m.Org, string(m.Role)
					}
				}
				return a.emitIdentity(d)
			})
		},
	}
}

func loadIdentity(g *globals) (notify.Identity, error) {
	id, err := notify.LoadIdentity(g.identityFile())
	if errors.Is(err, fs.ErrNotExist) {
		return notify.Identity{}, fmt.Errorf("%w: no instance identity at %s; run interdict keys init --member ID", notify.ErrNotFound, g.identityFile())
	}
	return id, err
}

func newKeysRotateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rotate",
		Short: "Replace the instance key: register a new one, revoke the old one now (it still verifies what it signed before)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			old, err := loadIdentity(g)
			if err != nil {
				return err
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				st, err := a.notifyStore()
				if err != nil {
					return err
				}
				next, err := notify.NewIdentity(old.Member)
				if err != nil {
					return err
				}
				now := nowUTC()
				k, err := notify.NewMemberKey(next.Public(), now)
				if err != nil {
					return err
				}
				if err := st.AddMemberKey(ctx, old.Member, k); err != nil {
					return err
				}
				if err := writeIdentity(g.identityFile(), next); err != nil {
					return err
				}
				if err := st.RevokeMemberKey(ctx, old.Member, old.KeyID(), now); err != nil {
					return err
				}
				a.log.Info("instance key rotated", "member", old.Member, "key_id", next.KeyID(), "previous", old.KeyID())
				return a.emitIdentity(identityDoc{Member: old.Member, KeyID: next.KeyID(), PublicKey: base64.StdEncoding.EncodeToString(next.Public()),
					Path: g.identityFile(), Previous: old.KeyID()})
			})
		},
	}
}
