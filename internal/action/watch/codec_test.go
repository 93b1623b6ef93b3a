package watch_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
)

func TestTaintCodec(t *testing.T) {
	for _, c := range []struct {
		name string
		in   trace.Taint
		text string
	}{
		{"a whole amount has no fraction", trace.Taint{Amount: big.NewRat(7, 1)}, "7"},
		{"a haircut share stays exact", trace.Taint{Amount: big.NewRat(10, 3)}, "10/3"},
		{"FIFO spans follow the amount", trace.Full(big.NewInt(5)), "5;0-5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := watch.EncodeTaint(c.in); got != c.text {
				t.Fatalf("encode = %q, want %q", got, c.text)
			}
			back, err := watch.DecodeTaint(c.text)
			if err != nil || back.Amount.Cmp(c.in.Amount) != 0 || len(back.Spans) != len(c.in.Spans) {
				t.Fatalf("decode = %+v, %v", back, err)
			}
		})
	}
	for _, bad := range []string{"", "x", "-1", "1.5", "3;", "3;1", "3;2-1", "3;-1-2", "1e9"} {
		if _, err := watch.DecodeTaint(bad); !errors.Is(err, watch.ErrInvalid) {
			t.Errorf("DecodeTaint(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func FuzzDecodeTaint(f *testing.F) {
	for _, s := range []string{"7", "10/3", "5;0-5", "9;0-2,4-11", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tt, err := watch.DecodeTaint(s)
		if err != nil {
			return
		}
		again, err := watch.DecodeTaint(watch.EncodeTaint(tt))
		if err != nil || again.Amount.Cmp(tt.Amount) != 0 || len(again.Spans) != len(tt.Spans) {
			t.Fatalf("%q does not round-trip: %+v, %v", s, again, err)
		}
	})
}
