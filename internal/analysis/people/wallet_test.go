package people

import (
	"slices"
	"testing"

	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/people"
)

func TestWalletsOf(t *testing.T) {
	p := people.Person{ID: "p", Identifiers: []people.Identifier{
		{Type: people.Wallet, Value: "0xABCDEF0000000000000000000000000000000001"},
		{Type: people.Wallet, Value: "bc1qexample", Extra: "BTC"},
		{Type: people.Wallet, Value: "1Example"},
		{Type: people.Wallet, Value: "TExample", Extra: "trx"},
		{Type: people.Email, Value: "a@example.com"},
	}}
	want := []WalletRef{{"eth", "0xABCDEF0000000000000000000000000000000001"}, {"btc", "bc1qexample"}, {"btc", "1Example"}, {"trx", "TExample"}}
	if got := WalletsOf(&p); !slices.Equal(got, want) {
		t.Errorf("WalletsOf = %v, want %v", got, want)
	}
}

// TestPathTo: on a backward trace from a wallet (hop 0) through two
// transactions to a tagged address, the path runs from the tagged address to
// the wallet in chain order; a finding no node carries gives no path.
func TestPathTo(t *testing.T) {
	lazarus := trace.Tag{Category: "perpetrator", Actor: "lazarusgroup", Confidence: 90}
	res := &trace.Result{
		Nodes: []trace.Node{
			{ID: "w", Kind: "address", Address: "wallet", Hop: 0},
			{ID: "tx2", Kind: "tx", Hop: 1},
			{ID: "m", Kind: "address", Address: "middle", Hop: 1},
			{ID: "tx1", Kind: "tx", Hop: 2},
			{ID: "s", Kind: "address", Address: "thief", Hop: 2, Tags: []trace.Tag{lazarus}},
			{ID: "x", Kind: "address", Address: "other", Hop: 1},
		},
		Edges: []trace.Edge{
			{From: "w", To: "tx2", Tx: "T2"}, {From: "tx2", To: "m", Tx: "T2"},
			{From: "m", To: "tx1", Tx: "T1"}, {From: "tx1", To: "s", Tx: "T1"},
			{From: "w", To: "x", Tx: "T3"},
		},
	}
	src, txs, addrs := pathTo(res, exposure.Finding{Category: "perpetrator", Actor: "lazarusgroup"}, 50)
	if src != "thief" || !slices.Equal(txs, []string{"T1", "T2"}) || !slices.Equal(addrs, []string{"thief", "middle", "wallet"}) {
		t.Errorf("path = %s %v %v", src, txs, addrs)
	}
	if src, txs, _ := pathTo(res, exposure.Finding{Category: "mixing_service"}, 50); src != "" || txs != nil {
		t.Errorf("an unmatched finding gave %s %v", src, txs)
	}
	if src, _, _ := pathTo(res, exposure.Finding{Category: "perpetrator", Actor: "lazarusgroup"}, 95); src != "" {
		t.Errorf("a tag under the confidence floor gave %s", src)
	}
}
