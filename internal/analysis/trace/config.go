package trace

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Errors callers branch on.
var (
	// ErrBadRequest: the trace request itself is wrong (no start, a bad
	// model or direction, a malformed tx id or address).
	ErrBadRequest = errors.New("trace: bad request")
	// ErrNotFound: a start tx, output or address is not in the index.
	ErrNotFound = errors.New("trace: not found")
)

// Direction is which way a trace follows the money.
type Direction string

// Directions.
const (
	// Forward: where did it go (from inputs to outputs, senders to receivers).
	Forward Direction = "forward"
	// Backward: where did it come from.
	Backward Direction = "backward"
)

// ParseDirection checks a direction name.
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(s); d {
	case Forward, Backward:
		return d, nil
	}
	return "", fmt.Errorf("%w: direction %q: want forward or backward", ErrBadRequest, s)
}

// Tag is what the tagger knows of an address: its category (GraphSense
// taxonomy: exchange, bridge, mixer, …), the actor behind it, and the
// confidence of the attribution (GraphSense level, 0–100).
type Tag struct {
	Label      string   `json:"label,omitempty"`
	Category   string   `json:"category,omitempty"`
	Concepts   []string `json:"concepts,omitempty"`
	Actor      string   `json:"actor,omitempty"`
	Confidence int      `json:"confidence"`
	Source     string   `json:"source,omitempty"`
}

// conceptAliases are the short names the stop rules accept for GraphSense
// concepts.
var conceptAliases = map[string]string{"bridge": "defi_bridge", "mixer": "mixing_service"}

// Is reports whether the tag's category or concepts name c (or the concept
// c is short for: bridge, mixer), ignoring case. The stop rules of traces
// and of the alert engine use it.
func (t *Tag) Is(c string) bool {
	c = strings.ToLower(c)
	full := c
	if a, ok := conceptAliases[c]; ok {
		full = a
	}
	for _, x := range append([]string{t.Category}, t.Concepts...) {
		if x = strings.ToLower(x); x != "" && (x == c || x == full) {
			return true
		}
	}
	return false
}

// Tagger looks up the tags of a normalised address on a chain ("btc", "eth").
// internal/index/tags' store satisfies it through an adapter in cmd/interdict.
type Tagger interface {
	Tags(ctx context.Context, chain, address string) ([]Tag, error)
}

// Config holds the stop rules and limits of a trace.
type Config struct {
	Model     Model
	Direction Direction
	// MaxHops: nodes this many hops from the start are not followed (0: no
	// limit).
	MaxHops int
	// MinAmount: edges carrying less taint (smallest units) are not
	// followed (nil or 0: less than one unit).
	MinAmount *big.Int
	// From and To bound the block times of the transactions followed (zero:
	// unbounded).
	From, To time.Time
	// StopCategories: a node whose address carries a tag of one of these
	// categories or concepts (GraphSense taxonomy; "bridge" and "mixer" are
	// short for defi_bridge and mixing_service), at MinConfidence or more,
	// is reached and not followed.
	StopCategories []string
	MinConfidence  int
	// MaxNodes is the budget of nodes a trace visits; past it the trace
	// stops and says so with Truncated.
	MaxNodes int
	// MaxHistory caps how many history entries of one address (per asset)
	// a trace reads: a supernode (an exchange hot wallet with millions of
	// transfers) is read that far and marked capped, never whole.
	MaxHistory int
	// Page is how many history entries are read at a time.
	Page int
}

// DefaultConfig is a forward haircut trace of 6 hops with a 10k-node budget,
// stopping at exchanges, bridges, mixers and CoinJoin coordinators tagged with
// confidence 50 or more (GraphSense levels: service_data is 50).
func DefaultConfig() Config {
	return Config{
		Model:          Haircut,
		Direction:      Forward,
		MaxHops:        6,
		StopCategories: []string{"exchange", "bridge", "mixer", "coinjoin"},
		MinConfidence:  50,
		MaxNodes:       10_000,
		MaxHistory:     10_000,
		Page:           1_000,
	}
}

func (c *Config) check() error {
	if _, err := ParseModel(string(c.Model)); err != nil {
		return err
	}
	if _, err := ParseDirection(string(c.Direction)); err != nil {
		return err
	}
	switch {
	case c.MaxHops < 0:
		return fmt.Errorf("%w: max hops %d is negative", ErrBadRequest, c.MaxHops)
	case c.MinAmount != nil && c.MinAmount.Sign() < 0:
		return fmt.Errorf("%w: min amount %s is negative", ErrBadRequest, c.MinAmount)
	case !c.From.IsZero() && !c.To.IsZero() && c.To.Before(c.From):
		return fmt.Errorf("%w: time window ends before it starts", ErrBadRequest)
	}
	if c.MaxNodes <= 0 {
		c.MaxNodes = DefaultConfig().MaxNodes
	}
	if c.MaxHistory <= 0 {
		c.MaxHistory = DefaultConfig().MaxHistory
	}
	if c.Page <= 0 {
		c.Page = DefaultConfig().Page
	}
	return nil
}

// inWindow reports whether a block time (Unix seconds) is inside [From, To].
func (c *Config) inWindow(unix int64) bool {
	t := time.Unix(unix, 0)
	return (c.From.IsZero() || !t.Before(c.From)) && (c.To.IsZero() || !t.After(c.To))
}

// enough reports whether a taint is worth following: at least MinAmount,
// and at least one smallest unit (a haircut share of a satoshi or a wei can
// be neither frozen nor printed, and following it only grows the exact
// fractions' denominators).
func (c *Config) enough(t Taint) bool {
	if !t.Tainted() {
		return false
	}
	if c.MinAmount == nil || c.MinAmount.Sign() == 0 {
		return t.Amount.Cmp(oneUnit) >= 0
	}
	return t.Amount.Cmp(new(big.Rat).SetInt(c.MinAmount)) >= 0
}

var oneUnit = big.NewRat(1, 1)

// stopTags returns why an address stops the trace ("" to go on): the
// strongest of its tags in a StopCategories category or concept at
// MinConfidence or more, as "tagged:<that category>"; and all its tags for
// the result.
func (c *Config) stopTags(ctx context.Context, tg Tagger, chain, address string) (stop string, all []Tag, err error) {
	if tg == nil || address == "" {
		return "", nil, nil
	}
	all, err = tg.Tags(ctx, chain, address)
	if err != nil {
		return "", nil, fmt.Errorf("tags of %s: %w", address, err)
	}
	best := -1
	for i := range all {
		t := &all[i]
		if t.Confidence < c.MinConfidence || t.Confidence <= best {
			continue
		}
		if j := slices.IndexFunc(c.StopCategories, t.Is); j >= 0 {
			best, stop = t.Confidence, StopTagged+":"+strings.ToLower(c.StopCategories[j])
		}
	}
	return stop, all, nil
}
