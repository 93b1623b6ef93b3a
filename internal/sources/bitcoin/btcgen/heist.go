package btcgen

import (
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"
)

// Heist is the ground truth of a generated theft, written as a JSON sidecar
// next to the blocks so tracing tests can check they follow the money from the
// theft to the deposit addresses.
type Heist struct {
	Network string `json:"network"`
	Seed    uint64 `json:"seed"`
	// Height is the block holding the theft transaction.
	Height int32  `json:"height"`
	TxID   string `json:"theft_txid"`
	// Victim is the hot-wallet address robbed ("" when the chain was too
	// young for the exchange to hold funds and users were robbed instead) and
	// VictimInputs the coins taken.
	Victim       string   `json:"victim_address,omitempty"`
	VictimInputs []string `json:"victim_inputs"`
	// TheftOutpoints are the theft transaction's outputs, the tainted coins
	// tracing starts from ("txid:vout").
	TheftOutpoints []string `json:"theft_outpoints"`
	Stolen         int64    `json:"stolen_sats"`
	// Laundering lists every transaction the thief made after the theft, in
	// chain order: the split, each peeling-chain hop, the CoinJoin, the deposits.
	Laundering []string `json:"laundering_txids"`
	CoinJoin   string   `json:"coinjoin_txid"`
	// DepositAddresses are the exchange deposit addresses the laundered coins
	// reached, and Deposits the outputs that paid them.
	DepositAddresses []string  `json:"deposit_addresses"`
	Deposits         []Deposit `json:"deposits"`
	// Done is false when the chain ended before the laundering did.
	Done bool `json:"done"`
}

// Deposit is one laundered payment into an exchange deposit address.
type Deposit struct {
	Outpoint string `json:"outpoint"`
	Address  string `json:"address"`
	Value    int64  `json:"value_sats"`
	Height   int32  `json:"height"`
}

// heistState drives the theft and its laundering across blocks.
type heistState struct {
	at     int32 // theft height
	stage  int
	chains []peel
	coins  []coin // thief coins ready for the next stage
	rec    Heist
}

const (
	stageWait = iota
	stagePeel
	stageJoin
	stageDeposit
	stageDone
)

// Heist returns the heist record so far, or nil when Config.Heist is off.
func (g *Generator) Heist() *Heist {
	if g.heist == nil {
		return nil
	}
	r := g.heist.rec
	r.Network = g.params.Name
	r.Seed = g.cfg.Seed
	r.Done = g.heist.stage == stageDone
	return &r
}

func outpoint(op wire.OutPoint) string { return op.String() }

// heistStep runs the heist stages due at this height; on the chain's last
// block it runs them all, so the record is complete.
func (g *Generator) heistStep() {
	h := g.heist
	last := g.height >= g.cfg.Blocks
	if h.stage == stageWait {
		if g.height < h.at {
			return
		}
		if !g.theft() {
			return
		}
		h.stage = stagePeel
	}
	for h.stage != stageDone {
		switch h.stage {
		case stagePeel:
			g.heistPeel(last)
		case stageJoin:
			g.heistJoin()
		case stageDeposit:
			g.heistDeposit()
		}
		if !last {
			return // one stage a block, as a thief waiting for confirmations
		}
	}
}

// theft empties exchange 0's hot wallet into one thief output, then splits it
// into four to six coins, each starting a peeling chain. It reports false,
// doing nothing, when there is not enough to steal yet.
func (g *Generator) theft() bool {
	h := g.heist
	x := &g.exch[0]
	if len(x.wallet) < 2 && len(x.pending) >= 2 {
		// Early in a chain the hot wallet may be empty: the exchange sweeps its
		// deposits into it first, then the thief drains it.
		g.sweep(0)
	}
	var ins []coin
	if n := len(x.wallet); n > 0 {
		ins = append(ins, x.wallet...)
		x.wallet = x.wallet[:0]
		h.rec.Victim = address(x.hot, g.params)
	}
	// A young chain's exchange holds little: the thief also takes the largest
	// coins of its users (their keys on the same compromised server) until the
	// loot can pay for the laundering.
	for total := sum(ins); total < minLoot && len(ins) < 30; {
		c, ok := g.takeUserLargest(8)
		if !ok {
			break
		}
		ins = append(ins, c)
		total += c.value
	}
	if sum(ins) < minLoot/10 {
		// Too little in the whole economy to launder yet: try next block.
		g.users = append(g.users, ins...)
		h.rec.Victim = ""
		return false
	}
	for _, c := range ins {
		h.rec.VictimInputs = append(h.rec.VictimInputs, outpoint(c.op))
	}
	b := g.newTx(ins)
	stolen := b.in - g.fee(b, 1)
	b.add(stolen, g.randomScript(kindP2WPKH), kindP2WPKH)
	t, out := g.finish(b)
	h.rec.Height = g.height
	h.rec.TxID = t.Hash().String()
	h.rec.Stolen = stolen
	for _, c := range out {
		h.rec.TheftOutpoints = append(h.rec.TheftOutpoints, outpoint(c.op))
	}

	parts := 4 + g.rng.IntN(3)
	b = g.newTx(out)
	avail := b.in - g.fee(b, parts)
	for i := range parts {
		v := avail / int64(parts)
		if i == parts-1 {
			v = avail - v*int64(parts-1)
		}
		k := []scriptKind{kindP2WPKH, kindP2TR}[g.rng.IntN(2)]
		b.add(v, g.randomScript(k), k)
	}
	t, out = g.finish(b)
	h.rec.Laundering = append(h.rec.Laundering, t.Hash().String())
	for _, c := range out {
		h.chains = append(h.chains, peel{c: c, hops: 6 + g.rng.IntN(7)})
	}
	return true
}

// heistPeel advances the thief's peeling chains two to four hops per block
// (all the way on the last block); the peeled payments go to users.
func (g *Generator) heistPeel(all bool) {
	h := g.heist
	live := h.chains[:0]
	for _, p := range h.chains {
		steps := 2 + g.rng.IntN(3)
		if all {
			steps = p.hops
		}
		for ; steps > 0 && p.hops > 0; steps-- {
			next, paid, t, done := g.hop(p.c)
			if done {
				p.hops = 0
				break
			}
			h.rec.Laundering = append(h.rec.Laundering, t.Hash().String())
			g.users = append(g.users, paid)
			p.c = next
			p.hops--
		}
		if p.hops > 0 {
			live = append(live, p)
		} else {
			h.coins = append(h.coins, p.c)
		}
	}
	h.chains = live
	if len(h.chains) == 0 {
		h.stage = stageJoin
	}
}

// heistJoin sends half the thief's coins through a CoinJoin with users at the
// largest denomination they all cover; the other half go straight on.
func (g *Generator) heistJoin() {
	h := g.heist
	half := h.coins[:len(h.coins)/2]
	h.stage = stageDeposit
	if len(half) == 0 {
		return
	}
	least := half[0].value
	for _, c := range half {
		least = min(least, c.value)
	}
	// The largest denomination the thief's coins cover twice over for which
	// enough users show up; smaller ones find more partners.
	var t *btcutil.Tx
	var outs []coin
	for i := len(denominations) - 1; i >= 0 && t == nil; i-- {
		if d := denominations[i]; 2*d <= least {
			t, outs, _ = g.join(half, d, 5+g.rng.IntN(6))
		}
	}
	if t == nil {
		return
	}
	h.rec.CoinJoin = t.Hash().String()
	h.rec.Laundering = append(h.rec.Laundering, h.rec.CoinJoin)
	// The thief's outputs: its denominated ones come first (one per input, in
	// input order), then its changes, which come first among the changes.
	nIn := len(t.MsgTx().TxIn)
	var mine []coin
	mine = append(mine, outs[:len(half)]...)
	mine = append(mine, outs[nIn:nIn+len(half)]...)
	for _, c := range outs[len(half):nIn] {
		g.users = append(g.users, c)
	}
	for _, c := range outs[nIn+len(half):] {
		g.users = append(g.users, c)
	}
	h.coins = append(mine, h.coins[len(half):]...)
}

// heistDeposit pays each remaining thief coin into a different deposit
// address of exchanges 1 and 2 (never the robbed one).
func (g *Generator) heistDeposit() {
	h := g.heist
	for i, c := range h.coins {
		e := 1 + i%2
		x := &g.exch[e]
		script := x.deposits[g.rng.IntN(len(x.deposits))]
		b := g.newTx([]coin{c})
		v := b.in - g.fee(b, 1)
		if v < dust {
			g.users = append(g.users, c) // too small to be worth depositing
			continue
		}
		b.add(v, script, x.depKind)
		t, out := g.finish(b)
		x.pending = append(x.pending, out[0])
		addr := address(script, g.params)
		h.rec.Laundering = append(h.rec.Laundering, t.Hash().String())
		h.rec.DepositAddresses = append(h.rec.DepositAddresses, addr)
		h.rec.Deposits = append(h.rec.Deposits, Deposit{Outpoint: outpoint(out[0].op), Address: addr, Value: v, Height: g.height})
	}
	h.coins = nil
	h.stage = stageDone
}

// minLoot is the least a theft takes: enough for the split, the peeling hops,
// the CoinJoin and the deposits to pay their fees.
const minLoot = 10_000_000

func sum(cs []coin) int64 {
	var t int64
	for _, c := range cs {
		t += c.value
	}
	return t
}
