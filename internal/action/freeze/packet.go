// Package freeze turns a trace into freeze-request packets, one per service
// the tainted funds reached (an exchange, a bridge, a custodian): the deposit
// addresses reached with the taint each holds, the path of transactions from
// the start as evidence (every hop with its tx, block, time, amount, taint
// and the rule that followed it) and the attribution of each address (tag
// source, confidence, provenance). A packet renders as JSON, Markdown and
// HTML (render.go).
//
// The package also keeps the traces packets come from (saved.go): a trace
// request and its result saved with an id, its owner and the index tip it
// ran at, listed, shown and re-run with what changed.
package freeze

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/tags"
)

// ErrNoServices: the trace reached no tagged service, so there is nobody to
// ask for a freeze.
var ErrNoServices = errors.New("freeze: the trace reached no tagged service")

// Attributor returns the tags of a normalised address with their provenance
// (tags.Store does).
type Attributor interface {
	TagsByAddress(ctx context.Context, address string) ([]tags.Tag, error)
}

// Options choose which reached addresses make packets.
type Options struct {
	// Categories are the tag categories or concepts of services a freeze
	// request can go to.
	Categories []string
	// MinConfidence is the least tag confidence level (0–100) that makes an
	// address a service's.
	MinConfidence int
	// MaxPaths caps the evidence paths kept per deposit address (one per
	// output or transfer that reached it).
	MaxPaths int
	// Now stamps the packets (zero: time.Now).
	Now time.Time
}

// DefaultOptions: custodial services that can freeze, tagged at
// service_data (50) or better, 10 paths per address.
func DefaultOptions() Options {
	return Options{
		Categories:    []string{"exchange", "defi_bridge", "bridge", "wallet_service", "payment_processor", "defi_custody", "mixing_service"},
		MinConfidence: 50,
		MaxPaths:      10,
	}
}

// Packet is the freeze request for one service.
type Packet struct {
	Service     string    `json:"service"`  // the actor or entity behind the addresses
	Category    string    `json:"category"` // of the strongest tag
	Chain       string    `json:"chain"`
	Model       string    `json:"model"`
	Direction   string    `json:"direction"`
	TraceID     string    `json:"trace_id,omitempty"`
	Starts      []string  `json:"starts,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
	// Tainted is the sum over the deposits, per asset.
	Tainted    []AssetAmount `json:"tainted"`
	FirstSeen  string        `json:"first_seen,omitempty"`
	LastSeen   string        `json:"last_seen,omitempty"`
	Deposits   []Deposit     `json:"deposits"`
	Truncated  bool          `json:"truncated"`
	Confidence int           `json:"confidence"` // the weakest attribution among the deposits
}

// AssetAmount is an amount of one asset in its smallest unit.
type AssetAmount struct {
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
}

// Deposit is one address of the service the taint reached.
type Deposit struct {
	Address      string        `json:"address"`
	Asset        string        `json:"asset"`
	Tainted      string        `json:"tainted"`
	TaintedExact string        `json:"tainted_exact,omitempty"`
	Value        string        `json:"value,omitempty"`
	Share        string        `json:"share,omitempty"`
	Hops         int           `json:"hops"`
	Stop         string        `json:"stop"`
	FirstSeen    string        `json:"first_seen,omitempty"`
	LastSeen     string        `json:"last_seen,omitempty"`
	Attribution  []Attribution `json:"attribution"`
	Paths        []Path        `json:"paths"`
}

// Attribution is one tag naming the address as the service's.
type Attribution struct {
	Label      string   `json:"label"`
	Category   string   `json:"category,omitempty"`
	Concepts   []string `json:"concepts,omitempty"`
	Actor      string   `json:"actor,omitempty"`
	Source     string   `json:"source,omitempty"`
	Confidence string   `json:"confidence,omitempty"` // GraphSense id
	Level      int      `json:"confidence_level"`
	Date       string   `json:"date,omitempty"`
	Dataset    string   `json:"dataset,omitempty"`
	File       string   `json:"file,omitempty"`
	Line       int      `json:"line,omitempty"`
	PackTitle  string   `json:"pack_title,omitempty"`
}

// Path is the evidence for one node of the deposit: the hops from the start
// of the trace to it, in order.
type Path struct {
	Node string `json:"node"` // the output (txid:vout) or address@asset
	Hops []Hop  `json:"hops"`
}

// Hop is one edge of the trace on the way.
type Hop struct {
	Tx      string `json:"tx,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
	Height  int64  `json:"height,omitempty"`
	Time    string `json:"time,omitempty"`
	Amount  string `json:"amount"`
	Tainted string `json:"tainted"`
	Share   string `json:"share"`
	Rule    string `json:"rule"`
}

// Build makes one packet per service the result reached, ordered by the
// taint it holds (most first), then name. at is nil or the store of tags with
// provenance; without it, the trace's own tags are the attribution.
// ErrNoServices when no reached address is a service's.
func Build(ctx context.Context, res *trace.Result, at Attributor, opt Options) ([]Packet, error) {
	if res == nil {
		return nil, errors.New("freeze: no trace result")
	}
	if opt.MaxPaths <= 0 {
		opt.MaxPaths = DefaultOptions().MaxPaths
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	ev := newEvidence(res)
	byService := map[string]*Packet{}
	var order []string
	for _, r := range res.Reached {
		attr, err := attribution(ctx, r, at, opt)
		if err != nil {
			return nil, err
		}
		if len(attr) == 0 {
			continue
		}
		service := serviceName(attr[0])
		p := byService[service]
		if p == nil {
			p = &Packet{Service: service, Category: attr[0].Category, Chain: res.Chain, Model: string(res.Model),
				Direction: string(res.Direction), GeneratedAt: now.UTC().Truncate(time.Second),
				Truncated: res.Truncated, Confidence: attr[0].Level, Starts: ev.starts()}
			byService[service] = p
			order = append(order, service)
		}
		d := Deposit{Address: r.Address, Asset: r.Asset, Tainted: r.Tainted, TaintedExact: r.TaintedExact,
			Value: r.Value, Share: r.Share, Hops: r.Hop, Stop: r.Stop, Attribution: attr}
		d.Paths, d.FirstSeen, d.LastSeen = ev.paths(r.Address, r.Asset, opt.MaxPaths)
		p.Deposits = append(p.Deposits, d)
		p.Confidence = min(p.Confidence, attr[0].Level)
	}
	if len(order) == 0 {
		return nil, ErrNoServices
	}
	out := make([]Packet, 0, len(order))
	for _, name := range order {
		p := byService[name]
		p.Tainted = totals(p.Deposits)
		for _, d := range p.Deposits {
			p.FirstSeen = earliest(p.FirstSeen, d.FirstSeen)
			if d.LastSeen > p.LastSeen {
				p.LastSeen = d.LastSeen
			}
		}
		slices.SortStableFunc(p.Deposits, func(a, b Deposit) int {
			return cmp.Or(cmpAmount(b.Tainted, a.Tainted), cmp.Compare(a.Address, b.Address))
		})
		out = append(out, *p)
	}
	slices.SortStableFunc(out, func(a, b Packet) int {
		return cmp.Or(cmpAmount(sumOf(b.Tainted), sumOf(a.Tainted)), cmp.Compare(a.Service, b.Service))
	})
	return out, nil
}

// attribution returns the reached address's service tags, strongest first:
// from the Attributor (with provenance) when there is one, else from the
// trace's tags.
func attribution(ctx context.Context, r trace.Reached, at Attributor, opt Options) ([]Attribution, error) {
	var out []Attribution
	if at != nil {
		ts, err := at.TagsByAddress(ctx, r.Address)
		if err != nil {
			return nil, fmt.Errorf("freeze: tags of %s: %w", r.Address, err)
		}
		for _, t := range ts {
			a := Attribution{Label: t.Label, Category: t.Category, Concepts: t.Concepts, Actor: t.Actor, Source: t.Source,
				Confidence: t.Confidence, Level: t.Level, Date: t.Date, Dataset: t.Dataset, File: t.File, Line: t.Line,
				PackTitle: t.PackTitle}
			if t.Abuse != "" {
				a.Concepts = append(slices.Clone(a.Concepts), t.Abuse)
			}
			if isService(a, opt) {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		for _, t := range r.Tags {
			a := Attribution{Label: t.Label, Category: t.Category, Concepts: t.Concepts, Actor: t.Actor, Source: t.Source, Level: t.Confidence}
			if isService(a, opt) {
				out = append(out, a)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Attribution) int { return cmp.Compare(b.Level, a.Level) })
	return out, nil
}

func isService(a Attribution, opt Options) bool {
	if a.Level < opt.MinConfidence {
		return false
	}
	for _, c := range opt.Categories {
		if strings.EqualFold(a.Category, c) || slices.ContainsFunc(a.Concepts, func(x string) bool { return strings.EqualFold(x, c) }) {
			return true
		}
	}
	return false
}

// serviceName is the actor of the tag, else its label, else its category:
// the entity the request is addressed to.
func serviceName(a Attribution) string {
	return cmp.Or(a.Actor, a.Label, a.Category, "unknown service")
}

func totals(ds []Deposit) []AssetAmount {
	sums := map[string]*big.Int{}
	var assets []string
	for _, d := range ds {
		if sums[d.Asset] == nil {
			sums[d.Asset] = new(big.Int)
			assets = append(assets, d.Asset)
		}
		v, _ := new(big.Int).SetString(d.Tainted, 10)
		if v != nil {
			sums[d.Asset].Add(sums[d.Asset], v)
		}
	}
	slices.Sort(assets)
	out := make([]AssetAmount, len(assets))
	for i, a := range assets {
		out[i] = AssetAmount{Asset: a, Amount: sums[a].String()}
	}
	return out
}

func sumOf(as []AssetAmount) string {
	s := new(big.Int)
	for _, a := range as {
		if v, ok := new(big.Int).SetString(a.Amount, 10); ok {
			s.Add(s, v)
		}
	}
	return s.String()
}

// cmpAmount compares two integer strings numerically (a malformed one is 0).
func cmpAmount(a, b string) int {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	if x == nil {
		x = new(big.Int)
	}
	if y == nil {
		y = new(big.Int)
	}
	return x.Cmp(y)
}

func earliest(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a < b:
		return a
	}
	return b
}
