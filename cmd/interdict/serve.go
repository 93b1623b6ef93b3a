package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/config"
	"github.com/interdict/interdict/internal/serve/api"
)

// serveFlags configure `serve` and `demo`.
type serveFlags struct {
	listen  string
	refresh time.Duration
	// peopleMember is the member whose applicants the instance vets
	// (/v1/people); peopleKey the people key file.
	peopleMember, peopleKey string
}

func (f *serveFlags) register(cmd *cobra.Command) {
	def := config.DefaultConfig().Serve
	cmd.Flags().StringVar(&f.listen, "listen", def.Listen, "address to listen on")
	cmd.Flags().DurationVar(&f.refresh, "refresh", time.Duration(def.Refresh),
		"how often to look for list versions loaded by another process or API node (0 disables)")
	cmd.Flags().StringVar(&f.peopleMember, "people-member", "",
		"member whose keys may use /v1/people besides admin keys (the instance's own organisation)")
	cmd.Flags().StringVar(&f.peopleKey, "people-key-file", "", "the instance's people key (default: people.key in the data dir)")
}

// merge takes the values the command line left unset from the config file.
func (f serveFlags) merge(cmd *cobra.Command, cfg config.Serve) serveFlags {
	if !cmd.Flags().Changed("listen") {
		f.listen = cfg.Listen
	}
	if !cmd.Flags().Changed("refresh") {
		f.refresh = time.Duration(cfg.Refresh)
	}
	return f
}

func newServeCmd(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the authenticated HTTP API",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneGC()
			return g.run(cmd, func(ctx context.Context, a *app) error {
				return a.serve(ctx, f.merge(cmd, a.cfg.Serve), func(url string) {
					fmt.Fprintf(cmd.ErrOrStderr(), "interdict: serving on %s\n", url)
				})
			})
		},
	}
	f.register(cmd)
	return cmd
}

// serve runs the API and the index refresher until ctx ends; banner is called
// once the listener is bound.
func (a *app) serve(ctx context.Context, f serveFlags, banner func(url string)) error {
	ix, err := a.index(ctx)
	if err != nil {
		return err
	}
	live := screen.NewLive(ix)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	tr := a.serveTracing()
	peopleSvc, rescreen := a.servePeople(ctx, f.peopleKey, live)
	h, err := api.New(a.cfg.API, api.Deps{
		Screen:       live,
		Subjects:     a.store,
		Lists:        a.lists,
		Alerts:       a.store,
		Auth:         a.store,
		Logger:       a.log,
		Registry:     reg,
		Ready:        a.store.Ping,
		TAXII:        a.taxiiHandler(),
		Traces:       tr.tracesAPI(),
		Attribution:  tr.attr,
		Exposure:     tr.exposureAPI(),
		IOCs:         a.iocMatcher(),
		Inspections:  a.inspectionsAPI(),
		People:       peopleSvc,
		PeopleMember: f.peopleMember,
		AlertStream:  a.alertStream(ctx),
		Filters:      a.hubFilters(),
		Flags:        a.serveFlagService(),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usageError{fmt.Errorf("listen on %s: %w", f.listen, err)}
	}
	banner("http://" + ln.Addr().String())
	a.log.Info("serving", "addr", ln.Addr().String(), "lists", len(ix.Versions()))

	var g run.Group
	sctx, cancel := context.WithCancel(ctx)
	g.Add(func() error { return api.Serve(sctx, ln, h, a.log) }, func(error) { cancel() })
	a.addFederation(ctx, &g)
	a.addDelivery(ctx, &g)
	if f.refresh > 0 {
		rctx, rcancel := context.WithCancel(ctx)
		g.Add(func() error { a.refresh(rctx, live, f.refresh, rescreen); return nil }, func(error) { rcancel() })
	}
	return g.Run()
}

// refresh rebuilds the index when the stored list versions change, so a list
// loaded by the CLI or by another API node on the same database is picked up
// without a restart. rescreen, if not nil, then re-screens the people.
func (a *app) refresh(ctx context.Context, live *screen.Live, every time.Duration, rescreen func(context.Context, string)) {
	t := time.NewTicker(every)
	defer t.Stop()
	seen, err := a.versionIDs(ctx)
	if err != nil {
		a.log.Warn("index refresh: read list versions", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := a.versionIDs(ctx)
		if err != nil {
			a.log.Warn("index refresh: read list versions", "err", err)
			continue
		}
		if slices.Equal(ids, seen) {
			continue
		}
		start := time.Now()
		ix, err := a.index(ctx)
		if err != nil {
			a.log.Warn("index refresh: rebuild", "err", err)
			continue
		}
		live.Swap(ix)
		seen = ids
		a.log.Info("screening index rebuilt", "versions", len(ids), "took", time.Since(start).Round(time.Millisecond))
		if rescreen != nil {
			rescreen(ctx, "lists "+strings.Join(ids, ", ")+" loaded")
		}
	}
}

func (a *app) versionIDs(ctx context.Context) ([]string, error) {
	vs, err := a.lists.Versions(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids, nil
}
