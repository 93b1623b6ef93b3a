package trace

import "math/big"

// poisonPool is the poison model: any tainted receipt taints the pool, and
// every spend from then on is tainted whole, whatever the proportions. It
// over-approximates (the taint grows at every mix) and never misses a path.
type poisonPool struct {
	balance big.Int
	tainted bool
}

func (p *poisonPool) Receive(value *big.Int, t Taint) {
	p.balance.Add(&p.balance, value)
	if t.Tainted() {
		p.tainted = true
	}
}

func (p *poisonPool) Spend(value *big.Int) Taint {
	p.balance.Sub(&p.balance, value)
	if p.balance.Sign() < 0 {
		p.balance.SetInt64(0)
	}
	if !p.tainted || value.Sign() <= 0 {
		return Clean()
	}
	return Taint{Amount: new(big.Rat).SetInt(value)} // no spans: only FIFO reads them
}

func (p *poisonPool) Held() *big.Rat {
	if !p.tainted {
		return new(big.Rat)
	}
	return new(big.Rat).SetInt(&p.balance)
}
