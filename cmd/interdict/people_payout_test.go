package main

import (
	"path/filepath"
	"slices"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
)

// TestPeoplePayoutWalletExposed: the generated heist ingested into Pebble
// through the CLI, the thief's addresses tagged as Lazarus Group (DPRK). A
// contractor paid out to an address the third laundering transaction paid is flagged
// PPL-WALLET-EXPOSED by people screen --wallets, with the path from the
// thief's address through the laundering transactions to the wallet; one paid out to
// an address outside the laundering is not; without --wallets nothing is traced.
func TestPeoplePayoutWalletExposed(t *testing.T) {
	c, blocks, h, dir := heistChain(t)
	thief := theftAddresses(t, blocks, h.TxID)
	c.ok("tags", "import", writePack(t, "title: Heist thief\ncreator: interdict tests\ndescription: theft outputs\nis_public: true\n"+
		"confidence: authority_data\ncategory: perpetrator\nabuse: service_hack\ncurrency: BTC\nnetwork: BTC\nlabel: heist thief\nactor: lazarusgroup\n"+
		"lastmod: 2026-01-01\nsource: https://example.org/heist-thief\n", thief))
	// Paid by the third laundering transaction: a few hops from the theft.
	wallet := theftAddresses(t, blocks, h.Laundering[2])[0]
	// A coinbase payee of the first block: funded by no one.
	clean := theftAddresses(t, blocks, blocks[1].Transactions[0].TxHash().String())[0]
	c.ok("people", "add", "dprk", "--kind", "contractor", "--ident", "legal_name=Kalo Vintar", "--ident", "wallet="+wallet+"|btc")
	c.ok("people", "add", "fine", "--kind", "contractor", "--ident", "legal_name=Mel Drosul", "--ident", "wallet="+clean)

	index := "pebble://" + filepath.Join(dir, "chain")
	var out []vet.Assessment
	c.json(&out, "people", "screen", "dprk", "fine", "--wallets", "--index", index, "--network", "regtest")
	if len(out) != 2 {
		t.Fatalf("%d assessments", len(out))
	}
	got := map[string]vet.Assessment{out[0].PersonID: out[0], out[1].PersonID: out[1]}
	d := got["dprk"]
	i := slices.IndexFunc(d.Signals, func(s vet.Signal) bool { return s.Rule == "PPL-WALLET-EXPOSED" })
	if !d.Flagged || i < 0 {
		t.Fatalf("the exposed wallet's person: %+v", d)
	}
	sig := d.Signals[i]
	ev := sig.Evidence[0].Wallet
	if sig.Severity != vet.High || ev == nil || ev.Finding.Actor != "lazarusgroup" || !slices.Contains(thief, ev.Source) ||
		len(ev.Path) < 2 || ev.Path[len(ev.Path)-1] != h.Laundering[2] || ev.Addresses[0] != ev.Source || ev.Addresses[len(ev.Addresses)-1] != wallet {
		t.Fatalf("signal %+v, evidence %+v", sig, ev)
	}
	for _, tx := range ev.Path {
		if !slices.Contains(h.Laundering, tx) {
			t.Errorf("path tx %s is not one of the laundering transactions", tx)
		}
	}
	t.Logf("%s: %s; path %v via %v", sig.Rule, sig.Summary, ev.Path, ev.Addresses)
	if f := got["fine"]; f.Flagged || slices.ContainsFunc(f.Signals, func(s vet.Signal) bool { return s.Rule == "PPL-WALLET-EXPOSED" }) {
		t.Errorf("the clean wallet's person: %+v", f)
	}
	c.json(&out, "people", "screen", "dprk")
	if slices.ContainsFunc(out[0].Signals, func(s vet.Signal) bool { return s.Rule == "PPL-WALLET-EXPOSED" }) {
		t.Error("a wallet was traced without --wallets")
	}
}
