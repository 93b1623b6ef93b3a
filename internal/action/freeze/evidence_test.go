package freeze

import (
	"context"
	"testing"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// TestEvidenceOnAnAccountChain: a backward ETH trace (edges point the way
// the money moved, from the reached source toward the start) and a loop
// between two addresses: the path reads from the start's side and ends.
func TestEvidenceOnAnAccountChain(t *testing.T) {
	ex := []trace.Tag{{Label: "Exchange E", Category: "exchange", Confidence: 80}}
	res := &trace.Result{Chain: "eth", Model: trace.FIFO, Direction: trace.Backward,
		Nodes: []trace.Node{
			{ID: "0xvictim@eth", Kind: "address", Address: "0xvictim", Asset: "eth", Tainted: "10"},
			{ID: "0xmid@eth", Kind: "address", Address: "0xmid", Asset: "eth", Tainted: "10", Hop: 1},
			{ID: "0xloop@eth", Kind: "address", Address: "0xloop", Asset: "eth", Tainted: "3", Hop: 2},
			{ID: "0xhot@eth", Kind: "address", Address: "0xhot", Asset: "eth", Tainted: "7", Hop: 2, Stop: "tagged:exchange", Tags: ex},
		},
		Edges: []trace.Edge{
			{From: "0xmid@eth", To: "0xvictim@eth", Tx: "0x02", Asset: "eth", Rule: "fifo", Height: 2, Amount: "10", Tainted: "10", Share: "1"},
			{From: "0xhot@eth", To: "0xmid@eth", Tx: "0x01", Asset: "eth", Rule: "fifo", Height: 1, Amount: "7", Tainted: "7", Share: "1"},
			{From: "0xloop@eth", To: "0xmid@eth", Tx: "0x03", Asset: "eth", Rule: "fifo", Height: 1, Amount: "3", Tainted: "3", Share: "1"},
			{From: "0xmid@eth", To: "0xloop@eth", Tx: "0x04", Asset: "eth", Rule: "fifo", Height: 1, Amount: "3", Tainted: "3", Share: "1"},
		},
		Reached: []trace.Reached{{Address: "0xhot", Asset: "eth", Tainted: "7", Hop: 2, Stop: "tagged:exchange", Tags: ex}},
	}
	ps, err := Build(context.Background(), res, nil, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0].Deposits[0].Paths
	if len(p) != 1 || len(p[0].Hops) != 2 || p[0].Hops[0].Tx != "0x02" || p[0].Hops[1].Tx != "0x01" || p[0].Hops[1].From != "0xhot@eth" {
		t.Fatalf("paths %+v", p)
	}
}

func BenchmarkBuild(b *testing.B) {
	res, at := smallResult(), smallTags()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(context.Background(), res, at, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
