package watch

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// EncodeTaint writes a taint as text for the state store: the exact amount
// as a fraction ("7/3", or "7"), then, under FIFO, ";" and the spans as
// "lo-hi" separated by ",".
func EncodeTaint(t trace.Taint) string {
	var b strings.Builder
	if t.Amount == nil {
		b.WriteString("0")
	} else {
		b.WriteString(t.Amount.RatString())
	}
	if len(t.Spans) > 0 {
		b.WriteByte(';')
		for i, s := range t.Spans {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s.Lo.String())
			b.WriteByte('-')
			b.WriteString(s.Hi.String())
		}
	}
	return b.String()
}

// DecodeTaint reads what EncodeTaint wrote.
func DecodeTaint(s string) (trace.Taint, error) {
	amt, spans, hasSpans := strings.Cut(s, ";")
	r, ok := new(big.Rat).SetString(amt)
	if !ok || r.Sign() < 0 || strings.ContainsAny(amt, ".eE") {
		return trace.Taint{}, fmt.Errorf("%w: taint amount %q", ErrInvalid, amt)
	}
	t := trace.Taint{Amount: r}
	if !hasSpans {
		return t, nil
	}
	for _, p := range strings.Split(spans, ",") {
		lo, hi, ok := strings.Cut(p, "-")
		l, ok1 := new(big.Int).SetString(lo, 10)
		h, ok2 := new(big.Int).SetString(hi, 10)
		if !ok || !ok1 || !ok2 || l.Sign() < 0 || h.Cmp(l) < 0 {
			return trace.Taint{}, fmt.Errorf("%w: taint span %q", ErrInvalid, p)
		}
		t.Spans = append(t.Spans, trace.Span{Lo: l, Hi: h})
	}
	return t, nil
}

// EncodePath joins tx ids for the state store.
func EncodePath(p []string) string { return strings.Join(p, ",") }

// DecodePath splits what EncodePath joined.
func DecodePath(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// DecodeRow fills a taint row's value, taint and path from their stored
// text.
func DecodeRow(r *TaintRow, value, taint, path string) error {
	v, ok := new(big.Int).SetString(value, 10)
	if !ok {
		return fmt.Errorf("%w: taint value %q", ErrInvalid, value)
	}
	t, err := DecodeTaint(taint)
	if err != nil {
		return err
	}
	r.Value, r.Taint, r.Path = v, t, DecodePath(path)
	return nil
}
