package trace

import (
	"fmt"
	"math/big"
)

// Model is a taint model: how tainted value entering a mixing point (a UTXO
// transaction, or an account address's history of one asset) is shared among
// what leaves it.
type Model string

// The taint models DESIGN.md defines.
const (
	// Poison: once any tainted value enters, everything that leaves is
	// fully tainted.
	Poison Model = "poison"
	// Haircut: everything that leaves carries the tainted fraction of what
	// is there when it leaves.
	Haircut Model = "haircut"
	// FIFO: Clayton's Case; value leaves in the order it came in.
	FIFO Model = "fifo"
)

// ParseModel checks a model name.
func ParseModel(s string) (Model, error) {
	switch m := Model(s); m {
	case Poison, Haircut, FIFO:
		return m, nil
	}
	return "", fmt.Errorf("%w: model %q: want poison, haircut or fifo", ErrBadRequest, s)
}

// NewPool returns an empty pool of the model.
func (m Model) NewPool() Pool {
	switch m {
	case Poison:
		return &poisonPool{}
	case Haircut:
		return newHaircutPool()
	case FIFO:
		return newFIFOPool()
	}
	panic("trace: unknown model " + string(m)) // ParseModel guards every caller
}

// Span is a tainted stretch [Lo, Hi) of a piece of value, in smallest units
// counted from the piece's first unit. Only FIFO keeps spans: it is the one
// model for which where the taint sits in a coin decides where it goes next.
type Span struct{ Lo, Hi *big.Int }

// Taint is how much of a piece of value is tainted. Amount is exact (a
// rational under haircut, an integer otherwise); Spans, under FIFO only,
// say which units are tainted and add up to Amount.
type Taint struct {
	Amount *big.Rat
	Spans  []Span
}

// Clean is no taint.
func Clean() Taint { return Taint{Amount: new(big.Rat)} }

// Full is a piece of value tainted whole.
func Full(value *big.Int) Taint {
	if value.Sign() <= 0 {
		return Clean()
	}
	return Taint{
		Amount: new(big.Rat).SetInt(value),
		Spans:  []Span{{Lo: new(big.Int), Hi: new(big.Int).Set(value)}},
	}
}

// Tainted reports whether any of the piece is tainted.
func (t Taint) Tainted() bool { return t.Amount != nil && t.Amount.Sign() > 0 }

// Share is Amount / value (0 for an empty piece).
func (t Taint) Share(value *big.Int) *big.Rat {
	if value.Sign() <= 0 || !t.Tainted() {
		return new(big.Rat)
	}
	return new(big.Rat).Quo(t.Amount, new(big.Rat).SetInt(value))
}

// mirror turns a taint of a piece of value v end for end: the spans measured
// from the piece's last unit. Backward tracing runs the models on the
// time-reversed ledger, where every piece is read from its end.
func (t Taint) mirror(v *big.Int) Taint {
	if len(t.Spans) == 0 {
		return t
	}
	out := Taint{Amount: t.Amount, Spans: make([]Span, len(t.Spans))}
	for i, s := range t.Spans {
		out.Spans[len(t.Spans)-1-i] = Span{Lo: new(big.Int).Sub(v, s.Hi), Hi: new(big.Int).Sub(v, s.Lo)}
	}
	return out
}

// Pool is one mixing point under a model: value is received, then spent,
// in ledger order, and each spend says how much of it is tainted. A UTXO
// transaction is a pool that receives its inputs in input order and spends
// its outputs in output order, then the fee; an account address is one pool
// per asset, its receipts and spends in chain order.
type Pool interface {
	// Receive adds a piece of value with its taint.
	Receive(value *big.Int, t Taint)
	// Spend takes value out and returns its taint. A spend larger than the
	// balance (history before the index, or a capped history) takes the
	// rest from unknown, clean funds.
	Spend(value *big.Int) Taint
	// Held is the tainted amount still in the pool.
	Held() *big.Rat
}
