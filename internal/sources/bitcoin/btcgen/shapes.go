package btcgen

import (
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"
)

// txBuilder collects one transaction's inputs and outputs with the output
// types, so the outputs can become spendable coins once the txid is known.
type txBuilder struct {
	tx    *wire.MsgTx
	in    int64
	out   int64
	vsize int64
	kinds []scriptKind
}

// newTx starts a transaction spending ins, unlocking each with the input its
// type needs.
func (g *Generator) newTx(ins []coin) *txBuilder {
	v := int32(2)
	if g.rng.IntN(5) == 0 {
		v = 1
	}
	b := &txBuilder{tx: wire.NewMsgTx(v), vsize: 11}
	for _, c := range ins {
		in := wire.NewTxIn(&c.op, nil, nil)
		in.Sequence = wire.MaxTxInSequenceNum - 2 // opt-in RBF, as most wallets
		g.unlock(in, c.kind)
		b.tx.AddTxIn(in)
		b.in += c.value
		b.vsize += inputVSize[c.kind]
	}
	return b
}

// fee is what the builder's transaction pays at this block's fee rate once it
// has nOut outputs.
func (g *Generator) fee(b *txBuilder, nOut int) int64 {
	return (b.vsize + 33*int64(nOut)) * g.feeRate
}

func (b *txBuilder) add(value int64, script []byte, k scriptKind) {
	b.tx.AddTxOut(wire.NewTxOut(value, script))
	b.kinds = append(b.kinds, k)
	b.out += value
}

// finish appends the transaction to the block being built and returns it with
// its outputs as coins (in output order).
func (g *Generator) finish(b *txBuilder) (*btcutil.Tx, []coin) {
	if b.out > b.in {
		panic("btcgen: outputs exceed inputs") // a bug in a shape, never input-driven
	}
	t := btcutil.NewTx(b.tx)
	g.txs = append(g.txs, t)
	g.fees += b.in - b.out
	h := *t.Hash()
	coins := make([]coin, len(b.kinds))
	for i, k := range b.kinds {
		coins[i] = coin{op: wire.OutPoint{Hash: h, Index: uint32(i)}, value: b.tx.TxOut[i].Value, kind: k}
	}
	return t, coins
}

// takeUser removes a random user coin; ok is false when there is none.
func (g *Generator) takeUser() (coin, bool) {
	n := len(g.users)
	if n == 0 {
		return coin{}, false
	}
	i := g.rng.IntN(n)
	c := g.users[i]
	g.users[i] = g.users[n-1]
	g.users = g.users[:n-1]
	return c, true
}

// takeUserMin removes a random user coin worth at least min, trying a few
// draws only: pools are large and this keeps the cost per transaction flat.
func (g *Generator) takeUserMin(min int64, tries int) (coin, bool) {
	for range tries {
		n := len(g.users)
		if n == 0 {
			return coin{}, false
		}
		i := g.rng.IntN(n)
		if c := g.users[i]; c.value >= min {
			g.users[i] = g.users[n-1]
			g.users = g.users[:n-1]
			return c, true
		}
	}
	return coin{}, false
}

// takeUserLargest removes the largest of n random draws.
func (g *Generator) takeUserLargest(n int) (coin, bool) {
	if len(g.users) == 0 {
		return coin{}, false
	}
	best := g.rng.IntN(len(g.users))
	for range n - 1 {
		if i := g.rng.IntN(len(g.users)); g.users[i].value > g.users[best].value {
			best = i
		}
	}
	c := g.users[best]
	g.users[best] = g.users[len(g.users)-1]
	g.users = g.users[:len(g.users)-1]
	return c, true
}

// amount draws a payment out of avail: skewed to small amounts, often round.
func (g *Generator) amount(avail int64) int64 {
	u := g.rng.Float64()
	v := int64(float64(avail) * (0.01 + 0.8*u*u))
	if g.rng.IntN(5) < 2 {
		for unit := int64(100_000_000); unit >= 1000; unit /= 10 {
			if v >= 4*unit {
				v -= v % unit
				break
			}
		}
	}
	return max(v, dust)
}

// shape appends one transaction of a randomly chosen shape, weighted so the
// pool of user coins stays between minPool and maxPool. It reports false when
// nothing can be spent any more.
func (g *Generator) shape() bool {
	for range 20 {
		if g.tryShape() {
			return true
		}
	}
	return false
}

func (g *Generator) tryShape() bool {
	u := len(g.users)
	wPay, wCons, wJoin, wSweep, wDraw, wPeel := 70, 2, 1, 0, 2, 1
	switch {
	case u < minPool:
		wPay, wCons, wDraw = 20, 0, 60
	case u > maxPool:
		wCons = 12
	}
	if e := g.busiestExchange(); len(g.exch[e].pending) >= 20 {
		wSweep = 5
	}
	if len(g.peels) > 40 {
		wPeel = 0
	}
	n := g.rng.IntN(wPay + wCons + wJoin + wSweep + wDraw + wPeel)
	switch {
	case n < wPay:
		return g.payment()
	case n < wPay+wCons:
		return g.consolidate()
	case n < wPay+wCons+wJoin:
		return g.coinJoin()
	case n < wPay+wCons+wJoin+wSweep:
		return g.sweep(g.busiestExchange())
	case n < wPay+wCons+wJoin+wSweep+wDraw:
		return g.withdraw(g.rng.IntN(exchanges))
	default:
		return g.startPeel()
	}
}

// payment spends one to three user coins into a payment and change; a fifth
// of payments are deposits to an exchange.
func (g *Generator) payment() bool {
	var ins []coin
	for range 1 + g.rng.IntN(3)*g.rng.IntN(2) {
		if c, ok := g.takeUser(); ok {
			ins = append(ins, c)
		}
	}
	if len(ins) == 0 {
		return false
	}
	b := g.newTx(ins)
	avail := b.in - g.fee(b, 2)
	if avail < 3*dust {
		// Too small to pay anyone: back to the pool for a later consolidation.
		g.users = append(g.users, ins...)
		return false
	}
	pay := min(g.amount(avail), avail-dust)
	change := avail - pay
	changeKind := ins[0].kind
	if g.rng.IntN(3) == 0 {
		changeKind = g.pickKind()
	}
	if g.rng.IntN(5) == 0 {
		e := &g.exch[g.rng.IntN(exchanges)]
		b.add(pay, e.deposits[g.rng.IntN(len(e.deposits))], e.depKind)
		b.add(change, g.randomScript(changeKind), changeKind)
		_, out := g.finish(b)
		e.pending = append(e.pending, out[0])
		g.users = append(g.users, out[1])
		return true
	}
	k := g.pickKind()
	// Wallets put the change first or last at random (BIP69 or shuffled).
	if g.rng.IntN(2) == 0 {
		b.add(pay, g.randomScript(k), k)
		b.add(change, g.randomScript(changeKind), changeKind)
	} else {
		b.add(change, g.randomScript(changeKind), changeKind)
		b.add(pay, g.randomScript(k), k)
	}
	_, out := g.finish(b)
	g.users = append(g.users, out...)
	return true
}

// consolidate merges many user coins into one (fan-in).
func (g *Generator) consolidate() bool {
	n := 5 + g.skewed(maxConsolidateIn-5)
	ins := make([]coin, 0, n)
	for range n {
		if c, ok := g.takeUser(); ok {
			ins = append(ins, c)
		}
	}
	if len(ins) < 2 {
		g.users = append(g.users, ins...)
		return false
	}
	b := g.newTx(ins)
	avail := b.in - g.fee(b, 1)
	if avail < dust {
		g.users = append(g.users, ins...)
		return false
	}
	k := g.pickKind()
	b.add(avail, g.randomScript(k), k)
	_, out := g.finish(b)
	g.users = append(g.users, out...)
	return true
}

// denominations are CoinJoin pool sizes in satoshis.
var denominations = []int64{100_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000}

// coinJoin joins 5 to 15 user coins into equal-value outputs plus each
// participant's change.
func (g *Generator) coinJoin() bool {
	_, outs, ok := g.join(nil, denominations[g.rng.IntN(len(denominations))], 5+g.rng.IntN(11))
	if !ok {
		return false
	}
	g.users = append(g.users, outs...)
	return true
}

// join builds a CoinJoin of the given extra coins plus up to n user coins
// worth more than denom. Outputs are the denominated ones in participant
// order, then the changes of participants that have one, in participant order
// too, so a caller can find its own. It returns the participant count it got.
func (g *Generator) join(extra []coin, denom int64, n int) (*btcutil.Tx, []coin, bool) {
	per := int64(68+2*33) * g.feeRate // each participant pays for its input and two outputs
	ins := append([]coin(nil), extra...)
	for range n {
		if c, ok := g.takeUserMin(denom+per+dust, 8); ok {
			ins = append(ins, c)
		}
	}
	if len(ins)-len(extra) < 2 {
		g.users = append(g.users, ins[len(extra):]...)
		return nil, nil, false
	}
	b := g.newTx(ins)
	for range ins {
		b.add(denom, g.randomScript(kindP2WPKH), kindP2WPKH)
	}
	for _, c := range ins {
		if ch := c.value - denom - per; ch >= dust {
			b.add(ch, g.randomScript(kindP2WPKH), kindP2WPKH)
		}
	}
	t, outs := g.finish(b)
	return t, outs, true
}

// busiestExchange is the exchange with the most unswept deposits.
func (g *Generator) busiestExchange() int {
	best := 0
	for i := range g.exch {
		if len(g.exch[i].pending) > len(g.exch[best].pending) {
			best = i
		}
	}
	return best
}

// sweep moves an exchange's pending deposits into its hot wallet (fan-in to
// one reused address).
func (g *Generator) sweep(e int) bool {
	x := &g.exch[e]
	n := min(len(x.pending), 10+g.skewed(maxConsolidateIn-10))
	if n < 2 {
		return false
	}
	ins := x.pending[len(x.pending)-n:]
	b := g.newTx(ins)
	avail := b.in - g.fee(b, 1)
	if avail < dust {
		return false
	}
	x.pending = x.pending[:len(x.pending)-n]
	b.add(avail, x.hot, x.hotKind)
	_, out := g.finish(b)
	x.wallet = append(x.wallet, out...)
	return true
}

// withdraw is an exchange's batch payout: one hot-wallet coin to many users
// plus change back to the hot address (fan-out). An exchange with an empty
// wallet pays out of the largest of a few user coins instead, as a payment
// processor would; this also seeds the pool after the warm-up.
func (g *Generator) withdraw(e int) bool {
	x := &g.exch[e]
	var c coin
	var fromHot bool
	if len(x.wallet) > 0 {
		c, fromHot = x.wallet[len(x.wallet)-1], true
		x.wallet = x.wallet[:len(x.wallet)-1]
	} else if uc, ok := g.takeUserLargest(4); ok {
		c = uc
	} else {
		return false
	}
	n := 5 + g.skewed(maxBatchOutputs-5)
	b := g.newTx([]coin{c})
	avail := b.in - g.fee(b, n+1)
	each := avail / int64(2*n)
	if each < dust {
		n = 1
		avail = b.in - g.fee(b, 2)
		each = avail / 2
		if each < dust {
			if fromHot {
				x.wallet = append(x.wallet, c)
			} else {
				g.users = append(g.users, c)
			}
			return false
		}
	}
	paid := int64(0)
	for range n {
		v := max(dust, each/2+g.rng.Int64N(each))
		k := g.pickKind()
		b.add(v, g.randomScript(k), k)
		paid += v
	}
	changeScript, changeKind := x.hot, x.hotKind
	if !fromHot {
		changeKind = c.kind
		changeScript = g.randomScript(changeKind)
	}
	b.add(avail-paid, changeScript, changeKind)
	_, out := g.finish(b)
	g.users = append(g.users, out[:n]...)
	if fromHot {
		x.wallet = append(x.wallet, out[n])
	} else {
		g.users = append(g.users, out[n])
	}
	return true
}

// startPeel takes a large user coin and starts a peeling chain on it.
func (g *Generator) startPeel() bool {
	c, ok := g.takeUserLargest(16)
	if !ok {
		return false
	}
	g.peels = append(g.peels, peel{c: c, hops: 10 + g.rng.IntN(50)})
	return true
}

// hop is one step of a peeling chain: a small payment to a fresh address and
// the large change to another fresh address of the same type. done is true
// when the chain cannot go on (the change would be too small).
func (g *Generator) hop(c coin) (next coin, paid coin, t *btcutil.Tx, done bool) {
	b := g.newTx([]coin{c})
	avail := b.in - g.fee(b, 2)
	pay := avail / int64(10+g.rng.IntN(90))
	if pay < dust || avail-pay < 4*dust {
		return c, coin{}, nil, true
	}
	k := g.pickKind()
	b.add(pay, g.randomScript(k), k)
	b.add(avail-pay, g.randomScript(c.kind), c.kind)
	t, out := g.finish(b)
	return out[1], out[0], t, false
}

// advancePeels moves every peeling chain one to three hops on, spending at
// most a third of the block's budget; finished chains return their last coin
// to the pool.
func (g *Generator) advancePeels(target int) {
	budget := target / 3
	live := g.peels[:0]
	for _, p := range g.peels {
		for range 1 + g.rng.IntN(3) {
			if budget <= 0 || p.hops <= 0 {
				break
			}
			next, paid, _, done := g.hop(p.c)
			if done {
				p.hops = 0
				break
			}
			g.users = append(g.users, paid)
			p.c = next
			p.hops--
			budget--
		}
		if p.hops > 0 {
			live = append(live, p)
		} else {
			g.users = append(g.users, p.c)
		}
	}
	g.peels = live
}

// skewed draws from [0, n) with small values likelier (a product of two
// uniform draws): most consolidations and payouts are small, a few are large.
func (g *Generator) skewed(n int) int {
	return g.rng.IntN(n) * g.rng.IntN(n) / n
}
