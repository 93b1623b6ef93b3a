package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// report collects latencies, overall and per kind of query.
type report struct {
	mode  string
	all   []time.Duration
	kinds map[string][]time.Duration
	hits  map[string]int
	wall  time.Duration
	// queries counts names screened; with batches it exceeds len(all).
	queries int
	// slowest keeps the slowest calls' first names, for -slow.
	slowest []timed
	keep    int
}

type timed struct {
	d    time.Duration
	name string
}

func newReport(mode string, n, keepSlowest int) report {
	return report{mode: mode, all: make([]time.Duration, 0, n), kinds: map[string][]time.Duration{}, hits: map[string]int{}, keep: keepSlowest}
}

// add records one measured call that screened one name of a kind.
func (r *report) add(kind, name string, d time.Duration, hit bool) {
	r.addBatch(kind, name, d, 1, b2i(hit))
}

// addBatch records one call screening n names, hits of which hit; name is
// the first.
func (r *report) addBatch(kind, name string, d time.Duration, n, hits int) {
	if r.keep > 0 && (len(r.slowest) < r.keep || d > r.slowest[len(r.slowest)-1].d) {
		i, _ := slices.BinarySearchFunc(r.slowest, d, func(t timed, d time.Duration) int { return -cmpDur(t.d, d) })
		r.slowest = slices.Insert(r.slowest, i, timed{d, name})
		if len(r.slowest) > r.keep {
			r.slowest = r.slowest[:r.keep]
		}
	}
	r.all = append(r.all, d)
	r.kinds[kind] = append(r.kinds[kind], d)
	r.hits[kind] += hits
	r.queries += n
}

func cmpDur(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *report) print(out io.Writer) {
	fmt.Fprintf(out, "%s: %d calls, %d names in %v: %.0f names/s\n",
		r.mode, len(r.all), r.queries, r.wall.Round(time.Millisecond), float64(r.queries)/r.wall.Seconds())
	fmt.Fprintf(out, "%-10s %7s %6s %9s %9s %9s %9s\n", "kind", "calls", "hits", "p50", "p90", "p99", "max")
	line := func(name string, ds []time.Duration, hits int) {
		s := slices.Clone(ds)
		slices.Sort(s)
		fmt.Fprintf(out, "%-10s %7d %6d %9s %9s %9s %9s\n", name, len(s), hits,
			ms(pct(s, 0.50)), ms(pct(s, 0.90)), ms(pct(s, 0.99)), ms(s[len(s)-1]))
	}
	total := 0
	for _, k := range slices.Sorted(maps.Keys(r.kinds)) {
		line(k, r.kinds[k], r.hits[k])
		total += r.hits[k]
	}
	line("all", r.all, total)
	for _, t := range r.slowest {
		fmt.Fprintf(out, "slow: %s %q\n", ms(t.d), t.name)
	}
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }
