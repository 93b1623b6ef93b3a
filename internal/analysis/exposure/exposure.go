// Package exposure scores an address's exposure to illicit funds: direct
// (its own tags) and indirect (what a trace reaches from it: backward for
// the funds it received, forward for the funds it sent), by category and
// actor, with amounts, shares of the traced funds and hops, and a severity
// Low / Medium / High / Severe set by a table of rules (rules.go,
// DefaultRules) with the reasons that set it.
//
// Shares: an indirect finding's share is the taint the trace puts at the
// matching addresses over the taint at every address the trace ended at, in
// that direction and asset. Under haircut and FIFO taint is conserved, so
// that total is what the address received (or sent) within the limits;
// under poison it is larger, and shares are upper bounds.
package exposure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// Directions of exposure.
const (
	Receiving = "receiving" // where the funds it received came from (backward)
	Sending   = "sending"   // where the funds it sent went (forward)
	Both      = "both"
)

// ErrBadRequest: the exposure request is wrong.
var ErrBadRequest = errors.New("exposure: bad request")

// TraceFunc runs a trace on the chain an exposure is scored on
// (trace.TraceUTXO or trace.TraceAccount over a view, with a tagger).
type TraceFunc func(ctx context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error)

// Config holds the defaults and limits of a scoring.
type Config struct {
	Model         trace.Model
	MaxHops       int
	MaxNodes      int
	MinConfidence int
	Rules         []Rule
}

// DefaultConfig: haircut, 6 hops, a 10k-node budget, tags of confidence 50
// or more, DefaultRules.
func DefaultConfig() Config {
	return Config{Model: trace.Haircut, MaxHops: 6, MaxNodes: 10_000, MinConfidence: 50, Rules: DefaultRules()}
}

// Request asks for one address's exposure.
type Request struct {
	Address   string `json:"address"`
	Direction string `json:"direction,omitempty"` // receiving, sending or both (default)
	Model     string `json:"model,omitempty"`
	MaxHops   int    `json:"max_hops,omitempty"`
}

// Report is the exposure of one address.
type Report struct {
	Address   string    `json:"address"`
	Chain     string    `json:"chain"`
	Model     string    `json:"model"`
	MaxHops   int       `json:"max_hops"`
	Severity  Severity  `json:"severity"`
	Reasons   []string  `json:"reasons"`
	Direct    []Finding `json:"direct"`
	Indirect  []Finding `json:"indirect"`
	Totals    []Total   `json:"totals"`
	Truncated bool      `json:"truncated"`
}

// Finding is exposure to one category (a GraphSense concept) and actor.
type Finding struct {
	Direction  string   `json:"direction,omitempty"` // indirect only
	Category   string   `json:"category"`
	Actor      string   `json:"actor,omitempty"`
	Asset      string   `json:"asset,omitempty"`
	Amount     string   `json:"amount,omitempty"` // tainted, smallest unit
	Share      string   `json:"share,omitempty"`
	Hops       int      `json:"hops"` // nearest
	Addresses  int      `json:"addresses"`
	Confidence int      `json:"confidence"` // strongest tag
	Labels     []string `json:"labels,omitempty"`
}

// Total is what a direction's trace attributed, per asset.
type Total struct {
	Direction string `json:"direction"`
	Asset     string `json:"asset"`
	Amount    string `json:"amount"`
	Reached   int    `json:"reached"`
}

// Scorer scores addresses of one chain.
type Scorer struct {
	Chain  string
	Trace  TraceFunc
	Tagger trace.Tagger
	Config Config
}

// reached is one address a trace ended at, with its counting tags.
type reached struct {
	direction, address, asset string
	tainted                   *big.Int
	hop                       int
	tags                      []trace.Tag
}

// Score computes the exposure of req.Address. The address must be
// normalised for the chain.
func (s *Scorer) Score(ctx context.Context, req Request) (*Report, error) {
	cfg := s.Config
	if cfg.Rules == nil {
		cfg.Rules = DefaultRules()
	}
	if err := compile(cfg.Rules); err != nil {
		return nil, err
	}
	if req.Address == "" {
		return nil, fmt.Errorf("%w: no address", ErrBadRequest)
	}
	if req.Model != "" {
		m, err := trace.ParseModel(req.Model)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
		cfg.Model = m
	}
	if req.MaxHops < 0 {
		return nil, fmt.Errorf("%w: max_hops %d is negative", ErrBadRequest, req.MaxHops)
	} else if req.MaxHops > 0 {
		cfg.MaxHops = req.MaxHops
	}
	var dirs []string
	switch req.Direction {
	case "", Both:
		dirs = []string{Receiving, Sending}
	case Receiving, Sending:
		dirs = []string{req.Direction}
	default:
		return nil, fmt.Errorf("%w: direction %q: want receiving, sending or both", ErrBadRequest, req.Direction)
	}
	rep := &Report{Address: req.Address, Chain: s.Chain, Model: string(cfg.Model), MaxHops: cfg.MaxHops,
		Reasons: []string{}, Direct: []Finding{}, Indirect: []Finding{}, Totals: []Total{}}

	own, err := s.ownTags(ctx, req.Address, cfg.MinConfidence)
	if err != nil {
		return nil, err
	}
	rep.Direct = findings("", []reached{{address: req.Address, tags: own}}, nil)

	var all []reached
	missing := 0
	for _, d := range dirs {
		got, truncated, err := s.indirect(ctx, cfg, req.Address, d)
		if errors.Is(err, trace.ErrNotFound) {
			// An address that never sent (or received) is fine; one the
			// index does not know at all is scored on its own tags.
			missing++
			continue
		}
		if err != nil {
			return nil, err
		}
		rep.Truncated = rep.Truncated || truncated
		all = append(all, got...)
	}
	if missing == len(dirs) && len(own) == 0 {
		return nil, fmt.Errorf("address %s: %w", req.Address, trace.ErrNotFound)
	}
	totals := map[[2]string]*big.Int{}
	counts := map[[2]string]int{}
	for _, r := range all {
		k := [2]string{r.direction, r.asset}
		if totals[k] == nil {
			totals[k] = new(big.Int)
		}
		totals[k].Add(totals[k], r.tainted)
		counts[k]++
	}
	for k, v := range totals {
		rep.Totals = append(rep.Totals, Total{Direction: k[0], Asset: k[1], Amount: v.String(), Reached: counts[k]})
	}
	slices.SortFunc(rep.Totals, func(a, b Total) int {
		return cmp.Or(cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Asset, b.Asset))
	})
	rep.Indirect = findings("indirect", all, totals)
	rep.Severity, rep.Reasons = judge(cfg.Rules, req.Address, own, all, totals)
	return rep, nil
}

// ownTags are the address's tags that count (confidence at least min).
func (s *Scorer) ownTags(ctx context.Context, address string, minConf int) ([]trace.Tag, error) {
	if s.Tagger == nil {
		return nil, nil
	}
	ts, err := s.Tagger.Tags(ctx, s.Chain, address)
	if err != nil {
		return nil, fmt.Errorf("exposure: tags of %s: %w", address, err)
	}
	return counting(ts, minConf), nil
}

func counting(ts []trace.Tag, minConf int) []trace.Tag {
	var out []trace.Tag
	for _, t := range ts {
		if t.Confidence >= minConf {
			out = append(out, t)
		}
	}
	return out
}

// indirect traces one direction from the address and returns the tagged
// and untagged addresses it ended at (the address itself left out).
func (s *Scorer) indirect(ctx context.Context, cfg Config, address, dir string) ([]reached, bool, error) {
	tc := trace.DefaultConfig()
	tc.Model, tc.MaxHops, tc.MinConfidence = cfg.Model, cfg.MaxHops, cfg.MinConfidence
	if cfg.MaxNodes > 0 {
		tc.MaxNodes = cfg.MaxNodes
	}
	tc.Direction = trace.Forward
	if dir == Receiving {
		tc.Direction = trace.Backward
	}
	tc.StopCategories = stopCategories(cfg.Rules, tc.StopCategories)
	res, err := s.Trace(ctx, tc, []trace.Start{{Address: address, Vout: -1}})
	if err != nil {
		return nil, false, err
	}
	var out []reached
	for _, r := range res.Reached {
		if r.Address == address {
			continue
		}
		v, ok := new(big.Int).SetString(r.Tainted, 10)
		if !ok || v.Sign() == 0 {
			continue
		}
		out = append(out, reached{direction: dir, address: r.Address, asset: r.Asset, tainted: v, hop: r.Hop,
			tags: counting(r.Tags, cfg.MinConfidence)})
	}
	return out, res.Truncated, nil
}

// stopCategories are the trace's stop categories plus every concept the
// rules name: a trace stops where it meets what it scores.
func stopCategories(rules []Rule, base []string) []string {
	out := append([]string{"perpetrator"}, base...)
	for _, r := range rules {
		for _, c := range r.Concepts {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// concepts of a tag: its category and concepts, lower case, once each.
func concepts(t trace.Tag) []string {
	var out []string
	for _, c := range append([]string{t.Category}, t.Concepts...) {
		if c = strings.ToLower(c); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = []string{"unknown"}
	}
	return out
}

// findings groups reached addresses by direction, concept, actor and asset.
// totals (nil for direct findings) give the shares.
func findings(kind string, rs []reached, totals map[[2]string]*big.Int) []Finding {
	type key struct{ dir, concept, actor, asset string }
	type acc struct {
		f     Finding
		sum   *big.Int
		addrs map[string]bool
	}
	byKey := map[key]*acc{}
	var keys []key
	for _, r := range rs {
		for _, t := range r.tags {
			for _, c := range concepts(t) {
				k := key{r.direction, c, t.Actor, r.asset}
				a := byKey[k]
				if a == nil {
					a = &acc{f: Finding{Direction: r.direction, Category: c, Actor: t.Actor, Asset: r.asset, Hops: r.hop},
						sum: new(big.Int), addrs: map[string]bool{}}
					byKey[k] = a
					keys = append(keys, k)
				}
				if !a.addrs[r.address] {
					a.addrs[r.address] = true
					if r.tainted != nil {
						a.sum.Add(a.sum, r.tainted)
					}
				}
				a.f.Hops = min(a.f.Hops, r.hop)
				a.f.Confidence = max(a.f.Confidence, t.Confidence)
				if t.Label != "" && !slices.Contains(a.f.Labels, t.Label) && len(a.f.Labels) < 5 {
					a.f.Labels = append(a.f.Labels, t.Label)
				}
			}
		}
	}
	out := make([]Finding, 0, len(keys))
	for _, k := range keys {
		a := byKey[k]
		a.f.Addresses = len(a.addrs)
		if kind != "" {
			a.f.Amount = a.sum.String()
			a.f.Share = share(a.sum, totals[[2]string{k.dir, k.asset}])
		}
		out = append(out, a.f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Actor, b.Actor), cmp.Compare(a.Asset, b.Asset))
	})
	return out
}

// share prints part/total with 6 decimals, rounded down.
func share(part, total *big.Int) string {
	if total == nil || total.Sign() == 0 || part.Sign() == 0 {
		return "0"
	}
	n := new(big.Int).Mul(part, million)
	n.Quo(n, total)
	whole, frac := new(big.Int).QuoRem(n, million, new(big.Int))
	if frac.Sign() == 0 {
		return whole.String()
	}
	return whole.String() + "." + strings.TrimRight(fmt.Sprintf("%06d", frac.Int64()), "0")
}

var million = big.NewInt(1_000_000)

// judge applies the rules: the highest severity matched, and each matched
// rule's reason with the facts behind it.
func judge(rules []Rule, address string, own []trace.Tag, all []reached, totals map[[2]string]*big.Int) (Severity, []string) {
	sev := Low
	reasons := []string{}
	for i := range rules {
		r := &rules[i]
		why := ""
		if r.Direct {
			for _, t := range own {
				if hit := tagHit(r, t); hit != "" {
					why = fmt.Sprintf("%s (tag %q: %s, confidence %d)", r.Reason, t.Label, hit, t.Confidence)
					break
				}
			}
		} else {
			why = indirectHit(r, all, totals)
		}
		if why == "" {
			continue
		}
		reasons = append(reasons, r.Severity.String()+": "+why)
		sev = max(sev, r.Severity)
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "Low: no rule matched "+address)
	}
	return sev, reasons
}

// tagHit names what of tag t the rule matched, "" if nothing.
func tagHit(r *Rule, t trace.Tag) string {
	for _, c := range concepts(t) {
		if r.matches(c, "") {
			return c
		}
	}
	if r.matches("", t.Actor) {
		return "actor " + t.Actor
	}
	return ""
}

// indirectHit returns the reason when, in some direction and asset, the
// addresses matching the rule within MaxHops hold at least MinShare of the
// traced taint.
func indirectHit(r *Rule, all []reached, totals map[[2]string]*big.Int) string {
	sums := map[[2]string]*big.Int{}
	hops := map[[2]string]int{}
	var keys [][2]string
	for _, x := range all {
		if r.MaxHops > 0 && x.hop > r.MaxHops {
			continue
		}
		if !slices.ContainsFunc(x.tags, func(t trace.Tag) bool { return tagHit(r, t) != "" }) {
			continue
		}
		k := [2]string{x.direction, x.asset}
		if sums[k] == nil {
			sums[k] = new(big.Int)
			hops[k] = x.hop
			keys = append(keys, k)
		}
		sums[k].Add(sums[k], x.tainted)
		hops[k] = min(hops[k], x.hop)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, k := range keys {
		total := totals[k]
		if total == nil || total.Sign() == 0 {
			continue
		}
		got := new(big.Rat).SetFrac(sums[k], total)
		if got.Sign() > 0 && got.Cmp(r.minShare) >= 0 {
			return fmt.Sprintf("%s (%s %s: %s of %s, share %s, nearest %d hops)", r.Reason, k[0], k[1],
				sums[k], total, share(sums[k], total), hops[k])
		}
	}
	return ""
}
