package trace

import (
	"context"
	"maps"
	"testing"
)

const usdt = "eth:0xdac17f958d2ee523a2206206994597c13d831ec7"

func traceAccount(t *testing.T, g *accountGraph, cfg Config, starts ...Start) map[string]string {
	t.Helper()
	r, err := TraceAccount(context.Background(), g, nil, cfg, starts)
	if err != nil {
		t.Fatal(err)
	}
	return named(reachedMap(r))
}

// named maps hashed addresses back to the test's names.
func named(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		for _, n := range []string{"T", "M", "A", "B", "C", "S", "S1", "S2", "X", "Y", "Z", "P", "Q", "H", "V"} {
			if a := addr(n); len(k) >= len(a) && k[:len(a)] == a {
				k = n + k[len(a):]
				break
			}
		}
		out[k] = v
	}
	return out
}

// TestFIFOOrderingAtOneAddress: M receives and spends in this order (ETH):
//
//	h1 S1 → M 5 clean     line [0,5)
//	h2 T  → M 3 tainted   line [5,8)
//	h3 M  → A 6
//	h4 S2 → M 4 clean     line [8,12)
//	h5 T  → M 2 tainted   line [12,14)
//	h6 M  → B 5
//	h7 M  → C 2
//
// Tracing forward from T:
//
//   - FIFO: A takes [0,6): 1 tainted; B [6,11): 2; C [11,13): 1; M still
//     holds [13,14): 1.
//   - haircut: A 6·3/8 = 2.25 (M keeps 0.75 of 2); then M holds 8 with 2.75
//     tainted: B 5·2.75/8 = 1.71875; C 2·1.03125/3 = 0.6875; M holds
//     0.34375.
//   - poison: A 6, B 5, C 2 whole; M's last ether is tainted too: 1.
func TestFIFOOrderingAtOneAddress(t *testing.T) {
	g := &accountGraph{}
	e := "eth"
	g.send("r1", move{"S1", "M", e, eth(5)})
	g.send("r2", move{"T", "M", e, eth(3)})
	g.send("s1", move{"M", "A", e, eth(6)})
	g.send("r3", move{"S2", "M", e, eth(4)})
	g.send("r4", move{"T", "M", e, eth(2)})
	g.send("s2", move{"M", "B", e, eth(5)})
	g.send("s3", move{"M", "C", e, eth(2)})
	want := map[Model]map[string]string{
		FIFO:    {"A@eth": eth(1).String(), "B@eth": eth(2).String(), "C@eth": eth(1).String(), "M@eth": eth(1).String()},
		Haircut: {"A@eth": eth(2.25).String(), "B@eth": eth(1.71875).String(), "C@eth": eth(0.6875).String(), "M@eth": eth(0.34375).String()},
		Poison:  {"A@eth": eth(6).String(), "B@eth": eth(5).String(), "C@eth": eth(2).String(), "M@eth": eth(1).String()},
	}
	for _, m := range models {
		t.Run(string(m)+" orders receipts and spends", func(t *testing.T) {
			got := traceAccount(t, g, config(m, Forward), Start{Address: addr("T")})
			if !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// ethAndTokenGraph: M holds 5 clean ETH, then the thief sends it 10 ETH and
// 1 000 USDT; M pays 0.01 ETH gas on each of its three sends.
//
//	h1 S → M 5 ETH
//	h2 T → M 10 ETH
//	h3 T → M 1 000 USDT
//	h4 M: fee 0.01 ETH, → X 8 ETH
//	h5 M: fee 0.01 ETH, → Y 600 USDT
//	h6 M: fee 0.01 ETH, → Z 4 ETH
func ethAndTokenGraph() *accountGraph {
	g := &accountGraph{}
	e := "eth"
	g.send("h1", move{"S", "M", e, eth(5)})
	g.send("h2", move{"T", "M", e, eth(10)})
	g.send("h3", move{"T", "M", usdt, eth(1000e-12)})
	g.send("h4", move{"M", "fee", e, eth(0.01)}, move{"M", "X", e, eth(8)})
	g.send("h5", move{"M", "fee", e, eth(0.01)}, move{"M", "Y", usdt, eth(600e-12)})
	g.send("h6", move{"M", "fee", e, eth(0.01)}, move{"M", "Z", e, eth(4)})
	return g
}

// TestETHAndERC20ThroughOneAddress: each asset is its own pool at M; the
// gas fees consume ether (and its taint) but lead nowhere.
//
// ETH:
//   - FIFO: the line is S [0,5) then T [5,15). fee [0,0.01), X
//     [0.01,8.01): 3.01 tainted; two fees [8.01,8.03); Z [8.03,12.03): 4.
//     M holds [12.03,15): 2.97.
//   - haircut: the share stays 10/15 = 2/3: X 16/3, Z 8/3, the fees 0.02,
//     M holds 2/3 of 2.97 = 1.98.
//   - poison: X 8 and Z 4 whole; M holds 2.97.
//
// USDT (1 000 tainted, nothing clean): Y 600 and M holds 400 in every model.
func TestETHAndERC20ThroughOneAddress(t *testing.T) {
	g := ethAndTokenGraph()
	tok := map[string]string{"Y@" + usdt: "600000000", "M@" + usdt: "400000000"}
	want := map[Model]map[string]string{
		FIFO:    {"X@eth": eth(3.01).String(), "Z@eth": eth(4).String(), "M@eth": eth(2.97).String()},
		Haircut: {"X@eth": "5333333333333333333 16000000000000000000/3", "Z@eth": "2666666666666666666 8000000000000000000/3", "M@eth": eth(1.98).String()},
		Poison:  {"X@eth": eth(8).String(), "Z@eth": eth(4).String(), "M@eth": eth(2.97).String()},
	}
	for _, m := range models {
		t.Run(string(m)+" keeps ether and tokens apart", func(t *testing.T) {
			maps.Copy(want[m], tok)
			got := traceAccount(t, g, config(m, Forward), Start{Address: addr("T")})
			if !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// TestAccountBackward traces X's 8 ETH (tx h4) back through M. The reversed
// ledger of M: what it holds at the end (2.97, clean), Z 4, the fees, X 8
// (traced), the first fee, then its receipts newest first: T's 10, S's 5.
//
//   - FIFO: T's 10 covers the reversed line [0,10): 6.99 clean then 3.01 of
//     X; S's 5 covers the rest of X: 4.99 (forward FIFO exactly).
//   - haircut: X is 8 of the 15 M received: T funded 10·8/15 = 16/3, S 8/3.
//   - poison: both funded it whole: T 10, S 5.
func TestAccountBackward(t *testing.T) {
	g := ethAndTokenGraph()
	h4 := g.transfers[3].TxHash.Hex()
	want := map[Model]map[string]string{
		FIFO:    {"T@eth": eth(3.01).String(), "S@eth": eth(4.99).String()},
		Haircut: {"T@eth": "5333333333333333333 16000000000000000000/3", "S@eth": "2666666666666666666 8000000000000000000/3"},
		Poison:  {"T@eth": eth(10).String(), "S@eth": eth(5).String()},
	}
	for _, m := range models {
		t.Run(string(m)+" attributes the payment to M's receipts", func(t *testing.T) {
			got := traceAccount(t, g, config(m, Backward), Start{Tx: h4, Vout: -1})
			if !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// TestTwoPathsMergeInChainOrder: taint reaches M by Q (h3) before P (h5),
// though P was tainted first, with a clean receipt between:
//
//	h1 T → P 4, h2 T → Q 6, h3 Q → M 6, h4 S → M 10, h5 P → M 4, h6 M → Z 15
//
// FIFO: Z takes M's [0,15): Q's 6 tainted; haircut: 15·10/20 = 7.5;
// poison: 15. M is left with 5: FIFO [15,20) holds P's 4; haircut 2.5;
// poison 5.
func TestTwoPathsMergeInChainOrder(t *testing.T) {
	g := &accountGraph{}
	e := "eth"
	g.send("h1", move{"T", "P", e, eth(4)})
	g.send("h2", move{"T", "Q", e, eth(6)})
	g.send("h3", move{"Q", "M", e, eth(6)})
	g.send("h4", move{"S", "M", e, eth(10)})
	g.send("h5", move{"P", "M", e, eth(4)})
	g.send("h6", move{"M", "Z", e, eth(15)})
	want := map[Model]map[string]string{
		FIFO:    {"Z@eth": eth(6).String(), "M@eth": eth(4).String()},
		Haircut: {"Z@eth": eth(7.5).String(), "M@eth": eth(2.5).String()},
		Poison:  {"Z@eth": eth(15).String(), "M@eth": eth(5).String()},
	}
	for _, m := range models {
		t.Run(string(m), func(t *testing.T) {
			got := traceAccount(t, g, config(m, Forward), Start{Address: addr("T")})
			if !maps.Equal(got, want[m]) {
				t.Errorf("reached %v, want %v", got, want[m])
			}
		})
	}
}

// TestSupernodePaging: a hot wallet H with 40 clean deposits (ten per
// transaction, so one height holds more than a page), then the thief's 10,
// then a withdrawal of 25 to X. Read a page of 3 at a time the trace gives
// what reading it whole gives; capped at 20 entries it stops there, marks H
// capped and the result truncated.
func TestSupernodePaging(t *testing.T) {
	g := &accountGraph{}
	e := "eth"
	for i := range 4 {
		var ms []move
		for range 10 {
			ms = append(ms, move{"S", "H", e, eth(1)})
		}
		g.send("deposits"+string(rune('a'+i)), ms...)
	}
	g.send("theft", move{"T", "H", e, eth(10)})
	g.send("out", move{"H", "X", e, eth(25)})
	// FIFO: X takes [0,25) of a line whose taint is [40,50): nothing, and
	// H holds all 10; haircut: 25·10/50 = 5.
	for _, tc := range []struct {
		name      string
		page, max int
		model     Model
		want      map[string]string
		truncated bool
	}{
		{"whole, fifo", 1000, 1000, FIFO, map[string]string{"H@eth": eth(10).String()}, false},
		{"paged, fifo", 3, 1000, FIFO, map[string]string{"H@eth": eth(10).String()}, false},
		{"whole, haircut", 1000, 1000, Haircut, map[string]string{"X@eth": eth(5).String(), "H@eth": eth(5).String()}, false},
		{"paged, haircut", 3, 1000, Haircut, map[string]string{"X@eth": eth(5).String(), "H@eth": eth(5).String()}, false},
		{"capped", 3, 20, Haircut, map[string]string{"H@eth": eth(10).String()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(tc.model, Forward)
			cfg.Page, cfg.MaxHistory = tc.page, tc.max
			r, err := TraceAccount(context.Background(), g, nil, cfg, []Start{{Address: addr("T")}})
			if err != nil {
				t.Fatal(err)
			}
			if got := named(reachedMap(r)); !maps.Equal(got, tc.want) {
				t.Errorf("reached %v, want %v", got, tc.want)
			}
			if r.Truncated != tc.truncated {
				t.Errorf("truncated %v (%v), want %v", r.Truncated, r.TruncatedBy, tc.truncated)
			}
		})
	}
}

// TestAccountStopsAtTaggedExchange: X tagged as an exchange deposit is
// reached with all it received and not followed.
func TestAccountStopsAtTaggedExchange(t *testing.T) {
	g := ethAndTokenGraph()
	g.send("h7", move{"X", "V", "eth", eth(8)})
	tags := tagSet{addr("X"): {{Category: "exchange", Label: "Example Exchange deposit", Confidence: 90}}}
	r, err := TraceAccount(context.Background(), g, tags, config(Poison, Forward), []Start{{Address: addr("T")}})
	if err != nil {
		t.Fatal(err)
	}
	var stop string
	for _, x := range r.Reached {
		if x.Address == addr("V") {
			t.Error("followed past the exchange")
		}
		if x.Address == addr("X") {
			stop = x.Stop
		}
	}
	if stop != "tagged:exchange" {
		t.Errorf("X stop %q, want tagged:exchange", stop)
	}
}

// TestTransferToOneself: M sends 2 of its 5 tainted ether to itself, then 5
// to A. The self-transfer leaves and comes back tainted (FIFO: [0,2) goes to
// the tail as [5,7)), so A gets 5 tainted in every model and M holds none.
func TestTransferToOneself(t *testing.T) {
	g := &accountGraph{}
	e := "eth"
	g.send("in", move{"T", "M", e, eth(5)})
	g.send("self", move{"M", "M", e, eth(2)})
	g.send("out", move{"M", "A", e, eth(5)})
	for _, m := range models {
		t.Run(string(m), func(t *testing.T) {
			got := traceAccount(t, g, config(m, Forward), Start{Address: addr("T")})
			if want := map[string]string{"A@eth": eth(5).String()}; !maps.Equal(got, want) {
				t.Errorf("reached %v, want %v", got, want)
			}
		})
	}
}

// TestAccountTimeWindow: with the window ending before M's second send, M
// stops there holding what it has not sent, marked time-window.
func TestAccountTimeWindow(t *testing.T) {
	g := &accountGraph{}
	e := "eth"
	g.send("in", move{"T", "M", e, eth(5)})
	g.send("s1", move{"M", "A", e, eth(2)})
	g.send("s2", move{"M", "B", e, eth(3)})
	cfg := config(FIFO, Forward)
	cfg.To = timeOf(g.times[2])
	r, err := TraceAccount(context.Background(), g, nil, cfg, []Start{{Address: addr("T")}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range r.Reached {
		got[x.Address] = x.Stop + " " + x.Tainted
	}
	want := map[string]string{addr("A"): "unspent " + eth(2).String(), addr("M"): "time-window " + eth(3).String()}
	if !maps.Equal(got, want) {
		t.Errorf("reached %v, want %v", got, want)
	}
}

// TestStartGivenTwice: the same tx (or one of its transfers) given twice
// taints its transfers once.
func TestStartGivenTwice(t *testing.T) {
	g := ethAndTokenGraph()
	h2 := g.transfers[1].TxHash.Hex()
	once := traceAccount(t, g, config(Haircut, Forward), Start{Tx: h2, Vout: -1})
	twice := traceAccount(t, g, config(Haircut, Forward), Start{Tx: h2, Vout: -1}, Start{Tx: h2, Vout: 0})
	if !maps.Equal(once, twice) {
		t.Errorf("once %v, twice %v", once, twice)
	}
}
