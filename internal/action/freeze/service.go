package freeze

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/chain"
)

// Limits bound the trace requests a Service runs.
type Limits struct {
	// MaxNodes caps a request's node budget (and is the budget when the
	// request gives none).
	MaxNodes int
	// MaxStarts caps the txs plus addresses of one request.
	MaxStarts int
}

// DefaultLimits: the trace engine's 10k-node budget, 100 starts.
func DefaultLimits() Limits { return Limits{MaxNodes: trace.DefaultConfig().MaxNodes, MaxStarts: 100} }

// Config checks the request and returns the trace's configuration and
// starts. Every error wraps trace.ErrBadRequest. A max_nodes above the
// limit is capped, not refused.
func (r *Request) Config(lim Limits) (trace.Config, []trace.Start, error) {
	cfg := trace.DefaultConfig()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", trace.ErrBadRequest, fmt.Sprintf(format, a...))
	}
	switch r.Chain {
	case "btc", "eth":
	case "":
		return cfg, nil, bad("chain is required: btc or eth")
	default:
		return cfg, nil, bad("chain %q: want btc or eth", r.Chain)
	}
	if r.Direction == "" {
		r.Direction = string(trace.Forward)
	}
	if r.Model == "" {
		r.Model = string(trace.Haircut)
	}
	var err error
	if cfg.Model, err = trace.ParseModel(r.Model); err != nil {
		return cfg, nil, err
	}
	if cfg.Direction, err = trace.ParseDirection(r.Direction); err != nil {
		return cfg, nil, err
	}
	if r.MaxHops != nil {
		if *r.MaxHops < 0 {
			return cfg, nil, bad("max_hops %d is negative", *r.MaxHops)
		}
		cfg.MaxHops = *r.MaxHops
	}
	if r.MinAmount != "" {
		n, ok := new(big.Int).SetString(r.MinAmount, 10)
		if !ok || n.Sign() < 0 {
			return cfg, nil, bad("min_amount %q: want a non-negative integer in the smallest unit", r.MinAmount)
		}
		cfg.MinAmount = n
	}
	for _, tw := range []struct {
		s, name string
		dst     *time.Time
	}{{r.From, "from", &cfg.From}, {r.To, "to", &cfg.To}} {
		if tw.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, tw.s)
		if err != nil {
			return cfg, nil, bad("%s %q: want an RFC 3339 time", tw.name, tw.s)
		}
		*tw.dst = t
	}
	if r.StopAt != nil {
		cfg.StopCategories = r.StopAt
	}
	if r.MinConfidence != nil {
		if *r.MinConfidence < 0 || *r.MinConfidence > 100 {
			return cfg, nil, bad("min_confidence %d: want 0-100", *r.MinConfidence)
		}
		cfg.MinConfidence = *r.MinConfidence
	}
	if lim.MaxNodes <= 0 {
		lim.MaxNodes = DefaultLimits().MaxNodes
	}
	switch {
	case r.MaxNodes < 0:
		return cfg, nil, bad("max_nodes %d is negative", r.MaxNodes)
	case r.MaxNodes == 0 || r.MaxNodes > lim.MaxNodes:
		r.MaxNodes = lim.MaxNodes
	}
	cfg.MaxNodes = r.MaxNodes
	if lim.MaxStarts <= 0 {
		lim.MaxStarts = DefaultLimits().MaxStarts
	}
	if n := len(r.Txs) + len(r.Addresses); n == 0 {
		return cfg, nil, bad("give at least one tx or address to start from")
	} else if n > lim.MaxStarts {
		return cfg, nil, bad("%d starts, at most %d", n, lim.MaxStarts)
	}
	var starts []trace.Start
	for _, s := range r.Txs {
		st, err := trace.ParseTxStart(strings.TrimSpace(s))
		if err != nil {
			return cfg, nil, err
		}
		starts = append(starts, st)
	}
	for _, a := range r.Addresses {
		a = strings.TrimSpace(a)
		if r.Chain == "btc" {
			a = chain.NormalizeAddress(a)
		}
		if a == "" {
			return cfg, nil, bad("empty address")
		}
		starts = append(starts, trace.Start{Address: a, Vout: -1})
	}
	return cfg, starts, nil
}

// Tip is where the chain index stood when a trace ran.
type Tip struct {
	Height int64
	Hash   string
}

// Tracer runs a trace on a chain's index and says at which tip.
type Tracer interface {
	Trace(ctx context.Context, chain string, cfg trace.Config, starts []trace.Start) (*trace.Result, Tip, error)
}

// Service saves, runs and re-runs traces.
type Service struct {
	Store  TraceStore
	Tracer Tracer
	Limits Limits
	// Now and NewID default to the clock and 16 random hex digits.
	Now   func() time.Time
	NewID func() string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "tr_" + hex.EncodeToString(b)
}

// Create runs req for owner and saves it with its first run.
func (s *Service) Create(ctx context.Context, owner string, req Request) (SavedTrace, error) {
	cfg, starts, err := req.Config(s.Limits)
	if err != nil {
		return SavedTrace{}, err
	}
	res, tip, err := s.Tracer.Trace(ctx, req.Chain, cfg, starts)
	if err != nil {
		return SavedTrace{}, err
	}
	now := s.now()
	t := SavedTrace{ID: s.newID(), Owner: owner, Created: now, Request: req,
		Runs: []Run{{Seq: 1, At: now, Tip: tip.Height, TipHash: tip.Hash, Result: res}}}
	if err := s.Store.CreateTrace(ctx, t); err != nil {
		return SavedTrace{}, err
	}
	return t, nil
}

// Rerun runs a saved trace again at the current tip, records the run with
// what changed since the last one, and returns that run.
func (s *Service) Rerun(ctx context.Context, t SavedTrace) (Run, error) {
	req := t.Request
	cfg, starts, err := req.Config(s.Limits)
	if err != nil {
		return Run{}, err
	}
	res, tip, err := s.Tracer.Trace(ctx, req.Chain, cfg, starts)
	if err != nil {
		return Run{}, err
	}
	var prev *trace.Result
	seq := 1
	if last := t.Latest(); last != nil {
		prev, seq = last.Result, last.Seq+1
	}
	r := Run{Seq: seq, At: s.now(), Tip: tip.Height, TipHash: tip.Hash, Result: res, Changes: Diff(prev, res)}
	if err := s.Store.AddTraceRun(ctx, t.ID, r); err != nil {
		return Run{}, err
	}
	return r, nil
}

// ErrNotOwner: the caller may not see the saved trace. Callers answer it as
// not found, so a trace's existence does not leak to other members.
var ErrNotOwner = errors.New("freeze: saved trace of another member")

// Get returns a saved trace if member may see it (its owner, or admin).
func (s *Service) Get(ctx context.Context, id, member string, admin bool) (SavedTrace, error) {
	t, err := s.Store.Trace(ctx, id)
	if err != nil {
		return SavedTrace{}, err
	}
	if !admin && t.Owner != member {
		return SavedTrace{}, fmt.Errorf("trace %s: %w: %w", id, ErrNotOwner, ErrTraceNotFound)
	}
	return t, nil
}

// List lists saved traces, newest first; owner "" lists everyone's.
func (s *Service) List(ctx context.Context, owner string, limit int) ([]Summary, error) {
	return s.Store.Traces(ctx, owner, limit)
}
