// Command peoplegen writes a synthetic applicant population for tests,
// benchmarks and demos: persons as JSON lines (the input of
// `interdict people import`) and the ground truth beside them, made by
// package synth from a seed. With -measure it also runs the identifier graph
// and the rules on the population and prints the report.
//
//	go run ./cmd/peoplegen -out /tmp/people.jsonl -truth /tmp/truth.json
//	go run ./cmd/peoplegen -people 100000 -clusters 6000 -families 4000 -vpns 30 -out /tmp/p.jsonl
//	go run ./cmd/peoplegen -measure
//
// The same flags always give the same bytes. No real person is in it.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/index/people"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "peoplegen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cfg := synth.DefaultConfig()
	var out, truth string
	var measure bool
	fs := flag.NewFlagSet("peoplegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; the same flags give the same bytes")
	fs.IntVar(&cfg.People, "people", cfg.People, "population size, about")
	fs.IntVar(&cfg.Clusters, "clusters", cfg.Clusters, "planted persona clusters (2-8 personas each)")
	fs.IntVar(&cfg.Families, "families", cfg.Families, "clean families sharing an address and a home IP")
	fs.IntVar(&cfg.VPNs, "vpns", cfg.VPNs, "clean companies whose staff share one VPN egress IP")
	fs.IntVar(&cfg.LookAlikeEmails, "look-alike-emails", cfg.LookAlikeEmails, "clean pairs whose emails differ by one character")
	fs.StringVar(&out, "out", "", "write persons as JSON lines to this file (\"-\": standard output)")
	fs.StringVar(&truth, "truth", "", "write the ground truth as JSON to this file")
	fs.BoolVar(&measure, "measure", false, "print the graph's and rules' report on the population")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.People < 1 || cfg.Clusters < 0 || cfg.Families < 0 || cfg.VPNs < 0 || cfg.LookAlikeEmails < 0 {
		return fmt.Errorf("sizes must be positive")
	}
	pop := synth.Generate(cfg)
	if out != "" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i := range pop.People {
			if err := enc.Encode(&pop.People[i]); err != nil {
				return err
			}
		}
		if err := write(out, stdout, buf.Bytes()); err != nil {
			return err
		}
	}
	if truth != "" {
		b, err := json.MarshalIndent(pop.Truth, "", "  ")
		if err != nil {
			return err
		}
		if err := write(truth, stdout, append(b, '\n')); err != nil {
			return err
		}
	}
	if measure {
		// The key only keys the hashes; a fixed one keeps the report reproducible.
		v, err := people.NewVault(bytes.Repeat([]byte{1}, people.KeySize))
		if err != nil {
			return err
		}
		rep, err := synth.Measure(pop, v, vet.NewRules(vet.DefaultConfig(), nil))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}

func write(path string, stdout io.Writer, b []byte) error {
	if path == "-" {
		_, err := stdout.Write(b)
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	_, werr := w.Write(b)
	ferr := w.Flush()
	cerr := f.Close()
	if werr != nil || ferr != nil || cerr != nil {
		return fmt.Errorf("write %s: %w", path, firstErr(werr, ferr, cerr))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
