package main

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
)

// writePack writes a TagPack tagging addresses with the given header lines.
func writePack(t *testing.T, header string, addrs []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("tags:\n")
	for _, a := range addrs {
		fmt.Fprintf(&b, "- address: %s\n", a)
	}
	path := filepath.Join(t.TempDir(), "pack.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// theftAddresses are the addresses the theft transaction paid: the thief's.
func theftAddresses(t *testing.T, blocks []*wire.MsgBlock, txid string) []string {
	t.Helper()
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			if tx.TxHash().String() != txid {
				continue
			}
			var out []string
			for _, o := range tx.TxOut {
				_, as, _ := bitcoin.Classify(o.PkScript, &chaincfg.RegressionNetParams)
				if len(as) > 0 {
					out = append(out, as[0])
				}
			}
			return out
		}
	}
	t.Fatalf("theft tx %s not in the blocks", txid)
	return nil
}

// TestSavedTracesAndFreezePacketsOnTheHeist: the generated heist ingested
// into Pebble, the exchange's deposit addresses tagged by a TagPack and the
// thief's addresses by another (Lazarus Group, service_hack). A trace saved
// from the theft under each model yields one freeze packet for the exchange
// holding every deposit address with the taint the ground truth gives it,
// each with an evidence path back to the theft; a re-run at the same tip
// changes nothing; the deposit addresses' exposure names the hack.
func TestSavedTracesAndFreezePacketsOnTheHeist(t *testing.T) {
	c, blocks, h, _ := heistChain(t)
	want := expectedDeposits(t, blocks, h)
	c.ok("tags", "import", writePack(t, "title: Heist exchange\ncreator: interdict tests\ndescription: deposits\nis_public: true\n"+
		"confidence: service_data\ncategory: exchange\ncurrency: BTC\nnetwork: BTC\nlabel: Test Exchange deposit\nactor: testexchange\n"+
		"lastmod: 2026-01-01\nsource: https://example.org/heist-ground-truth\n", h.DepositAddresses))
	thief := theftAddresses(t, blocks, h.TxID)
	c.ok("tags", "import", writePack(t, "title: Heist thief\ncreator: interdict tests\ndescription: theft outputs\nis_public: true\n"+
		"confidence: authority_data\ncategory: perpetrator\nabuse: service_hack\ncurrency: BTC\nnetwork: BTC\nlabel: heist thief\nactor: lazarusgroup\n"+
		"lastmod: 2026-01-01\nsource: https://example.org/heist-thief\n", thief))

	for _, m := range []trace.Model{trace.Poison, trace.Haircut, trace.FIFO} {
		t.Run(string(m)+": one packet for the exchange with every deposit address and its taint", func(t *testing.T) {
			var saved freeze.SavedTrace
			c.json(&saved, "traces", "save", "--chain", "btc", "--tx", h.TxID, "--model", string(m), "--max-hops", "20",
				"--network", "regtest", "--member", "acme")
			if saved.ID == "" || saved.Owner != "acme" || len(saved.Runs) != 1 || saved.Runs[0].Tip != int64(len(blocks)-1) {
				t.Fatalf("saved %+v", saved.Runs)
			}
			var ps []freeze.Packet
			c.json(&ps, "traces", "show", saved.ID, "--freeze", "--network", "regtest")
			if len(ps) != 1 || ps[0].Service != "testexchange" || ps[0].TraceID != saved.ID {
				t.Fatalf("packets %+v", ps)
			}
			wantAddr := map[string]*big.Int{}
			for _, d := range h.Deposits {
				if wantAddr[d.Address] == nil {
					wantAddr[d.Address] = new(big.Int)
				}
				v, _ := new(big.Int).SetString(want[m][d.Outpoint], 10)
				wantAddr[d.Address].Add(wantAddr[d.Address], v)
			}
			got := map[string]freeze.Deposit{}
			for _, d := range ps[0].Deposits {
				got[d.Address] = d
			}
			for a, w := range wantAddr {
				d, ok := got[a]
				if !ok {
					t.Errorf("deposit address %s missing from the packet", a)
					continue
				}
				v, _ := new(big.Int).SetString(d.Tainted, 10)
				// As the trace's own end-to-end test: never less than the
				// heist's deposits (floored per deposit), more only when a
				// peel's payee deposited there too.
				if diff := new(big.Int).Sub(w, v); diff.Cmp(big.NewInt(int64(len(h.Deposits)))) > 0 {
					t.Errorf("deposit %s tainted %s, want %s", a, v, w)
				}
				// The evidence starts at an output of the theft and ends at
				// the deposit.
				if len(d.Paths) == 0 || len(d.Paths[0].Hops) < 3 || !strings.HasPrefix(d.Paths[0].Hops[0].From, h.TxID+":") ||
					d.Paths[0].Hops[len(d.Paths[0].Hops)-1].To != d.Paths[0].Node {
					t.Errorf("deposit %s: %d evidence paths, the first from %q", a, len(d.Paths), firstFrom(d.Paths))
				}
				if at := d.Attribution; len(at) == 0 || at[0].File == "" || at[0].Line == 0 || at[0].Confidence != "service_data" {
					t.Errorf("deposit %s: attribution %+v", a, at)
				}
			}
			if len(got) != len(wantAddr) {
				t.Errorf("%d deposit addresses in the packet, want %d", len(got), len(wantAddr))
			}
			md := c.ok("traces", "show", saved.ID, "--freeze", "--format", "md")
			if !strings.Contains(md, "# Freeze request: testexchange") || !strings.Contains(md, h.TxID) {
				t.Errorf("markdown:\n%s", md)
			}
			var run freeze.Run
			c.json(&run, "traces", "rerun", saved.ID, "--network", "regtest")
			if run.Seq != 2 || run.Changes == nil || run.Changes.Changed() {
				t.Errorf("re-run at the same tip: %+v", run.Changes)
			}
		})
	}
	t.Run("traces list shows the saved traces newest first", func(t *testing.T) {
		var xs []freeze.Summary
		c.json(&xs, "traces", "list", "--member", "acme")
		if len(xs) != 3 || xs[0].Request.Model != "fifo" || xs[0].Runs != 2 {
			t.Fatalf("list %+v", xs)
		}
	})
	t.Run("an unknown id exits 4, a bad model 2", func(t *testing.T) {
		if _, _, code := c.run("traces", "show", "tr_nope"); code != 4 {
			t.Errorf("show unknown: exit %d", code)
		}
		if _, _, code := c.run("traces", "save", "--chain", "btc", "--tx", h.TxID, "--model", "lifo"); code != 2 {
			t.Errorf("bad model: exit %d", code)
		}
	})
	t.Run("a deposit address's receiving exposure names the hack and Lazarus Group", func(t *testing.T) {
		var rep exposure.Report
		c.json(&rep, "exposure", h.DepositAddresses[0], "--chain", "btc", "--direction", "receiving", "--max-hops", "20", "--network", "regtest")
		var hack *exposure.Finding
		for i, f := range rep.Indirect {
			if f.Category == "service_hack" && f.Actor == "lazarusgroup" {
				hack = &rep.Indirect[i]
			}
		}
		// The deposit is 11 hops from the theft (split, peels, CoinJoin):
		// beyond every indirect rule's reach (6 hops at most), so the
		// table says Low, with the hack named among the findings.
		if hack == nil || hack.Amount == "0" || hack.Hops != 11 || rep.Severity != exposure.Low || len(rep.Direct) == 0 || rep.Direct[0].Category != "exchange" {
			t.Fatalf("report %+v", rep)
		}
		t.Logf("exposure of %s: %s, %q; hack finding %+v", h.DepositAddresses[0], rep.Severity, rep.Reasons, *hack)
		// An address the split paid is one or two hops from the theft:
		// DPRK (Lazarus Group) funds make all it received.
		split := theftAddresses(t, blocks, h.Laundering[0])[0]
		var near exposure.Report
		c.json(&near, "exposure", split, "--chain", "btc", "--direction", "receiving", "--network", "regtest")
		if near.Severity < exposure.High {
			t.Fatalf("the split's output %s: %s %q %+v", split, near.Severity, near.Reasons, near.Indirect)
		}
		t.Logf("exposure of the split's output %s: %s, %q", split, near.Severity, near.Reasons)
		var thiefRep exposure.Report
		c.json(&thiefRep, "exposure", thief[0], "--chain", "btc", "--network", "regtest")
		if thiefRep.Severity != exposure.Severe {
			t.Fatalf("the thief's own address: %s %q", thiefRep.Severity, thiefRep.Reasons)
		}
	})
}

func firstFrom(ps []freeze.Path) string {
	if len(ps) == 0 || len(ps[0].Hops) == 0 {
		return ""
	}
	return ps[0].Hops[0].From
}
