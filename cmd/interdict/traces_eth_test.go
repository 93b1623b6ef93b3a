package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
)

// TestSavedTraceETH: on a generated Ethereum chain in Pebble, two addresses
// a forward trace reaches are tagged as an exchange's; the saved trace's
// freeze packet holds them with the taint the trace gives them, each with an
// evidence path of transfers from the start, and the start's sending
// exposure names the exchange.
func TestSavedTraceETH(t *testing.T) {
	dir := t.TempDir()
	ethIndex(t, filepath.Join(dir, "chain-eth"), 60)
	c := cli{t: t, args: []string{"--data-dir", dir, "--log-level", "warn"}}
	start := ethereum.NormalizeAddress(ethtest.Addr(3))
	var plain trace.Result
	c.json(&plain, "trace", "--chain", "eth", "--address", start, "--model", "fifo", "--max-hops", "3")
	var picked []string
	for _, r := range plain.Reached {
		if r.Asset == "eth" && r.Address != start && len(picked) < 2 && !slices.Contains(picked, r.Address) {
			picked = append(picked, r.Address)
		}
	}
	if len(picked) < 2 {
		t.Fatalf("the plain trace reached %d eth addresses", len(picked))
	}
	c.ok("tags", "import", writePack(t, "title: ETH exchange\ncreator: interdict tests\ndescription: deposits\nis_public: true\n"+
		"confidence: service_data\ncategory: exchange\ncurrency: ETH\nnetwork: ETH\nlabel: ETH Exchange deposit\nactor: ethexchange\n"+
		"lastmod: 2026-01-01\nsource: https://example.org/eth\n", picked))

	var saved freeze.SavedTrace
	c.json(&saved, "traces", "save", "--chain", "eth", "--address", start, "--model", "fifo", "--max-hops", "3")
	var ps []freeze.Packet
	c.json(&ps, "traces", "show", saved.ID, "--freeze")
	if len(ps) != 1 || ps[0].Service != "ethexchange" || ps[0].Chain != "eth" {
		t.Fatalf("packets %+v", ps)
	}
	reached := map[string]trace.Reached{}
	for _, r := range saved.Runs[0].Result.Reached {
		if r.Asset == "eth" {
			reached[r.Address] = r
		}
	}
	for _, d := range ps[0].Deposits {
		if d.Asset != "eth" {
			continue
		}
		r, ok := reached[d.Address]
		if !ok || r.Tainted != d.Tainted || r.Stop != "tagged:exchange" {
			t.Errorf("deposit %s tainted %s; the trace reached it with %+v", d.Address, d.Tainted, r)
		}
		if len(d.Paths) == 0 || len(d.Paths[0].Hops) == 0 || !strings.HasPrefix(d.Paths[0].Hops[0].From, start) || d.Paths[0].Hops[0].Tx == "" {
			t.Errorf("deposit %s: evidence %+v", d.Address, d.Paths)
		}
	}
	var rep exposure.Report
	c.json(&rep, "exposure", start, "--chain", "eth", "--direction", "sending", "--model", "fifo", "--max-hops", "3")
	if !slices.ContainsFunc(rep.Indirect, func(f exposure.Finding) bool { return f.Category == "exchange" && f.Actor == "ethexchange" }) {
		t.Fatalf("exposure %+v", rep)
	}
}
