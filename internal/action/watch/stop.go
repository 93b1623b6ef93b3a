package watch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

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

// tagIn reports whether the tag is of one of cats, as the trace's stop rule
// decides it.
func tagIn(t trace.Tag, cats []string) bool {
	return slices.ContainsFunc(cats, t.Is)
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
