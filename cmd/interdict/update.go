package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/fetch"
)

// downloadState is what a download left for the next conditional GET.
type downloadState struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
}

func newListsUpdateCmd(g *globals) *cobra.Command {
	var source, ofacURL, unURL, ofacSHA string
	cmd := &cobra.Command{
		Use:   "update [--source ofac|un|all]",
		Short: "Download the current lists (conditional GET, checksum) and load what changed",
		Args:  withArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var srcs []sanctions.Source
			switch source {
			case "all", "":
				srcs = []sanctions.Source{sanctions.SourceOFAC, sanctions.SourceUN}
			default:
				s, err := sanctions.ParseSource(source)
				if err != nil {
					return usageError{err}
				}
				srcs = []sanctions.Source{s}
			}
			return g.run(cmd, func(ctx context.Context, a *app) error {
				cfg := a.cfg.Fetch
				if ofacURL != "" {
					cfg.OFACURL = ofacURL
				}
				if unURL != "" {
					cfg.UNURL = unURL
				}
				f := fetch.New(cfg, nil, a.log)
				var outs []loadOutput
				for _, src := range srcs {
					want := ""
					if src == sanctions.SourceOFAC {
						want = ofacSHA
					}
					out, err := a.update(cmd, f, cfg, src, want)
					if err != nil {
						return err
					}
					outs = append(outs, out)
				}
				return a.emit(map[string]any{"updates": outs}, func(w *tabwriter.Writer) { loadTable(w, outs) })
			})
		},
	}
	cmd.Flags().StringVar(&source, "source", "all", "which list: ofac, un or all")
	cmd.Flags().StringVar(&ofacURL, "ofac-url", "", "OFAC SDN advanced XML URL (default: OFAC's own)")
	cmd.Flags().StringVar(&unURL, "un-url", "", "UN consolidated XML URL (default: the UN's own)")
	cmd.Flags().StringVar(&ofacSHA, "ofac-sha256", "", "expected SHA-256 of the OFAC file, as OFAC publishes it")
	return cmd
}

func (a *app) update(cmd *cobra.Command, f *fetch.Fetcher, cfg fetch.Config, src sanctions.Source, sha string) (loadOutput, error) {
	ctx := cmd.Context()
	url, err := cfg.URL(src)
	if err != nil {
		return loadOutput{}, err
	}
	dir := filepath.Join(a.g.dataDir, "downloads")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return loadOutput{}, err
	}
	statePath := filepath.Join(dir, string(src)+".state.json")
	var st downloadState
	if b, err := os.ReadFile(statePath); err == nil {
		_ = json.Unmarshal(b, &st) // a damaged state only costs an unconditional GET
	}
	res, err := f.Fetch(ctx, fetch.Request{
		URL: url, Dir: dir, Name: string(src) + ".xml",
		ETag: st.ETag, LastModified: st.LastModified, SHA256: sha,
	})
	if err != nil {
		return loadOutput{}, fmt.Errorf("download %s list: %w", src, err)
	}
	if res.NotModified {
		return loadOutput{Version: lists.Version{Source: src}, Skipped: "not modified"}, nil
	}
	out, err := a.loadFile(cmd, src, res.Path)
	if errors.Is(err, lists.ErrExists) {
		out, err = loadOutput{Version: lists.Version{Source: src, SHA256: res.SHA256}, Skipped: "already loaded"}, nil
	}
	if err != nil {
		return loadOutput{}, err
	}
	// Remember the validators only once the list is safely stored.
	b, _ := json.Marshal(downloadState{ETag: res.ETag, LastModified: res.LastModified, SHA256: res.SHA256})
	if err := os.WriteFile(statePath+".tmp", b, 0o640); err != nil {
		return loadOutput{}, err
	}
	return out, os.Rename(statePath+".tmp", statePath)
}
