package freeze

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/tags"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tagMap is an Attributor over a fixed set of tags.
type tagMap map[string][]tags.Tag

func (m tagMap) TagsByAddress(_ context.Context, a string) ([]tags.Tag, error) { return m[a], nil }

// smallResult is a forward haircut trace: theft tx t0 pays two outputs;
// one goes through t1 to two deposits of "Exchange A" (one of them by two
// outputs), the other through t2 to a bridge and an untagged address.
func smallResult() *trace.Result {
	n := func(id, kind, addr, value, tainted, share string, hop int, stop string) trace.Node {
		return trace.Node{ID: id, Kind: kind, Address: addr, Asset: "btc", Value: value, Tainted: tainted, Share: share,
			Hop: hop, Height: int64(100 + hop), Time: time.Unix(1_700_000_000+int64(hop)*600, 0).UTC().Format(time.RFC3339), Stop: stop}
	}
	e := func(from, to, tx, rule, amount, tainted, share string, hop int) trace.Edge {
		return trace.Edge{From: from, To: to, Tx: tx, Asset: "btc", Rule: rule, Hop: hop, Height: int64(100 + hop),
			Time: time.Unix(1_700_000_000+int64(hop)*600, 0).UTC().Format(time.RFC3339), Amount: amount, Tainted: tainted, Share: share}
	}
	return &trace.Result{
		Chain: "btc", Model: trace.Haircut, Direction: trace.Forward,
		Nodes: []trace.Node{
			n("t0", "tx", "", "", "1000", "", 0, ""),
			n("t0:0", "output", "bc1qsplit0", "600", "600", "1", 0, ""),
			n("t0:1", "output", "bc1qsplit1", "400", "400", "1", 0, ""),
			n("t1", "tx", "", "", "600", "", 1, ""),
			n("t1:0", "output", "bc1qdeposita", "300", "200", "0.666666", 1, "tagged:exchange"),
			n("t1:1", "output", "bc1qdepositb", "300", "200", "0.666666", 1, "tagged:exchange"),
			n("t2", "tx", "", "", "400", "", 1, ""),
			n("t2:0", "output", "bc1qbridge", "250", "250", "1", 1, "tagged:bridge"),
			n("t2:1", "output", "bc1qunknown", "150", "150", "1", 1, "unspent"),
			n("t3", "tx", "", "", "200", "", 2, ""),
			n("t3:0", "output", "bc1qdeposita", "200", "200", "1", 2, "tagged:exchange"),
		},
		Edges: []trace.Edge{
			e("t0", "t0:0", "t0", "haircut", "600", "600", "1", 0),
			e("t0", "t0:1", "t0", "haircut", "400", "400", "1", 0),
			e("t0:0", "t1", "t1", "spend", "600", "600", "1", 1),
			e("t1", "t1:0", "t1", "haircut", "300", "200", "0.666666", 1),
			e("t1", "t1:1", "t1", "haircut", "300", "200", "0.666666", 1),
			e("t0:1", "t2", "t2", "spend", "400", "400", "1", 1),
			e("t2", "t2:0", "t2", "haircut", "250", "250", "1", 1),
			e("t2", "t2:1", "t2", "haircut", "150", "150", "1", 1),
			e("t1:1", "t3", "t3", "spend", "300", "200", "0.666666", 2),
			e("t3", "t3:0", "t3", "haircut", "200", "200", "1", 2),
		},
		Reached: []trace.Reached{
			{Address: "bc1qbridge", Asset: "btc", Tainted: "250", Value: "250", Share: "1", Hop: 1, Stop: "tagged:bridge",
				Tags: []trace.Tag{{Label: "Bridge <B>", Category: "defi_bridge", Confidence: 60}}},
			{Address: "bc1qdeposita", Asset: "btc", Tainted: "400", Value: "500", Share: "0.8", Hop: 1, Stop: "tagged:exchange",
				Tags: []trace.Tag{{Label: "Exchange A", Category: "exchange", Confidence: 50}}},
			{Address: "bc1qdepositb", Asset: "btc", Tainted: "200", Value: "300", Share: "0.666666", Hop: 1, Stop: "tagged:exchange",
				Tags: []trace.Tag{{Label: "Exchange A", Category: "exchange", Confidence: 50}}},
			{Address: "bc1qunknown", Asset: "btc", Tainted: "150", Value: "150", Share: "1", Hop: 1, Stop: "unspent"},
		},
	}
}

func smallTags() tagMap {
	ex := func(addr string, line int) tags.Tag {
		return tags.Tag{Address: addr, Network: "btc", Label: "Exchange A deposit", Category: "exchange", Actor: "exchange-a",
			Source: "https://example.org/exchange-a", Confidence: "service_data", Level: 50, Date: "2026-01-01",
			Dataset: "tagpack:exchange-a.yaml", File: "exchange-a.yaml", Line: line, PackTitle: "Exchange A | deposits"}
	}
	return tagMap{
		"bc1qdeposita": {ex("bc1qdeposita", 12)},
		"bc1qdepositb": {ex("bc1qdepositb", 13)},
		"bc1qbridge": {{Address: "bc1qbridge", Network: "btc", Label: `Bridge <script>alert("x")</script>`, Category: "defi_bridge",
			Source: "manual", Confidence: "authority_data", Level: 60, Dataset: "labels", File: "bridges.csv", Line: 2}},
		"bc1qunknown": {{Address: "bc1qunknown", Label: "someone", Category: "user", Level: 100}},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestBuildGolden(t *testing.T) {
	opt := DefaultOptions()
	opt.Now = fixedNow
	ps, err := Build(context.Background(), smallResult(), smallTags(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"packets.json", func(b *bytes.Buffer) error { return WriteJSON(b, ps) }},
		{"packets.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, ps) }},
		{"packets.html", func(b *bytes.Buffer) error { return WriteHTML(b, ps) }},
	} {
		t.Run("the "+f.name+" rendering matches its golden file", func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, f.name, b.Bytes())
		})
	}
}

func TestBuild(t *testing.T) {
	opt := DefaultOptions()
	opt.Now = fixedNow
	t.Run("one packet per service, most tainted first, untagged and user addresses left out", func(t *testing.T) {
		ps, err := Build(context.Background(), smallResult(), smallTags(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].Service != "exchange-a" || ps[1].Category != "defi_bridge" {
			t.Fatalf("packets %+v", ps)
		}
		a := ps[0]
		if a.Tainted[0].Amount != "600" || len(a.Deposits) != 2 || a.Deposits[0].Address != "bc1qdeposita" {
			t.Fatalf("exchange packet %+v", a)
		}
		// bc1qdeposita was reached by two outputs: a path to each, the
		// most tainted first, each starting at the theft.
		paths := a.Deposits[0].Paths
		if len(paths) != 2 || paths[0].Node != "t1:0" || paths[1].Node != "t3:0" {
			t.Fatalf("paths %+v", paths)
		}
		if h := paths[1].Hops; len(h) != 5 || h[0].From != "t0" || h[len(h)-1].To != "t3:0" || h[1].Rule != "spend" {
			t.Fatalf("path to t3:0: %+v", h)
		}
		if at := a.Deposits[0].Attribution[0]; at.File != "exchange-a.yaml" || at.Line != 12 || at.Confidence != "service_data" {
			t.Fatalf("attribution %+v", at)
		}
	})
	t.Run("without a tag store the trace's own tags attribute the addresses", func(t *testing.T) {
		ps, err := Build(context.Background(), smallResult(), nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].Service != "Exchange A" || ps[1].Service != "Bridge <B>" {
			t.Fatalf("packets %+v", ps)
		}
	})
	t.Run("a confidence below the threshold makes no packet", func(t *testing.T) {
		o := opt
		o.MinConfidence = 70
		if _, err := Build(context.Background(), smallResult(), smallTags(), o); !errors.Is(err, ErrNoServices) {
			t.Fatalf("err %v, want ErrNoServices", err)
		}
	})
	t.Run("a nil result is an error, not a panic", func(t *testing.T) {
		if _, err := Build(context.Background(), nil, nil, opt); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("the HTML page escapes a hostile label", func(t *testing.T) {
		ps, _ := Build(context.Background(), smallResult(), smallTags(), opt)
		var b bytes.Buffer
		if err := WriteHTML(&b, ps); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "<script>") || !strings.Contains(b.String(), "&lt;script&gt;") {
			t.Fatal("the label was not escaped")
		}
	})
}

func TestDiff(t *testing.T) {
	before := smallResult()
	after := smallResult()
	after.Reached[1].Tainted = "450"
	after.Reached = append(after.Reached[:3], trace.Reached{Address: "bc1qnew", Asset: "btc", Tainted: "7"})
	c := Diff(before, after)
	if !c.Changed() || len(c.NewReached) != 1 || c.NewReached[0].Address != "bc1qnew" ||
		len(c.GoneReached) != 1 || c.GoneReached[0].Address != "bc1qunknown" ||
		len(c.ChangedAmounts) != 1 || c.ChangedAmounts[0].Delta != "50" {
		t.Fatalf("changes %+v", c)
	}
	if Diff(before, smallResult()).Changed() {
		t.Fatal("an identical re-run reports changes")
	}
}
