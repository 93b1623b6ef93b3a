package trace

import (
	"context"
	"errors"
	"maps"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// mixingGraph: a theft tx T pays the thief two coins, T:0 = 10 and T:1 = 30.
// The mixing tx M spends five inputs, two of them tainted, in this order:
//
//	A = T:0  10 tainted   line [0,10)
//	B = U1   20 clean     line [10,30)
//	C = T:1  30 tainted   line [30,60)
//	D = U2   15 clean     line [60,75)
//	E = U3   25 clean     line [75,100)
//
// and pays o1 = 40 [0,40), o2 = 35 [40,75), o3 = 21 [75,96), fee 4 [96,100).
func mixingGraph(t *testing.T) *utxoGraph {
	g := newUTXOGraph()
	g.tx(t, "U1", nil, out{"u1", 20})
	g.tx(t, "U2", nil, out{"u2", 15})
	g.tx(t, "U3", nil, out{"u3", 25})
	g.tx(t, "V", nil, out{"victim", 44})
	g.tx(t, "T", []string{"V:0"}, out{"thief-a", 10}, out{"thief-c", 30})
	g.tx(t, "M", []string{"T:0", "U1:0", "T:1", "U2:0", "U3:0"}, out{"o1", 40}, out{"o2", 35}, out{"o3", 21})
	return g
}

// TestMixingTwoTaintedOfFive works the three models on the mixing tx: 40 of
// its 100 input units are tainted.
//
//   - poison: any tainted input taints every output whole: 40, 35, 21.
//   - haircut: each output carries 40/100 of its value: 16, 14 and
//     21·0.4 = 8.4 (printed 8, exact 42/5); the fee takes the other 1.6.
//   - FIFO: o1 = [0,40) holds A [0,10) and C [30,40): 20; o2 = [40,75)
//     holds C [40,60): 20; o3 = [75,96) is clean, so it is not in the graph.
func TestMixingTwoTaintedOfFive(t *testing.T) {
	g := mixingGraph(t)
	want := map[Model]map[string]string{
		Poison:  {"o1": "40", "o2": "35", "o3": "21"},
		Haircut: {"o1": "16", "o2": "14", "o3": "8 42/5"},
		FIFO:    {"o1": "20", "o2": "20"},
	}
	for _, m := range models {
		t.Run(string(m)+" shares the taint of the mix its own way", func(t *testing.T) {
			r, err := TraceUTXO(context.Background(), g, nil, config(m, Forward), []Start{{Tx: g.id("T"), Vout: -1}})
			if err != nil {
				t.Fatal(err)
			}
			if got := reachedMap(r); !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
			if r.Truncated {
				t.Error("truncated")
			}
		})
	}
}

// TestMixingBackward traces o1 (40) back through the mixing tx:
//
//   - poison: every input funded it whole: T's two coins 10 and 30, and
//     u1 20, u2 15, u3 25 (the coinbases: origin).
//   - haircut: 40 split pro rata over 100 input units: 4, 12 | 8, 6, 10.
//   - FIFO: o1's units [0,40) came from A (10), B (20) and C [30,40) (10).
//
// The T coins go one hop further back, to the victim's coinbase output,
// with what they funded: poison 44 (whole); haircut 4 + 12 = 16 (T's fee of
// 4 funded none of o1); FIFO: T's outputs are [0,10) and [10,40) of the
// victim's coin, and o1 holds all of the first and the first 10 units of
// the second: 20.
func TestMixingBackward(t *testing.T) {
	g := mixingGraph(t)
	want := map[Model]map[string]string{
		Poison:  {"u1": "20", "u2": "15", "u3": "25", "victim": "44"},
		Haircut: {"u1": "8", "u2": "6", "u3": "10", "victim": "16"},
		FIFO:    {"u1": "20", "victim": "20"},
	}
	for _, m := range models {
		t.Run(string(m)+" attributes o1 to the inputs", func(t *testing.T) {
			r, err := TraceUTXO(context.Background(), g, nil, config(m, Backward), []Start{{Tx: g.id("M"), Vout: 0}})
			if err != nil {
				t.Fatal(err)
			}
			if got := reachedMap(r); !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// peelGraph: a peeling chain from a 100 000-sat stolen coin, with one clean
// coin (11 000) joining at the second hop.
//
//	P1: T:0 100 000            → pay1 10 000, change 89 000, fee 1 000
//	P2: P1:1 89 000, W 11 000  → pay2 20 000, change 79 000, fee 1 000
//	P3: P2:1 79 000            → pay3  5 000, change 73 000, fee 1 000
func peelGraph(t *testing.T) *utxoGraph {
	g := newUTXOGraph()
	g.tx(t, "V", nil, out{"victim", 100_000})
	g.tx(t, "W", nil, out{"wallet", 11_000})
	g.tx(t, "T", []string{"V:0"}, out{"thief", 100_000})
	g.tx(t, "P1", []string{"T:0"}, out{"pay1", 10_000}, out{"peel1", 89_000})
	g.tx(t, "P2", []string{"P1:1", "W:0"}, out{"pay2", 20_000}, out{"peel2", 79_000})
	g.tx(t, "P3", []string{"P2:1"}, out{"pay3", 5_000}, out{"peel3", 73_000})
	return g
}

// TestPeelingChain follows the chain to its end:
//
//   - poison: every payment and the last change whole: 10 000, 20 000,
//     5 000, 73 000.
//   - haircut: P1 is all taint; P2's share is 89/100, so pay2 17 800 and
//     peel2 70 310; P3 keeps the share: pay3 4 450, peel3 64 970.
//   - FIFO: P2's tainted units are [0,89 000): pay2 [0,20 000) whole,
//     peel2 [20 000,99 000) has 69 000 tainted, at its front [0,69 000);
//     P3 gives pay3 [0,5 000) whole and peel3 [5 000,78 000): 64 000.
func TestPeelingChain(t *testing.T) {
	g := peelGraph(t)
	want := map[Model]map[string]string{
		Poison:  {"pay1": "10000", "pay2": "20000", "pay3": "5000", "peel3": "73000"},
		Haircut: {"pay1": "10000", "pay2": "17800", "pay3": "4450", "peel3": "64970"},
		FIFO:    {"pay1": "10000", "pay2": "20000", "pay3": "5000", "peel3": "64000"},
	}
	for _, m := range models {
		t.Run(string(m)+" follows the change", func(t *testing.T) {
			r, err := TraceUTXO(context.Background(), g, nil, config(m, Forward), []Start{{Tx: g.id("T"), Vout: 0}})
			if err != nil {
				t.Fatal(err)
			}
			if got := reachedMap(r); !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// coinJoinGraph: the thief (150 000) joins two users (120 000 and 200 000)
// in a CoinJoin of three 100 000 outputs, then the changes in input order:
// thief 49 000, u1 19 000, u2 99 000; fee 3 000 (470 000 in).
func coinJoinGraph(t *testing.T) *utxoGraph {
	g := newUTXOGraph()
	g.tx(t, "V", nil, out{"victim", 150_000})
	g.tx(t, "U1", nil, out{"user1", 120_000})
	g.tx(t, "U2", nil, out{"user2", 200_000})
	g.tx(t, "T", []string{"V:0"}, out{"thief", 150_000})
	g.tx(t, "J", []string{"T:0", "U1:0", "U2:0"},
		out{"d0", 100_000}, out{"d1", 100_000}, out{"d2", 100_000},
		out{"c-thief", 49_000}, out{"c-user1", 19_000}, out{"c-user2", 99_000})
	return g
}

// TestCoinJoin: the three textbook answers.
//
//   - poison: all six outputs whole, 467 000 "tainted" from 150 000 stolen.
//   - haircut: share 150/470 = 15/47 everywhere: d0..d2 1 500 000/47
//     (31 914), c-thief 735 000/47 (15 638), c-user1 285 000/47 (6 063),
//     c-user2 1 485 000/47 (31 595).
//   - FIFO: the thief's units are the line's first 150 000: d0 whole, half
//     of d1 (50 000), nothing else.
func TestCoinJoin(t *testing.T) {
	g := coinJoinGraph(t)
	want := map[Model]map[string]string{
		Poison: {"d0": "100000", "d1": "100000", "d2": "100000", "c-thief": "49000", "c-user1": "19000", "c-user2": "99000"},
		Haircut: {"d0": "31914 1500000/47", "d1": "31914 1500000/47", "d2": "31914 1500000/47",
			"c-thief": "15638 735000/47", "c-user1": "6063 285000/47", "c-user2": "31595 1485000/47"},
		FIFO: {"d0": "100000", "d1": "50000"},
	}
	for _, m := range models {
		t.Run(string(m)+" through the CoinJoin", func(t *testing.T) {
			r, err := TraceUTXO(context.Background(), g, nil, config(m, Forward), []Start{{Tx: g.id("T"), Vout: -1}})
			if err != nil {
				t.Fatal(err)
			}
			if got := reachedMap(r); !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// TestUTXOStopRules: each rule stops the peeling chain where it should and
// says so on the node.
func TestUTXOStopRules(t *testing.T) {
	g := peelGraph(t)
	start := []Start{{Tx: g.id("T"), Vout: 0}}
	cases := []struct {
		name  string
		cfg   func(*Config)
		tg    Tagger
		want  map[string]string // address → stop
		trunc bool
	}{
		{"max hops 2 stops at the second change", func(c *Config) { c.MaxHops = 2 }, nil,
			map[string]string{"pay1": "unspent", "pay2": "max-hops", "peel2": "max-hops"}, false},
		{"min amount drops the small payments", func(c *Config) { c.MinAmount = big.NewInt(6_000); c.Model = FIFO }, nil,
			map[string]string{"pay1": "unspent", "pay2": "unspent", "peel3": "unspent"}, false},
		{"a tagged exchange is reached and not followed", func(c *Config) {}, tagSet{"peel1": {{Category: "exchange", Confidence: 80}}},
			map[string]string{"pay1": "unspent", "peel1": "tagged:exchange"}, false},
		{"a mixing service stops it as \"mixer\"", func(c *Config) {}, tagSet{"peel1": {{Category: "mixing_service", Confidence: 50}}},
			map[string]string{"pay1": "unspent", "peel1": "tagged:mixer"}, false},
		{"a bridge concept on another category stops it too", func(c *Config) {},
			tagSet{"peel1": {{Category: "organization", Concepts: []string{"defi_bridge"}, Confidence: 60}}},
			map[string]string{"pay1": "unspent", "peel1": "tagged:bridge"}, false},
		{"a tag below the confidence threshold is passed", func(c *Config) { c.MinConfidence = 90 },
			tagSet{"peel1": {{Category: "exchange", Confidence: 80}}},
			map[string]string{"pay1": "unspent", "pay2": "unspent", "pay3": "unspent", "peel3": "unspent"}, false},
		{"the node budget truncates", func(c *Config) { c.MaxNodes = 4 }, nil,
			map[string]string{"pay1": "unspent", "peel1": "budget"}, true},
		{"the time window ends before the last hop", func(c *Config) {
			c.To = timeOf(g.txs[g.names["P2"]].Time)
		}, nil, map[string]string{"pay1": "unspent", "pay2": "unspent", "peel2": "time-window"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(Haircut, Forward)
			tc.cfg(&cfg)
			r, err := TraceUTXO(context.Background(), g, tc.tg, cfg, start)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, x := range r.Reached {
				got[x.Address] = x.Stop
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("reached %v, want %v", got, tc.want)
			}
			if r.Truncated != tc.trunc {
				t.Errorf("truncated %v, want %v", r.Truncated, tc.trunc)
			}
		})
	}
}

func TestUTXOBadStarts(t *testing.T) {
	g := peelGraph(t)
	cases := []struct {
		name  string
		start Start
		want  error
	}{
		{"a short tx id", Start{Tx: "abcd", Vout: -1}, ErrBadRequest},
		{"an unknown tx", Start{Tx: "00000000000000000000000000000000000000000000000000000000000000aa", Vout: -1}, ErrNotFound},
		{"an output past the end", Start{Tx: g.id("T"), Vout: 5}, ErrNotFound},
		{"an address without outputs", Start{Address: "nobody"}, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TraceUTXO(context.Background(), g, nil, config(Poison, Forward), []Start{tc.start})
			if !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestShareString(t *testing.T) {
	for _, tc := range []struct {
		taint *big.Rat
		value int64
		want  string
	}{
		{big.NewRat(0, 1), 10, "0"},
		{big.NewRat(10, 1), 10, "1"},
		{big.NewRat(1, 3), 1, "0.333333"},
		{big.NewRat(42, 5), 21, "0.4"},
		{big.NewRat(1, 1), 3_000_000, "0"},
		{big.NewRat(7, 1), 10, "0.7"},
		{big.NewRat(1, 1), 8, "0.125"},
		{big.NewRat(3, 1), 1_000_000, "0.000003"},
		{big.NewRat(15, 1), 10, "1.5"},
		{big.NewRat(1, 3), 10, "0.033333"},
		{big.NewRat(math.MaxInt64/3, 1), math.MaxInt64 / 2, "0.666666"},
	} {
		if got := shareString(tc.taint, big.NewInt(tc.value)); got != tc.want {
			t.Errorf("share %s of %d = %s, want %s", tc.taint.RatString(), tc.value, got, tc.want)
		}
	}
}

// TestExactFractions holds mulInt, quoInt and the haircut pool's share
// bookkeeping equal to big.Rat's own arithmetic on random operands.
func TestExactFractions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rat := func() *big.Rat {
		r := big.NewRat(rng.Int64N(1e12)+1, rng.Int64N(1e12)+1)
		for range rng.IntN(6) { // long denominators, as after many mixes
			r.Mul(r, big.NewRat(rng.Int64N(1e9)+1, rng.Int64N(1e9)+1))
		}
		return r
	}
	for range 2000 {
		r, x := rat(), big.NewInt(rng.Int64N(1e15)+1)
		if rng.IntN(4) == 0 {
			r.SetInt64(rng.Int64N(1e15))
		}
		want := new(big.Rat).Mul(r, new(big.Rat).SetInt(x))
		if got := mulInt(r, x); got.Cmp(want) != 0 || got.RatString() != want.RatString() {
			t.Fatalf("mulInt(%s, %s) = %s, want %s", r.RatString(), x, got.RatString(), want.RatString())
		}
		want = new(big.Rat).Quo(r, new(big.Rat).SetInt(x))
		if got := quoInt(r, x); got.Cmp(want) != 0 || got.RatString() != want.RatString() {
			t.Fatalf("quoInt(%s, %s) = %s, want %s", r.RatString(), x, got.RatString(), want.RatString())
		}
	}
	// The pool against the plain sequential arithmetic of the model.
	for range 300 {
		p := newHaircutPool()
		var bal big.Int
		var taint big.Rat
		for range rng.IntN(12) + 1 {
			if rng.IntN(3) > 0 || bal.Sign() == 0 {
				v := big.NewInt(rng.Int64N(1e10) + 1)
				tn := Clean()
				if rng.IntN(2) == 0 {
					tn = Taint{Amount: new(big.Rat).Mul(rat(), new(big.Rat).SetFrac(v, big.NewInt(rng.Int64N(1e12)+1e12)))}
				}
				p.Receive(v, tn)
				bal.Add(&bal, v)
				taint.Add(&taint, tn.Amount)
				continue
			}
			x := big.NewInt(rng.Int64N(bal.Int64()+bal.Int64()/4) + 1)
			var want *big.Rat
			if x.Cmp(&bal) >= 0 {
				want = new(big.Rat).Set(&taint)
				bal.SetInt64(0)
				taint.SetInt64(0)
			} else {
				want = new(big.Rat).Mul(&taint, new(big.Rat).SetFrac(x, &bal))
				taint.Sub(&taint, want)
				bal.Sub(&bal, x)
			}
			got := p.Spend(x)
			if got.Amount.RatString() != want.RatString() {
				t.Fatalf("spend %s: %s, want %s", x, got.Amount.RatString(), want.RatString())
			}
			if h := p.Held(); h.RatString() != taint.RatString() {
				t.Fatalf("held %s, want %s", h.RatString(), taint.RatString())
			}
		}
	}
}
