package trace

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestRandomAccountGraphs traces random account histories (six addresses,
// ether and a token, self-transfers, fees, several transfers per tx) under
// every model, forward and backward, with and without a hop limit and a
// small page, and checks what must hold whatever the graph: no error, no
// edge carrying more taint than it moves, and (haircut, FIFO) no more taint
// reached than was seeded: taint is moved, consumed by fees, never made.
func TestRandomAccountGraphs(t *testing.T) {
	names := []string{"T", "M", "A", "B", "C", "S"}
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 99))
		g := &accountGraph{}
		for i := range 40 {
			var ms []move
			for range 1 + rng.IntN(3) {
				from, to := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
				asset := "eth"
				if rng.IntN(4) == 0 {
					asset = usdt
				}
				if rng.IntN(6) == 0 {
					to, asset = "fee", "eth"
				}
				ms = append(ms, move{from, to, asset, big.NewInt(int64(1 + rng.IntN(1000)))})
			}
			g.send(fmt.Sprint("tx", i), ms...)
		}
		for _, m := range models {
			for _, d := range []Direction{Forward, Backward} {
				cfg := config(m, d)
				cfg.MaxHops, cfg.Page = rng.IntN(4), 1+rng.IntN(5)
				r, err := TraceAccount(context.Background(), g, nil, cfg, []Start{{Address: addr("T")}})
				if err != nil {
					t.Fatalf("seed %d %s %s: %v", seed, m, d, err)
				}
				seeded := new(big.Int)
				for _, e := range r.Edges {
					a, _ := new(big.Int).SetString(e.Amount, 10)
					x, _ := new(big.Int).SetString(e.Tainted, 10)
					if x.Cmp(a) > 0 || x.Sign() < 0 {
						t.Fatalf("seed %d %s %s: edge %+v", seed, m, d, e)
					}
					if e.Rule == RuleSeed {
						seeded.Add(seeded, x)
					}
				}
				reached := new(big.Int)
				for _, x := range r.Reached {
					v, _ := new(big.Int).SetString(x.Tainted, 10)
					reached.Add(reached, v)
				}
				if m != Poison && reached.Cmp(seeded) > 0 {
					t.Fatalf("seed %d %s %s: reached %s of %s seeded", seed, m, d, reached, seeded)
				}
			}
		}
	}
}

// TestRandomUTXOGraphs: the same on random UTXO chains (four coinbases,
// then 30 transactions spending 1–4 unspent outputs into 1–4 outputs and a
// fee), traced from the first transaction.
func TestRandomUTXOGraphs(t *testing.T) {
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 7))
		g := newUTXOGraph()
		type coin struct {
			ref   string
			value int64
		}
		var unspent []coin
		for i := range 4 {
			name := fmt.Sprint("cb", i)
			v := int64(1000 + rng.IntN(100_000))
			g.tx(t, name, nil, out{fmt.Sprint("a", rng.IntN(5)), v})
			unspent = append(unspent, coin{name + ":0", v})
		}
		for i := range 30 {
			if len(unspent) == 0 {
				break
			}
			var ins []string
			var total int64
			for range 1 + rng.IntN(min(4, len(unspent))) {
				j := rng.IntN(len(unspent))
				ins = append(ins, unspent[j].ref)
				total += unspent[j].value
				unspent = append(unspent[:j], unspent[j+1:]...)
			}
			fee := total / int64(10+rng.IntN(90))
			n := 1 + rng.IntN(4)
			var outs []out
			left := total - fee
			for k := range n {
				v := left / int64(n-k)
				if k < n-1 {
					v = 1 + rng.Int64N(max(1, left-int64(n-k-1)))
				}
				left -= v
				outs = append(outs, out{fmt.Sprint("a", rng.IntN(5)), v})
			}
			name := fmt.Sprint("t", i)
			g.tx(t, name, ins, outs...)
			for k, o := range outs {
				unspent = append(unspent, coin{fmt.Sprintf("%s:%d", name, k), o.value})
			}
		}
		last := fmt.Sprint("t", 29)
		if _, ok := g.names[last]; !ok {
			continue
		}
		for _, m := range models {
			for _, tc := range []struct {
				d     Direction
				start string
			}{{Forward, "cb0"}, {Backward, last}} {
				cfg := config(m, tc.d)
				cfg.MaxHops = rng.IntN(5)
				r, err := TraceUTXO(context.Background(), g, nil, cfg, []Start{{Tx: g.id(tc.start), Vout: -1}})
				if err != nil {
					t.Fatalf("seed %d %s %s: %v", seed, m, tc.d, err)
				}
				var seeded, reached int64
				for _, n := range r.Nodes {
					if n.Hop == 0 && n.Kind == "output" {
						v, _ := new(big.Int).SetString(n.Tainted, 10)
						seeded += v.Int64()
					}
				}
				for _, e := range r.Edges {
					a, _ := new(big.Int).SetString(e.Amount, 10)
					x, _ := new(big.Int).SetString(e.Tainted, 10)
					if x.Cmp(a) > 0 {
						t.Fatalf("seed %d %s %s: edge %+v", seed, m, tc.d, e)
					}
				}
				for _, x := range r.Reached {
					v, _ := new(big.Int).SetString(x.Tainted, 10)
					reached += v.Int64()
				}
				if m != Poison && reached > seeded {
					t.Fatalf("seed %d %s %s: reached %d of %d seeded", seed, m, tc.d, reached, seeded)
				}
			}
		}
	}
}
