package trace

import (
	"cmp"
	"encoding/csv"
	"io"
	"math"
	"math/big"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Why a node was not followed further (Node.Stop, Reached.Stop).
const (
	StopTagged     = "tagged"      // a tagged service (Stop is "tagged:<category>")
	StopUnspent    = "unspent"     // forward: the output is unspent, or the address still holds the taint
	StopMaxHops    = "max-hops"    // as far as MaxHops allows
	StopBudget     = "budget"      // the node budget ran out before it was followed
	StopCapped     = "capped"      // a supernode: its history was read only up to MaxHistory
	StopTimeWindow = "time-window" // its next transaction is outside the time window
	StopOrigin     = "origin"      // backward: newly minted (coinbase, reward) or before the index
)

// Why an edge was followed (Edge.Rule).
const (
	RuleSeed  = "seed"  // the start of the trace
	RuleSpend = "spend" // forward: a tainted output spent by a transaction
	RuleFund  = "fund"  // backward: a transaction's output traced to what funded it
)

// Result is a trace's graph: nodes (outputs and transactions on a UTXO chain,
// addresses per asset on an account chain), the edges taint followed, the
// addresses reached where the trace stopped, and whether it was truncated.
// Amounts are integer strings in the smallest unit (rounded down: haircut
// taint is exact in TaintedExact when it is not whole), shares decimals.
type Result struct {
	Chain       string    `json:"chain"`
	Model       Model     `json:"model"`
	Direction   Direction `json:"direction"`
	Nodes       []Node    `json:"nodes"`
	Edges       []Edge    `json:"edges"`
	Reached     []Reached `json:"reached"`
	Truncated   bool      `json:"truncated"`
	TruncatedBy []string  `json:"truncated_by,omitempty"`
	Stats       Stats     `json:"stats"`
}

// Node is one holder of value in the trace.
type Node struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"` // output, tx or address
	Address      string `json:"address,omitempty"`
	Asset        string `json:"asset"`
	Value        string `json:"value,omitempty"`
	Tainted      string `json:"tainted"`
	TaintedExact string `json:"tainted_exact,omitempty"`
	Share        string `json:"share,omitempty"`
	Hop          int    `json:"hop"`
	Height       int64  `json:"height,omitempty"`
	Time         string `json:"time,omitempty"`
	Stop         string `json:"stop,omitempty"`
	Tags         []Tag  `json:"tags,omitempty"`
}

// Edge is one movement of taint, with the rule that followed it.
type Edge struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Tx      string `json:"tx,omitempty"`
	Asset   string `json:"asset"`
	Rule    string `json:"rule"`
	Hop     int    `json:"hop"`
	Height  int64  `json:"height,omitempty"`
	Time    string `json:"time,omitempty"`
	Amount  string `json:"amount"`
	Tainted string `json:"tainted"`
	Share   string `json:"share"`
}

// Reached is an address where the trace stopped, with the taint it holds
// there: the freeze candidates.
type Reached struct {
	Address      string `json:"address"`
	Asset        string `json:"asset"`
	Tainted      string `json:"tainted"`
	TaintedExact string `json:"tainted_exact,omitempty"`
	Value        string `json:"value,omitempty"`
	Share        string `json:"share,omitempty"`
	Hop          int    `json:"hop"`
	Stop         string `json:"stop"`
	Tags         []Tag  `json:"tags,omitempty"`
}

// Stats counts the work a trace did.
type Stats struct {
	Visited  int `json:"visited"`   // nodes added to the graph
	BelowMin int `json:"below_min"` // tainted edges not followed for MinAmount
	Reads    int `json:"reads"`     // index lookups
}

// node and edge are the graph under construction, amounts still exact.
type node struct {
	id, kind, address, asset string
	value                    *big.Int
	taint                    Taint
	hop                      int
	height, time             int64
	stop                     string
	tags                     []Tag
}

type edge struct {
	from, to, tx, asset, rule string
	hop                       int
	height, time              int64
	value                     *big.Int
	taint                     Taint
}

type graph struct {
	chain  string
	cfg    *Config
	nodes  []*node
	byID   map[string]*node
	edges  []*edge
	trunc  map[string]bool
	stats  Stats
	tagger Tagger
}

func newGraph(chain string, cfg *Config, tg Tagger) *graph {
	return &graph{chain: chain, cfg: cfg, byID: map[string]*node{}, trunc: map[string]bool{}, tagger: tg}
}

// full reports whether the node budget is spent; the trace is then
// truncated.
func (g *graph) full() bool {
	if len(g.nodes) >= g.cfg.MaxNodes {
		g.trunc[StopBudget] = true
		return true
	}
	return false
}

func (g *graph) add(n *node) *node {
	g.nodes = append(g.nodes, n)
	g.byID[n.id] = n
	g.stats.Visited++
	return n
}

// parallelResult is the size of graph (nodes and edges) from which result
// formats the nodes on a second goroutine while it does the edges and the
// reached addresses: on a 10k-node graph that is a fifth of the trace.
const parallelResult = 2_000

func (g *graph) result() *Result {
	r := &Result{Chain: g.chain, Model: g.cfg.Model, Direction: g.cfg.Direction, Stats: g.stats}
	nodes := func() {
		r.Nodes = make([]Node, 0, len(g.nodes))
		formatTime := timeFormatter()
		for _, n := range g.nodes {
			out := Node{ID: n.id, Kind: n.kind, Address: n.address, Asset: n.asset, Hop: n.hop, Height: n.height,
				Time: formatTime(n.time), Stop: n.stop, Tags: n.tags}
			out.Tainted, out.TaintedExact = formatAmount(n.taint.Amount)
			if n.value != nil {
				out.Value = intString(n.value)
				out.Share = shareString(n.taint.Amount, n.value)
			}
			r.Nodes = append(r.Nodes, out)
		}
	}
	edges := func() {
		r.Edges = make([]Edge, 0, len(g.edges))
		formatTime := timeFormatter()
		for _, e := range g.edges {
			out := Edge{From: e.from, To: e.to, Tx: e.tx, Asset: e.asset, Rule: e.rule, Hop: e.hop, Height: e.height,
				Time: formatTime(e.time), Amount: intString(e.value), Share: shareString(e.taint.Amount, e.value)}
			out.Tainted = floorString(e.taint.Amount)
			r.Edges = append(r.Edges, out)
		}
		r.Reached = g.reached()
	}
	// Both only read the graph (big numbers included).
	if len(g.nodes)+len(g.edges) >= parallelResult && runtime.GOMAXPROCS(0) > 1 {
		var wg sync.WaitGroup
		wg.Go(nodes)
		edges()
		wg.Wait()
	} else {
		nodes()
		edges()
	}
	for k := range g.trunc {
		r.TruncatedBy = append(r.TruncatedBy, k)
	}
	slices.Sort(r.TruncatedBy)
	r.Truncated = len(r.TruncatedBy) > 0
	return r
}

// timeFormatter returns formatTime with a cache: a block's nodes and edges
// share its time.
func timeFormatter() func(int64) string {
	times := map[int64]string{}
	return func(unix int64) string {
		s, ok := times[unix]
		if !ok {
			s = formatTime(unix)
			times[unix] = s
		}
		return s
	}
}

// reached groups the nodes the trace stopped at by address and asset.
func (g *graph) reached() []Reached {
	type acc struct { // one allocation per address: the numbers inline
		taint big.Rat // the fractions; whole amounts add up in whole
		whole big.Int
		value big.Int
		hop   int
		stops []string
		tags  []Tag
	}
	type key struct{ address, asset string }
	byKey := map[key]*acc{}
	var keys []key
	for _, n := range g.nodes {
		if n.stop == "" || n.address == "" || n.kind == "tx" || !n.taint.Tainted() {
			continue
		}
		k := key{n.address, n.asset}
		a := byKey[k]
		if a == nil {
			a = &acc{hop: n.hop, tags: n.tags}
			byKey[k] = a
			keys = append(keys, k)
		}
		switch {
		case n.taint.Amount.IsInt():
			a.whole.Add(&a.whole, n.taint.Amount.Num())
		case a.taint.Sign() == 0:
			a.taint.Set(n.taint.Amount) // most addresses hold one node: no sum to reduce
		default:
			a.taint.Add(&a.taint, n.taint.Amount)
		}
		if n.value != nil {
			a.value.Add(&a.value, n.value)
		}
		a.hop = min(a.hop, n.hop)
		if !slices.Contains(a.stops, n.stop) {
			a.stops = append(a.stops, n.stop)
		}
	}
	out := make([]Reached, 0, len(keys))
	for _, k := range keys {
		a := byKey[k]
		switch {
		case a.taint.Sign() == 0:
			a.taint.SetInt(&a.whole)
		case a.whole.Sign() != 0:
			a.taint.Add(&a.taint, new(big.Rat).SetInt(&a.whole))
		}
		stop := a.stops[0]
		if len(a.stops) > 1 {
			slices.Sort(a.stops)
			stop = strings.Join(a.stops, ",")
		}
		r := Reached{Address: k.address, Asset: k.asset, Hop: a.hop, Stop: stop, Tags: a.tags}
		r.Tainted, r.TaintedExact = formatAmount(&a.taint)
		if a.value.Sign() > 0 {
			r.Value = intString(&a.value)
			r.Share = shareString(&a.taint, &a.value)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Reached) int { // (address, asset) is unique

		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Asset, b.Asset))
	})
	return out
}

func floorString(r *big.Rat) string {
	if r == nil || r.Sign() == 0 {
		return "0"
	}
	if r.IsInt() {
		return intString(r.Num())
	}
	return intString(new(big.Int).Quo(r.Num(), r.Denom()))
}

// intString is x.String(), without big's conversion for the amounts that
// fit an int64 (every satoshi amount, most wei ones).
func intString(x *big.Int) string {
	if x.IsInt64() {
		return strconv.FormatInt(x.Int64(), 10)
	}
	return x.String()
}

// formatAmount returns an exact amount rounded down to an integer string,
// and the exact fraction when it is not whole.
func formatAmount(r *big.Rat) (floor, exact string) {
	if r == nil || r.Sign() == 0 {
		return "0", ""
	}
	if r.IsInt() {
		return intString(r.Num()), ""
	}
	q := new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero; amounts are never negative
	return intString(q), r.RatString()
}

// shareString prints taint/value with 6 decimals, rounded down, without
// normalising a fraction (the GCD of haircut's long denominators is the
// dearest part of printing a graph).
func shareString(taint *big.Rat, value *big.Int) string {
	if taint == nil || taint.Sign() == 0 || value == nil || value.Sign() <= 0 {
		return "0"
	}
	if taint.IsInt() && value.IsInt64() && taint.Num().IsInt64() {
		// whole amounts (poison, FIFO, every untouched haircut share)
		t, v := taint.Num().Int64(), value.Int64()
		switch {
		case t == v:
			return "1"
		case t < v && v < math.MaxInt64/1_000_000:
			return sharePrint(t * 1_000_000 / v)
		}
	}
	num := new(big.Int).Mul(taint.Num(), million)
	den := new(big.Int).Mul(taint.Denom(), value)
	scaled := num.Quo(num, den)
	if !scaled.IsInt64() {
		return scaled.String() // a share above 1: not a taint the models give
	}
	return sharePrint(scaled.Int64())
}

// sharePrint prints a share scaled by a million as a decimal.
func sharePrint(n int64) string {
	whole, frac := n/1_000_000, n%1_000_000
	if frac == 0 {
		return strconv.FormatInt(whole, 10)
	}
	b := strconv.AppendInt(nil, whole, 10)
	b = append(b, '.')
	digits := strconv.AppendInt(make([]byte, 0, 6), frac+1_000_000, 10)[1:] // zero-padded to 6
	return string(append(b, strings.TrimRight(string(digits), "0")...))
}

var million = big.NewInt(1_000_000)

func formatTime(unix int64) string {
	if unix == 0 {
		return ""
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

// WriteCSV writes the edges of a result as CSV with a header row.
func WriteCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"from", "to", "tx", "asset", "rule", "hop", "height", "time", "amount", "tainted", "share"}); err != nil {
		return err
	}
	for _, e := range r.Edges {
		row := []string{e.From, e.To, e.Tx, e.Asset, e.Rule, strconv.Itoa(e.Hop), strconv.FormatInt(e.Height, 10),
			e.Time, e.Amount, e.Tainted, e.Share}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
