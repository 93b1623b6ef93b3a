// Package people decides which persons are personas of one another and what
// the advisories on DPRK IT workers would flag about a person: a union-find
// over shared identifier hashes (persona clusters, built incrementally as each
// person arrives) and signals, each an explainable rule with its advisory
// source, severity and evidence. It is pure: no HTTP, no SQL.
//
// Rules read a Subject, which carries no protected attribute (ethnicity, sex,
// age, accent, language of a name) nor birth date or nationality; a test
// checks this by reflection.
package people

import (
	"encoding/hex"
	"slices"
	"sync"

	"github.com/interdict/interdict/internal/index/people"
)

// Strength is how much a shared identifier says about two persons being one.
type Strength int

// Strengths of identifier types.
const (
	// Weak identifiers (postal or shipping address, IP) are shared by families
	// and by colleagues behind one VPN: they are evidence, but do not on
	// their own join persons into a cluster.
	Weak Strength = iota + 1
	// Strong identifiers (ID document, payout account or wallet, phone, email,
	// photo, GitHub or Telegram id, profile URL) belong to one person; a
	// second holder is a persona of the first. An email one adjacent
	// transposition from another (people.EmailNear) is strong too: see
	// docs/benchmarks.md "People" for the recall it buys and the false merges
	// it does not make.
	Strong
)

// StrengthOf returns the strength of a linking type, 0 for a type that never
// links (names, birth date, nationality, employer, referrer).
func StrengthOf(t people.Type) Strength {
	switch {
	case !t.Linking():
		return 0
	case t == people.PostalAddress || t == people.ShippingAddress || t == people.IP:
		return Weak
	}
	return Strong
}

// Graph is the identifier graph: which persons hold which identifier hashes,
// and the persona clusters that strong shared identifiers make. It is safe
// for concurrent use.
type Graph struct {
	mu sync.Mutex // guards everything below
	// holders lists the persons holding each hash, in arrival order.
	holders map[people.Hash][]string
	types   map[people.Hash]people.Type
	// held lists each person's linking hashes.
	held   map[string][]people.Hash
	parent map[string]string
	// members of each cluster, by root.
	members map[string][]string
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{
		holders: map[people.Hash][]string{}, types: map[people.Hash]people.Type{},
		held: map[string][]people.Hash{}, parent: map[string]string{}, members: map[string][]string{},
	}
}

// Add adds (or re-adds, replacing its identifiers) the person of record r
// and joins it to every person sharing a strong identifier with it. Clusters
// only grow: re-adding a person with fewer identifiers does not split its
// cluster until the graph is rebuilt.
func (g *Graph) Add(r people.Record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	id := r.ID
	g.removeHeld(id)
	if _, ok := g.parent[id]; !ok {
		g.parent[id] = id
		g.members[id] = []string{id}
	}
	var hs []people.Hash
	for _, si := range r.Identifiers {
		s := StrengthOf(si.Type)
		if s == 0 || slices.Contains(hs, si.Hash) {
			continue
		}
		hs = append(hs, si.Hash)
		g.types[si.Hash] = si.Type
		g.holders[si.Hash] = append(g.holders[si.Hash], id)
		if s == Strong {
			for _, other := range g.holders[si.Hash] {
				g.union(id, other)
			}
		}
	}
	g.held[id] = hs
}

func (g *Graph) removeHeld(id string) {
	for _, h := range g.held[id] {
		hs := slices.DeleteFunc(g.holders[h], func(p string) bool { return p == id })
		if len(hs) == 0 {
			delete(g.holders, h)
			delete(g.types, h)
		} else {
			g.holders[h] = hs
		}
	}
	delete(g.held, id)
}

func (g *Graph) find(id string) string {
	root := id
	for g.parent[root] != root {
		root = g.parent[root]
	}
	for id != root { // path compression
		next := g.parent[id]
		g.parent[id] = root
		id = next
	}
	return root
}

// union joins two clusters, the smaller into the larger.
func (g *Graph) union(a, b string) {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return
	}
	if len(g.members[ra]) <= len(g.members[rb]) { // on a tie the earlier cluster (b) stays root
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
	g.members[ra] = append(g.members[ra], g.members[rb]...)
	delete(g.members, rb)
}

// Shared is one identifier a person shares with others.
type Shared struct {
	Type people.Type `json:"type"`
	// Ref is the start of the keyed hash in hex: enough to tell identifiers
	// apart in a report, useless without the instance's key.
	Ref    string      `json:"ref"`
	Hash   people.Hash `json:"-"`
	Others []string    `json:"others"` // the other holders, in arrival order
}

// Ref returns the short hex reference of a hash.
func Ref(h people.Hash) string { return hex.EncodeToString(h[:6]) }

// SharedBy returns the identifiers of person id held by others too. Near
// email variants (people.EmailNear) come as at most one entry, naming only
// the persons that share no exact email with id: an address held by two
// persons has its variants in common too, and that is one finding, not three.
func (g *Graph) SharedBy(id string) []Shared {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Shared
	var near *Shared
	exact := map[string]bool{}
	for _, h := range g.held[id] {
		hs := g.holders[h]
		if len(hs) < 2 {
			continue
		}
		t := g.types[h]
		others := make([]string, 0, len(hs)-1)
		for _, p := range hs {
			if p != id {
				others = append(others, p)
				if t == people.Email {
					exact[p] = true
				}
			}
		}
		if t != people.EmailNear {
			out = append(out, Shared{Type: t, Ref: Ref(h), Hash: h, Others: others})
			continue
		}
		if near == nil {
			near = &Shared{Type: t, Ref: Ref(h), Hash: h}
		}
		for _, p := range others {
			if !slices.Contains(near.Others, p) {
				near.Others = append(near.Others, p)
			}
		}
	}
	if near != nil {
		near.Others = slices.DeleteFunc(near.Others, func(p string) bool { return exact[p] })
		if len(near.Others) > 0 {
			out = append(out, *near)
		}
	}
	return out
}

// Cluster is a persona cluster: persons joined by strong shared identifiers,
// with every identifier shared inside it as evidence.
type Cluster struct {
	ID       string   `json:"id"` // a member: stable until the cluster merges into a larger one
	Members  []string `json:"members"`
	Evidence []Shared `json:"evidence"` // Others holds all holders inside the cluster
}

// ClusterOf returns the cluster of person id (a cluster of one if it shares
// nothing strong) and false if the person is unknown.
func (g *Graph) ClusterOf(id string) (Cluster, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.parent[id]; !ok {
		return Cluster{}, false
	}
	return g.cluster(g.find(id)), true
}

func (g *Graph) cluster(root string) Cluster {
	ms := g.members[root]
	c := Cluster{ID: ms[0], Members: slices.Clone(ms)}
	in := make(map[string]bool, len(ms))
	for _, m := range ms {
		in[m] = true
	}
	seen := map[people.Hash]bool{}
	for _, m := range ms {
		for _, h := range g.held[m] {
			if seen[h] {
				continue
			}
			seen[h] = true
			var holders []string
			for _, p := range g.holders[h] {
				if in[p] {
					holders = append(holders, p)
				}
			}
			if len(holders) > 1 {
				c.Evidence = append(c.Evidence, Shared{Type: g.types[h], Ref: Ref(h), Hash: h, Others: holders})
			}
		}
	}
	// A near variant says something only where no exact email, and no other
	// variant listed first, already joins the same holders.
	var kept []Shared
	for _, e := range c.Evidence {
		if e.Type == people.EmailNear && slices.ContainsFunc(kept, func(k Shared) bool {
			return (k.Type == people.Email || k.Type == people.EmailNear) && subset(e.Others, k.Others)
		}) {
			continue
		}
		kept = append(kept, e)
	}
	c.Evidence = kept
	return c
}

func subset(a, b []string) bool {
	return !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
}

// Clusters returns every cluster of at least min members, largest first,
// then by id.
func (g *Graph) Clusters(min int) []Cluster {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Cluster
	for root, ms := range g.members {
		if len(ms) >= min {
			out = append(out, g.cluster(root))
		}
	}
	slices.SortFunc(out, func(a, b Cluster) int {
		if d := len(b.Members) - len(a.Members); d != 0 {
			return d
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out
}

// Len returns the number of persons in the graph.
func (g *Graph) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.parent)
}

// Persons returns the ids of every person in the graph, sorted.
func (g *Graph) Persons() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.parent))
	for id := range g.parent {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
