package freeze

import (
	"slices"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// maxStarts caps the start nodes a packet lists.
const maxStarts = 20

// evidence walks a result's graph from a node back to the start.
type evidence struct {
	res    *trace.Result
	toward map[string][]int // node id → edges leading toward the start
	byAddr map[[2]string][]int
}

func newEvidence(res *trace.Result) *evidence {
	ev := &evidence{res: res, toward: map[string][]int{}, byAddr: map[[2]string][]int{}}
	backward := res.Direction == trace.Backward
	for i, e := range res.Edges {
		// Forward, taint flows from the start along edges: the way back is
		// the edge into a node. Backward, edges still point the way money
		// moved, so the start is down the edges out of a node.
		k := e.To
		if backward {
			k = e.From
		}
		ev.toward[k] = append(ev.toward[k], i)
	}
	for i, n := range res.Nodes {
		if n.Address != "" && n.Stop != "" && n.Kind != "tx" {
			k := [2]string{n.Address, n.Asset}
			ev.byAddr[k] = append(ev.byAddr[k], i)
		}
	}
	return ev
}

// starts lists the trace's start nodes (hop 0).
func (ev *evidence) starts() []string {
	var out []string
	for _, n := range ev.res.Nodes {
		if n.Hop == 0 && len(out) < maxStarts && !slices.Contains(out, n.ID) {
			out = append(out, n.ID)
		}
	}
	return out
}

// paths returns up to maxPaths evidence paths to the nodes of an address
// where the trace stopped (most tainted first), and the first and last time
// taint arrived there.
func (ev *evidence) paths(address, asset string, maxPaths int) (out []Path, first, last string) {
	nodes := slices.Clone(ev.byAddr[[2]string{address, asset}])
	slices.SortStableFunc(nodes, func(a, b int) int {
		return cmpAmount(ev.res.Nodes[b].Tainted, ev.res.Nodes[a].Tainted)
	})
	for _, i := range nodes {
		n := ev.res.Nodes[i]
		if n.Tainted == "0" {
			continue
		}
		p := ev.path(n.ID)
		if len(p.Hops) > 0 {
			t := p.Hops[len(p.Hops)-1].Time
			if t != "" {
				first = earliest(first, t)
				last = max(last, t)
			}
		}
		if len(out) < maxPaths {
			out = append(out, p)
		}
	}
	return out, first, last
}

// path follows, from node id, the most tainted edge toward the start until
// there is none, never revisiting a node (an account graph can loop), and
// returns the hops start first.
func (ev *evidence) path(id string) Path {
	p := Path{Node: id}
	seen := map[string]bool{id: true}
	backward := ev.res.Direction == trace.Backward
	for cur := id; ; {
		best := -1
		for _, i := range ev.toward[cur] {
			e := ev.res.Edges[i]
			next := e.From
			if backward {
				next = e.To
			}
			if seen[next] && next != "" {
				continue
			}
			if best < 0 || cmpAmount(e.Tainted, ev.res.Edges[best].Tainted) > 0 {
				best = i
			}
		}
		if best < 0 {
			break
		}
		e := ev.res.Edges[best]
		p.Hops = append(p.Hops, Hop{Tx: e.Tx, From: e.From, To: e.To, Height: e.Height, Time: e.Time,
			Amount: e.Amount, Tainted: e.Tainted, Share: e.Share, Rule: e.Rule})
		next := e.From
		if backward {
			next = e.To
		}
		if next == "" || seen[next] {
			break
		}
		seen[next] = true
		cur = next
	}
	slices.Reverse(p.Hops)
	return p
}
