package trace

import "math/big"

// haircutPool is the haircut model: the pool holds a balance B of which T is
// tainted, and a spend of x carries T·x/B, leaving the share T/B unchanged.
// T is an exact rational (shares such as 2/5 of 3 satoshi are not integers);
// results are rounded down only when printed.
//
// Since a spend leaves the share unchanged, the pool keeps the share S = T/B
// from its first spend on, and a spend of x carries S·x; T is S·B again only
// when something is received. That is one small GCD per spend (x against
// S's denominator, mulInt) where big.Rat's own arithmetic would reduce three
// products of long denominators.
type haircutPool struct {
	balance big.Int
	taint   big.Rat  // T, while share is nil
	share   *big.Rat // S = T/B, from the first spend after a receipt
}

func newHaircutPool() *haircutPool { return &haircutPool{} }

// settle turns the share back into the tainted amount T = S·B.
func (p *haircutPool) settle() {
	if p.share == nil {
		return
	}
	if p.balance.Sign() > 0 {
		p.taint.Set(mulInt(p.share, &p.balance))
	} else {
		p.taint.SetInt64(0)
	}
	p.share = nil
}

func (p *haircutPool) Receive(value *big.Int, t Taint) {
	p.settle()
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
		p.settle()
		out := Taint{Amount: new(big.Rat).Set(&p.taint)}
		p.balance.SetInt64(0)
		p.taint.SetInt64(0)
		return out
	}
	if p.share == nil {
		if p.taint.Sign() == 0 {
			p.balance.Sub(&p.balance, value)
			return Clean()
		}
		p.share = quoInt(&p.taint, &p.balance)
	}
	p.balance.Sub(&p.balance, value)
	return Taint{Amount: mulInt(p.share, value)}
}

func (p *haircutPool) Held() *big.Rat {
	if p.share != nil {
		if p.balance.Sign() <= 0 {
			return new(big.Rat)
		}
		return mulInt(p.share, &p.balance)
	}
	return new(big.Rat).Set(&p.taint)
}

// mulInt returns r·x, for x > 0, in lowest terms. r = n/d in lowest terms
// and g = gcd(x, d) give r·x = (n·(x/g)) / (d/g), already in lowest terms:
// one GCD of x against d instead of big.Rat's GCD of the whole product.
func mulInt(r *big.Rat, x *big.Int) *big.Rat {
	if r.IsInt() {
		return new(big.Rat).SetInt(new(big.Int).Mul(r.Num(), x))
	}
	g := new(big.Int).GCD(nil, nil, x, r.Denom())
	num := new(big.Int).Quo(x, g)
	num.Mul(num, r.Num())
	return fraction(num, new(big.Int).Quo(r.Denom(), g))
}

// quoInt returns r/x, for x > 0, in lowest terms: with g = gcd(n, x),
// (n/g) / (d·(x/g)).
func quoInt(r *big.Rat, x *big.Int) *big.Rat {
	if r.Sign() == 0 {
		return new(big.Rat)
	}
	g := new(big.Int).GCD(nil, nil, new(big.Int).Abs(r.Num()), x)
	den := new(big.Int).Quo(x, g)
	den.Mul(den, r.Denom())
	return fraction(new(big.Int).Quo(r.Num(), g), den)
}

// fraction is num/den for a fraction already in lowest terms (den > 0),
// without big.Rat's GCD: SetInt initialises the Rat, after which Denom is a
// reference to its denominator.
func fraction(num, den *big.Int) *big.Rat {
	z := new(big.Rat).SetInt(num)
	if den.Cmp(bigOne) != 0 {
		z.Denom().Set(den)
	}
	return z
}

var bigOne = big.NewInt(1)
