package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/sanctions/snapshot"
)

func newDemoCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the bundled list snapshots if needed, mint a demo API key and serve (offline)",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.run(cmd, func(ctx context.Context, a *app) error {
				if err := a.loadSnapshots(cmd); err != nil {
					return err
				}
				secret, err := a.demoKey(ctx)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				return a.serve(ctx, f.merge(cmd, a.cfg.Serve), func(url string) { demoBanner(out, url, secret) })
			})
		},
	}
	f.register(cmd)
	return cmd
}

// loadSnapshots loads each bundled list whose source has no version yet.
func (a *app) loadSnapshots(cmd *cobra.Command) error {
	vs, err := a.lists.Versions(cmd.Context())
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, v := range vs {
		have[string(v.Source)] = true
	}
	for _, f := range snapshot.Files() {
		if have[string(f.Source)] {
			continue
		}
		rc, err := snapshot.Open(f)
		if err != nil {
			return err
		}
		out, err := a.load(cmd, f.Source, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("load bundled %s: %w", f.Name, err)
		}
		a.log.Info("bundled list loaded", "version", out.Version.ID, "entities", out.Version.Entities)
	}
	return nil
}

// demoKey revokes the previous demo keys and mints a new admin key.
func (a *app) demoKey(ctx context.Context) (string, error) {
	keys, err := a.store.Keys(ctx)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if k.Name == "demo" && k.RevokedAt == nil {
			if err := a.store.RevokeKey(ctx, k.ID, nowUTC()); err != nil {
				return "", err
			}
		}
	}
	secret, k, err := auth.NewKey("demo", "demo", auth.RoleAdmin)
	if err != nil {
		return "", err
	}
	return secret, a.store.CreateKey(ctx, k)
}

func demoBanner(w io.Writer, url, secret string) {
	fmt.Fprintf(w, `
Interdict demo is running.

  URL:      %[1]s
  API key:  %[2]s   (admin role; a new one is minted at every start)
  OpenAPI:  %[1]s/v1/openapi.json

Try:
  curl -s -H 'Authorization: Bearer %[2]s' -H 'Content-Type: application/json' \
    -d '{"addresses":["0x098B716B8Aaf21512996dC57EB0615e2383E2f96","0x0000000000000000000000000000000000000001"],"names":[{"name":"Lazarus Grup"}]}' \
    %[1]s/v1/screen

Press Ctrl-C to stop.
`, url, secret)
}
