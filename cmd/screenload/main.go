// Command screenload measures name-screening latency: it loads the OFAC SDN
// and UN consolidated lists, builds the screening index and runs a reproducible
// mix of name queries (listed names, misspelt listed names and names nobody
// lists) one after another on a single goroutine with GOMAXPROCS=1, then prints
// the p50, p90, p99 and maximum latency and the throughput, overall and per
// kind of query.
//
// With -url and -key it sends the same queries to a running server instead,
// one POST /v1/screen per query (or per -batch names) with the body
// {"names":[{"name":"..."}]} and the header "Authorization: Bearer KEY", and
// reports the same figures for the round trips.
//
//	go run ./cmd/screenload                          # in process, 20000 queries
//	go run ./cmd/screenload -url http://127.0.0.1:8080 -key itd_... -n 2000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/fetch"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
	"github.com/interdict/interdict/internal/sources/sanctions/un"
)

// config is the command line.
type config struct {
	ofacPath, unPath string
	n, warmup        int
	seed             uint64
	url, key         string
	batch            int
	timeout          time.Duration
	slow             int
}

func main() {
	var c config
	flag.StringVar(&c.ofacPath, "ofac", "../shared/data/ofac/sdn_advanced_2025-11-19.xml.bz2", "OFAC SDN advanced XML (plain, .gz or .bz2)")
	flag.StringVar(&c.unPath, "un", "../shared/data/sanctions_other/UN_consolidated_2026-02-27.xml.gz", "UN consolidated list XML (plain, .gz or .bz2); empty to skip")
	flag.IntVar(&c.n, "n", 20000, "number of measured queries")
	flag.IntVar(&c.warmup, "warmup", 500, "queries run before measuring")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the query mix")
	flag.StringVar(&c.url, "url", "", "base URL of a running server (e.g. http://127.0.0.1:8080); empty to screen in process")
	flag.StringVar(&c.key, "key", "", "API key for -url")
	flag.IntVar(&c.batch, "batch", 1, "names per request with -url")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "timeout of one request with -url")
	flag.IntVar(&c.slow, "slow", 0, "also print the slowest N queries")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "screenload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.n <= 0 || c.batch <= 0 || c.warmup < 0 {
		return errors.New("-n and -batch must be positive, -warmup not negative")
	}
	if c.url != "" && c.key == "" {
		return errors.New("-url needs -key")
	}
	datasets, err := loadLists(ctx, c, out)
	if err != nil {
		return err
	}
	qs := queryMix(datasets, c.warmup+c.n, c.seed)
	warm, measured := qs[:c.warmup], qs[c.warmup:]

	var rep report
	if c.url == "" {
		rep, err = runInProcess(datasets, warm, measured, c.slow, out)
	} else {
		rep, err = runHTTP(ctx, c, warm, measured, out)
	}
	if err != nil {
		return err
	}
	rep.print(out)
	return nil
}

// loadLists parses the list files into datasets.
func loadLists(ctx context.Context, c config, out io.Writer) ([]screen.Dataset, error) {
	var ds []screen.Dataset
	for _, l := range []struct {
		path  string
		parse func(context.Context, io.Reader) (*sanctions.List, error)
	}{{c.ofacPath, ofac.Parse}, {c.unPath, un.Parse}} {
		if l.path == "" {
			continue
		}
		start := time.Now()
		list, err := parseFile(ctx, l.path, l.parse)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "loaded %s list of %s: %d entities in %v (decompression included)\n",
			list.Source, list.Published.Format(time.DateOnly), len(list.Entities), time.Since(start).Round(time.Millisecond))
		ds = append(ds, screen.Dataset{
			Version:  screen.VersionRef{ID: fmt.Sprintf("%s-%s", list.Source, list.Published.Format(time.DateOnly)), Source: list.Source, Published: list.Published},
			Entities: list.Entities,
		})
	}
	if len(ds) == 0 {
		return nil, errors.New("no list given (-ofac, -un)")
	}
	return ds, nil
}

func parseFile(ctx context.Context, path string, parse func(context.Context, io.Reader) (*sanctions.List, error)) (*sanctions.List, error) {
	f, err := fetch.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := parse(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// runInProcess builds the index and screens every query on this goroutine,
// with one processor, as the "one core" target asks.
func runInProcess(ds []screen.Dataset, warm, measured []query, slow int, out io.Writer) (report, error) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	start := time.Now()
	ix := screen.NewIndex(ds...)
	fmt.Fprintf(out, "index built in %v (GOMAXPROCS=1; addresses and names)\n", time.Since(start).Round(time.Millisecond))
	for _, q := range warm {
		ix.ScreenName(screen.NameQuery{Name: q.name})
	}
	rep := newReport("in process, GOMAXPROCS=1, one goroutine", len(measured), slow)
	begin := time.Now()
	for _, q := range measured {
		t := time.Now()
		r := ix.ScreenName(screen.NameQuery{Name: q.name})
		rep.add(q.kind, q.name, time.Since(t), r.Hit)
	}
	rep.wall = time.Since(begin)
	return rep, nil
}
