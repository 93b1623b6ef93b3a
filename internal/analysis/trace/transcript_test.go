package trace

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the transcripts' .golden files")

// TestTranscripts runs testdata/transcripts/*.txt: each builds a UTXO graph
// ("tx NAME [SPENT...] -> ADDR:VALUE...", a coinbase when nothing is spent)
// and runs traces ("trace forward|backward MODEL START [max-hops=N]
// [min=A]", START a tx name or NAME:VOUT); the reached addresses and edges of
// each are compared with the .golden file beside it (go test -update
// rewrites them).
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			got := runTranscript(t, file)
			golden := strings.TrimSuffix(file, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", file, golden, got)
			}
		})
	}
}

func runTranscript(t *testing.T, file string) string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := newUTXOGraph()
	var buf strings.Builder
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		switch fields[0] {
		case "tx":
			ins, outs, ok := strings.Cut(strings.Join(fields[2:], " "), "->")
			if !ok {
				t.Fatalf("%s:%d: tx without ->", file, line)
			}
			var outs2 []out
			for _, o := range strings.Fields(outs) {
				a, v, _ := strings.Cut(o, ":")
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatalf("%s:%d: output %q", file, line, o)
				}
				outs2 = append(outs2, out{a, n})
			}
			g.tx(t, fields[1], strings.Fields(ins), outs2...)
		case "trace":
			fmt.Fprintf(&buf, "> %s\n", text)
			buf.WriteString(transcriptTrace(t, g, file, line, fields[1:]))
		default:
			t.Fatalf("%s:%d: unknown command %q", file, line, fields[0])
		}
	}
	return buf.String()
}

func transcriptTrace(t *testing.T, g *utxoGraph, file string, line int, args []string) string {
	if len(args) < 3 {
		t.Fatalf("%s:%d: trace DIRECTION MODEL START", file, line)
	}
	cfg := config(Model(args[1]), Direction(args[0]))
	for _, opt := range args[3:] {
		k, v, _ := strings.Cut(opt, "=")
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s:%d: option %q", file, line, opt)
		}
		switch k {
		case "max-hops":
			cfg.MaxHops = n
		case "min":
			cfg.MinAmount = bigInt(int64(n))
		default:
			t.Fatalf("%s:%d: option %q", file, line, opt)
		}
	}
	name, vout, hasVout := strings.Cut(args[2], ":")
	st := Start{Tx: g.id(name), Vout: -1}
	if hasVout {
		st.Vout, _ = strconv.Atoi(vout)
	}
	r, err := TraceUTXO(context.Background(), g, nil, cfg, []Start{st})
	if err != nil {
		return fmt.Sprintf("error: %v\n", err)
	}
	names := map[string]string{}
	for n, h := range g.names {
		names[h.String()] = n
	}
	short := func(id string) string {
		for h, n := range names {
			id = strings.ReplaceAll(id, h, n)
		}
		return id
	}
	var b strings.Builder
	for _, e := range r.Edges {
		fmt.Fprintf(&b, "edge %s -> %s %s hop=%d amount=%s tainted=%s share=%s\n", short(e.From), short(e.To), e.Rule, e.Hop, e.Amount, e.Tainted, e.Share)
	}
	for _, x := range r.Reached {
		exact := ""
		if x.TaintedExact != "" {
			exact = " (" + x.TaintedExact + ")"
		}
		fmt.Fprintf(&b, "reached %s tainted=%s%s share=%s hop=%d stop=%s\n", x.Address, x.Tainted, exact, x.Share, x.Hop, x.Stop)
	}
	if r.Truncated {
		fmt.Fprintf(&b, "truncated %s\n", strings.Join(r.TruncatedBy, ","))
	}
	return b.String()
}
