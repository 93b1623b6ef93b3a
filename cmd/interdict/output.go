package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// emit writes v as one indented JSON document when --output json, otherwise
// calls table to render it for people.
func (a *app) emit(v any, table func(w *tabwriter.Writer)) error {
	return emitTo(a.stdout, a.g.output, v, table)
}

func emitTo(out io.Writer, format string, v any, table func(w *tabwriter.Writer)) error {
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	table(tw)
	return tw.Flush()
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ",")
}

// progressReader wraps r with a progress bar on stderr when stderr is a
// terminal; size is the total in bytes (-1 if unknown).
func progressReader(r io.Reader, size int64, desc string) (io.Reader, func()) {
	if !isatty.IsTerminal(os.Stderr.Fd()) {
		return r, func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
	)
	pr := progressbar.NewReader(r, bar)
	return &pr, func() { _ = bar.Finish(); fmt.Fprintln(os.Stderr) }
}
