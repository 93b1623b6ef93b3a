package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/config"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/postgres"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// globals are the flags every command shares.
type globals struct {
	dataDir  string
	db       string
	output   string
	logLevel string
	config   string
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "interdict",
		Short:         "Screen, trace and share intelligence against DPRK theft and laundering",
		SilenceUsage:  true,
		SilenceErrors: true,
		// With Args and RunE on the root, an unknown command is a usage error
		// (exit 2) instead of cobra's plain error.
		Args: withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch g.output {
			case "table", "json":
			default:
				return usageError{fmt.Errorf("--output must be table or json, not %q", g.output)}
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&g.dataDir, "data-dir", "./interdict-data", "directory of the embedded stores")
	pf.StringVar(&g.db, "db", "", "state store URL: sqlite://PATH or postgres://... (default: SQLite in the data dir)")
	pf.StringVar(&g.output, "output", "table", "output format: table or json (json: one JSON document on stdout)")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error (logs go to stderr)")
	pf.StringVar(&g.config, "config", "", "JSON configuration file over the defaults (see internal/config)")
	root.AddCommand(newListsCmd(g), newScreenCmd(g), newServeCmd(g), newKeysCmd(g), newDemoCmd(g), newIngestCmd(g), newExportCmd(g), newTagsCmd(g))
	root.AddCommand(newTraceCmd(g))
	root.AddCommand(newTAXIICmd(g))
	root.AddCommand(newIntelCmd(g))
	root.AddCommand(newInspectCmd(g))
	root.AddCommand(newTracesCmd(g))
	root.AddCommand(newExposureCmd(g))
	root.AddCommand(newPeopleCmd(g))
	root.AddCommand(newWatchCmd(g), newAlertsCmd(g))
	root.AddCommand(newWebhooksCmd(g), newFilterCmd(g))
	root.AddCommand(newMembersCmd(g), newFlagsCmd(g))
	return root
}

// withArgs wraps a cobra.PositionalArgs so its errors are usage errors.
func withArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func (g *globals) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// stateStore is what the commands need of a state backend: every consumer's
// interface, plus lifecycle.
type stateStore interface {
	lists.Store
	alert.Store
	auth.Store
	Ping(ctx context.Context) error
}

// app is the wired set of components one command uses.
type app struct {
	g      *globals
	log    *slog.Logger
	store  stateStore
	close  func()
	cfg    config.Config
	lists  *lists.Service
	stdout io.Writer
}

// open wires the components in flow order: store, list versions.
func (g *globals) open(ctx context.Context) (*app, error) {
	log := g.logger()
	cfg, err := config.Load(g.config)
	if err != nil {
		return nil, usageError{err}
	}
	st, closeFn, err := g.openStore(ctx, log)
	if err != nil {
		return nil, err
	}
	return &app{g: g, log: log, cfg: cfg, store: st, close: closeFn, lists: lists.NewService(st, log), stdout: os.Stdout}, nil
}

// run opens the app for one command, runs fn with the command's context and
// closes the app when fn returns.
func (g *globals) run(cmd *cobra.Command, fn func(ctx context.Context, a *app) error) error {
	ctx := cmd.Context()
	a, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	return fn(ctx, a)
}

func (g *globals) openStore(ctx context.Context, log *slog.Logger) (stateStore, func(), error) {
	url := g.db
	if url == "" {
		if err := os.MkdirAll(g.dataDir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("create data dir: %w", err)
		}
		url = "sqlite://" + filepath.Join(g.dataDir, "interdict.db")
	}
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		st, err := postgres.Open(ctx, url, log)
		if err != nil {
			return nil, nil, fmt.Errorf("open postgres store: %w", err)
		}
		return st, st.Close, nil
	case strings.HasPrefix(url, "sqlite://"):
		path := strings.TrimPrefix(url, "sqlite://")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, nil, fmt.Errorf("create store dir: %w", err)
			}
		}
		st, err := sqlite.Open(ctx, path, log)
		if err != nil {
			return nil, nil, fmt.Errorf("open sqlite store: %w", err)
		}
		return st, func() { _ = st.Close() }, nil
	}
	return nil, nil, usageError{fmt.Errorf("--db %q: want sqlite://PATH or postgres://URL", url)}
}

// index builds the screening index from the latest stored version of each list.
func (a *app) index(ctx context.Context) (*screen.Index, error) {
	loaded, err := a.lists.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("read latest lists: %w", err)
	}
	return screen.NewIndex(datasets(loaded)...), nil
}

func datasets(loaded []lists.Loaded) []screen.Dataset {
	ds := make([]screen.Dataset, 0, len(loaded))
	for _, l := range loaded {
		ds = append(ds, screen.Dataset{
			Version:  screen.VersionRef{ID: l.Version.ID, Source: l.Version.Source, Published: l.Version.Published},
			Entities: l.Entities,
		})
	}
	return ds
}
