package trace

import "math/big"

// fifoPool is the FIFO model (Clayton's Case): the pool is a line of value
// units; receipts are appended at the tail in the order they come, spends
// take the next units from the head. The tainted units are kept as spans of
// the line, so a spend knows exactly which of its units are tainted and
// passes them on as spans of its own. Spans behind the head are dropped as
// the head passes them: memory is bounded by the taint still held (the FIFO
// window), not by the length of the history.
type fifoPool struct {
	head, tail big.Int
	spans      []Span // on the line, sorted, disjoint, all ending after head
}

func newFIFOPool() *fifoPool { return &fifoPool{} }

func (p *fifoPool) Receive(value *big.Int, t Taint) {
	for _, s := range t.Spans {
		p.spans = append(p.spans, Span{
			Lo: new(big.Int).Add(&p.tail, s.Lo),
			Hi: new(big.Int).Add(&p.tail, s.Hi),
		})
	}
	p.tail.Add(&p.tail, value)
}

func (p *fifoPool) Spend(value *big.Int) Taint {
	lo := new(big.Int).Set(&p.head)
	hi := new(big.Int).Add(lo, value)
	if hi.Cmp(&p.tail) > 0 {
		hi.Set(&p.tail) // the rest comes from unknown, clean funds
	}
	out := Clean()
	keep := p.spans[:0]
	for _, s := range p.spans {
		a, b := maxInt(s.Lo, lo), minInt(s.Hi, hi)
		if a.Cmp(b) < 0 {
			out.Spans = append(out.Spans, Span{Lo: new(big.Int).Sub(a, lo), Hi: new(big.Int).Sub(b, lo)})
			out.Amount.Add(out.Amount, new(big.Rat).SetInt(new(big.Int).Sub(b, a)))
		}
		if s.Hi.Cmp(hi) > 0 {
			keep = append(keep, s)
		}
	}
	p.spans = keep
	p.head.Set(hi)
	if p.head.Cmp(lo) < 0 {
		p.head.Set(lo)
	}
	return out
}

func (p *fifoPool) Held() *big.Rat {
	t := new(big.Int)
	for _, s := range p.spans {
		a := maxInt(s.Lo, &p.head)
		if a.Cmp(s.Hi) < 0 {
			t.Add(t, new(big.Int).Sub(s.Hi, a))
		}
	}
	return new(big.Rat).SetInt(t)
}

func maxInt(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func minInt(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}
