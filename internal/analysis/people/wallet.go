package people

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/people"
)

// ChainTracer runs a trace over a chain index ("btc" or "eth"): what
// cmd/interdict's chain tracer does over Pebble or PostgreSQL.
type ChainTracer interface {
	Trace(ctx context.Context, chain string, cfg trace.Config, starts []trace.Start) (*trace.Result, error)
}

// WalletScreen is rule PPL-WALLET-EXPOSED: a payout wallet that received
// funds from flagged addresses (DPRK-attributed, hacks, sanctioned parties:
// the exposure rules of internal/analysis/exposure), with the transaction path
// from the flagged address to the wallet as evidence. It traces backward from
// the wallet over the chain index, so it needs the index and is run apart
// from the pure rules (Rules.Evaluate).
type WalletScreen struct {
	Tracer ChainTracer
	// Tagger gives the tags of addresses (nil: none, so nothing is flagged).
	Tagger trace.Tagger
	// Config is the exposure scoring; the zero value is exposure.DefaultConfig().
	Config exposure.Config
}

// WalletEvidence is the exposure behind a PPL-WALLET-EXPOSED signal.
type WalletEvidence struct {
	Chain    string            `json:"chain"`
	Severity exposure.Severity `json:"exposure_severity"`
	Reasons  []string          `json:"reasons"`
	Finding  exposure.Finding  `json:"finding"`
	// Source is the flagged address the path starts at.
	Source string `json:"source"`
	// Path lists the transactions the funds took from Source to the wallet,
	// in chain order.
	Path []string `json:"path"`
	// Addresses are the addresses on the path, Source first, the wallet last.
	Addresses []string `json:"addresses"`
}

// walletSeverity maps an exposure severity to a signal's; Low exposure gives none.
var walletSeverity = map[exposure.Severity]Severity{exposure.Medium: Medium, exposure.High: High, exposure.Severe: High}

// WalletRef is a payout wallet as the wallet rule reads it: nothing else of
// the person.
type WalletRef struct {
	Chain   string `json:"chain"`
	Address string `json:"address"`
}

// WalletsOf returns p's wallets, each with its chain: the identifier's Extra
// ("btc", "eth"), or, when none is given, "eth" for a 0x address and "btc"
// otherwise.
func WalletsOf(p *people.Person) []WalletRef {
	var out []WalletRef
	for _, id := range p.Identifiers {
		if id.Type != people.Wallet {
			continue
		}
		addr := strings.TrimSpace(id.Value)
		ch := strings.ToLower(strings.TrimSpace(id.Extra))
		switch {
		case ch != "":
		case strings.HasPrefix(strings.ToLower(addr), "0x"):
			ch = "eth"
		default:
			ch = "btc"
		}
		out = append(out, WalletRef{Chain: ch, Address: addr})
	}
	return out
}

// Screen scores every wallet on the chains the tracer knows and returns a
// signal for each wallet whose receiving exposure is Medium or more. A
// wallet the index has never seen is no finding; a wallet on another chain
// is skipped.
func (w *WalletScreen) Screen(ctx context.Context, personID string, wallets []WalletRef) ([]Signal, error) {
	var out []Signal
	for _, wr := range wallets {
		if wr.Chain != "btc" && wr.Chain != "eth" {
			continue
		}
		sig, err := w.screenOne(ctx, personID, wr.Chain, wr.Address)
		if err != nil {
			return nil, fmt.Errorf("people: wallet of %s: %w", personID, err)
		}
		if sig != nil {
			out = append(out, *sig)
		}
	}
	return out, nil
}

func (w *WalletScreen) screenOne(ctx context.Context, personID, chain, addr string) (*Signal, error) {
	cfg := w.Config
	if cfg.Rules == nil {
		cfg = exposure.DefaultConfig()
	}
	var traced *trace.Result
	s := &exposure.Scorer{Chain: chain, Config: cfg, Tagger: w.Tagger,
		Trace: func(ctx context.Context, c trace.Config, starts []trace.Start) (*trace.Result, error) {
			res, err := w.Tracer.Trace(ctx, chain, c, starts)
			traced = res
			return res, err
		}}
	rep, err := s.Score(ctx, exposure.Request{Address: addr, Direction: exposure.Receiving})
	if errors.Is(err, trace.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sev, ok := walletSeverity[rep.Severity]
	if !ok {
		return nil, nil
	}
	ev := WalletEvidence{Chain: chain, Severity: rep.Severity, Reasons: rep.Reasons}
	if f, ok := topFinding(rep); ok {
		ev.Finding = f
		if traced != nil {
			ev.Source, ev.Path, ev.Addresses = pathTo(traced, f, cfg.MinConfidence)
		}
	}
	summary := fmt.Sprintf("payout wallet %s received funds exposed %s: %s", addr, rep.Severity, strings.Join(rep.Reasons, "; "))
	if len(ev.Path) > 0 {
		summary += fmt.Sprintf(" (from %s through %d transaction(s))", ev.Source, len(ev.Path))
	}
	return &Signal{
		Rule: "PPL-WALLET-EXPOSED", Advisory: AdvisoryFBI2025, Severity: sev, PersonID: personID, Summary: summary,
		Evidence: []Evidence{{Kind: "trace_path", Field: string(people.Wallet), Value: addr, Wallet: &ev}},
	}, nil
}

// topFinding is the indirect finding the path is shown for: one attributed
// to a DPRK actor first, then the nearest.
func topFinding(rep *exposure.Report) (exposure.Finding, bool) {
	if len(rep.Indirect) == 0 {
		return exposure.Finding{}, false
	}
	fs := slices.Clone(rep.Indirect)
	slices.SortStableFunc(fs, func(a, b exposure.Finding) int {
		da, db := isDPRK(a.Actor), isDPRK(b.Actor)
		if da != db {
			if da {
				return -1
			}
			return 1
		}
		return a.Hops - b.Hops
	})
	return fs[0], true
}

func isDPRK(actor string) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(s))
	}
	a := norm(actor)
	return a != "" && slices.ContainsFunc(exposure.DPRKActors, func(d string) bool { return norm(d) == a })
}

func tagMatches(t trace.Tag, f exposure.Finding, minConf int) bool {
	if t.Confidence < minConf || !strings.EqualFold(t.Actor, f.Actor) {
		return false
	}
	return t.Category == f.Category || slices.Contains(t.Concepts, f.Category)
}

// pathTo finds the nearest traced node whose tags make finding f and walks
// the trace's edges from it back to the start (the wallet): the source
// address, the transactions in chain order and the addresses on the way.
func pathTo(res *trace.Result, f exposure.Finding, minConf int) (string, []string, []string) {
	byID := make(map[string]*trace.Node, len(res.Nodes))
	target := ""
	for i := range res.Nodes {
		n := &res.Nodes[i]
		byID[n.ID] = n
		if n.Address == "" || !slices.ContainsFunc(n.Tags, func(t trace.Tag) bool { return tagMatches(t, f, minConf) }) {
			continue
		}
		if target == "" || n.Hop < byID[target].Hop {
			target = n.ID
		}
	}
	if target == "" {
		return "", nil, nil
	}
	adj := map[string][]trace.Edge{}
	for _, e := range res.Edges {
		adj[e.From] = append(adj[e.From], e)
		adj[e.To] = append(adj[e.To], e)
	}
	// Breadth first from the flagged node to a node at hop 0.
	prev := map[string]trace.Edge{}
	seen := map[string]bool{target: true}
	queue := []string{target}
	end := ""
	for len(queue) > 0 && end == "" {
		id := queue[0]
		queue = queue[1:]
		if n := byID[id]; n != nil && n.Hop == 0 {
			end = id
			break
		}
		for _, e := range adj[id] {
			next := e.To
			if next == id {
				next = e.From
			}
			if !seen[next] {
				seen[next] = true
				prev[next] = e
				queue = append(queue, next)
			}
		}
	}
	if end == "" {
		return byID[target].Address, nil, nil
	}
	// Walk back from the wallet's end to the flagged node, then reverse:
	// the list runs from the source to the wallet.
	var txs, addrs []string
	addAddr := func(id string) {
		if n := byID[id]; n != nil && n.Address != "" && (len(addrs) == 0 || addrs[len(addrs)-1] != n.Address) {
			addrs = append(addrs, n.Address)
		}
	}
	for id := end; ; {
		addAddr(id)
		if id == target {
			break
		}
		e := prev[id]
		if e.Tx != "" && (len(txs) == 0 || txs[len(txs)-1] != e.Tx) {
			txs = append(txs, e.Tx)
		}
		if e.To == id {
			id = e.From
		} else {
			id = e.To
		}
	}
	slices.Reverse(txs)
	slices.Reverse(addrs)
	return byID[target].Address, txs, addrs
}

// AddSignals adds signals found apart from Rules.Evaluate (PPL-WALLET-EXPOSED,
// the log patterns) to an assessment: ordered as Evaluate orders them, and
// Flagged again.
func (a *Assessment) AddSignals(sig []Signal) {
	a.Signals = append(a.Signals, sig...)
	slices.SortStableFunc(a.Signals, func(x, y Signal) int {
		if x.Severity != y.Severity {
			return int(y.Severity - x.Severity)
		}
		return strings.Compare(x.Rule, y.Rule)
	})
	a.Flagged = Flagged(a.Signals)
}
