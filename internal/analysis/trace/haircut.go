package trace

import "math/big"

// haircutPool is the haircut model: the pool holds a balance B of which T is
// tainted, and a spend of x carries T·x/B, leaving the share T/B unchanged.
// T is an exact rational (shares such as 2/5 of 3 satoshi are not integers);
// results are rounded down only when printed.
type haircutPool struct {
	balance big.Int
	taint   big.Rat
}

func newHaircutPool() *haircutPool { return &haircutPool{} }

func (p *haircutPool) Receive(value *big.Int, t Taint) {
	p.balance.Add(&p.balance, value)
	if t.Tainted() {
		p.taint.Add(&p.taint, t.Amount)
	}
}

func (p *haircutPool) Spend(value *big.Int) Taint {
	if p.balance.Sign() <= 0 || value.Sign() <= 0 {
		return Clean()
	}
	if value.Cmp(&p.balance) >= 0 {
		// Everything the pool holds leaves (the rest from unknown funds).
		out := Taint{Amount: new(big.Rat).Set(&p.taint)}
		p.balance.SetInt64(0)
		p.taint.SetInt64(0)
		return out
	}
	out := new(big.Rat).Mul(&p.taint, new(big.Rat).SetFrac(value, &p.balance))
	p.taint.Sub(&p.taint, out)
	p.balance.Sub(&p.balance, value)
	return Taint{Amount: out}
}

func (p *haircutPool) Held() *big.Rat { return new(big.Rat).Set(&p.taint) }
