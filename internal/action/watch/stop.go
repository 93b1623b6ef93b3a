package watch

import (
	"context"
	"fmt"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// stopAliases are the short names of GraphSense concepts the stop rule
// accepts, as the trace's.
var stopAliases = map[string]string{"bridge": "defi_bridge", "mixer": "mixing_service"}

// stopped reports whether taint reaching addr stops there: the address
// carries a tag of one of the settings' stop categories at the minimum
// confidence or more. Each address is looked up once per catch-up.
func (s *state) stopped(ctx context.Context, addr string) (bool, error) {
	if s.tags == nil || addr == "" {
		return false, nil
	}
	if v, ok := s.stops[addr]; ok {
		return v, nil
	}
	ts, err := s.tags.Tags(ctx, s.chain, addr)
	if err != nil {
		return false, fmt.Errorf("tags of %s: %w", addr, err)
	}
	stop := false
	for _, t := range ts {
		if t.Confidence >= s.settings.MinConfidence && tagIn(t, s.settings.StopCategories) {
			stop = true
			break
		}
	}
	s.stops[addr] = stop
	return stop, nil
}

// tagIn reports whether the tag's category or a concept is one of cats (or
// the concept one of them is short for).
func tagIn(t trace.Tag, cats []string) bool {
	for _, c := range cats {
		c = strings.ToLower(c)
		full := c
		if a, ok := stopAliases[c]; ok {
			full = a
		}
		for _, x := range append([]string{t.Category}, t.Concepts...) {
			if x = strings.ToLower(x); x != "" && (x == c || x == full) {
				return true
			}
		}
	}
	return false
}

// EncodeStops is the stored form of Settings.StopCategories: comma-separated.
func EncodeStops(cats []string) string { return strings.Join(cats, ",") }

// DecodeStops reverses EncodeStops ("" is none).
func DecodeStops(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
