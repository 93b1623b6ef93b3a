package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// meter shows the rates of what a long ingest counts (blocks first, then
// txs, transfers …): a bar on a terminal, slog lines every 10 s otherwise.
type meter struct {
	log         *slog.Logger
	name        string
	units       []string
	counts      []int64
	bar         *progressbar.ProgressBar
	start, last time.Time
}

func newMeter(log *slog.Logger, name string, units ...string) *meter {
	m := &meter{log: log, name: name, units: units, counts: make([]int64, len(units)), start: time.Now(), last: time.Now()}
	if isatty.IsTerminal(os.Stderr.Fd()) {
		m.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(name), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	return m
}

// add counts one step (a block) with the amounts of each unit, in the order
// newMeter named them.
func (m *meter) add(amounts ...int64) {
	for i, a := range amounts {
		m.counts[i] += a
	}
	now := time.Now()
	if m.bar != nil {
		var d strings.Builder
		d.WriteString(m.name)
		for i, u := range m.units {
			fmt.Fprintf(&d, " %.0f %s/s", m.rate(i), u)
		}
		m.bar.Describe(d.String())
		_ = m.bar.Add(1)
		return
	}
	if now.Sub(m.last) >= 10*time.Second {
		m.last = now
		m.log.Info(m.name+" progress", m.attrs()...)
	}
}

func (m *meter) rate(i int) float64 {
	return float64(m.counts[i]) / max(time.Since(m.start).Seconds(), 1e-3)
}

// attrs are the counts and rates as slog attributes.
func (m *meter) attrs() []any {
	var a []any
	for i, u := range m.units {
		a = append(a, u, m.counts[i], u+"_per_s", int64(m.rate(i)))
	}
	return a
}

func (m *meter) finish() {
	if m.bar != nil {
		_ = m.bar.Finish()
		m.bar = nil
	}
}
