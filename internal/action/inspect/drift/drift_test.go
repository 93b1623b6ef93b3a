package drift

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/inspect"
)

var readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func habits(r inspect.Reading) []string {
	var out []string
	for _, res := range r.Detail.([]SignerResult) {
		for _, d := range res.Drifts {
			out = append(out, d.Habit)
		}
	}
	slices.Sort(out)
	return out
}

func TestEthereumSignerDrift(t *testing.T) {
	steady := common.HexToAddress("0x00000000000000000000000000000000000a0001")
	changed := common.HexToAddress("0x00000000000000000000000000000000000a0002")
	var txs []ethTx
	for i := range 8 { // baseline: heights 1..8, EIP-1559 with a 2 gwei tip
		txs = append(txs, ethTx{height: int64(1 + i), from: steady, nonce: uint64(i), tip: 2e9, gas: 21_000},
			ethTx{height: int64(1 + i), from: changed, nonce: uint64(i), tip: 2e9, gas: 21_000})
	}
	// recent window (heights 9..12 with RecentBlocks 4)
	txs = append(txs, ethTx{height: 10, from: steady, nonce: 8, tip: 3e9, gas: 21_000},
		ethTx{height: 10, from: changed, nonce: 10, legacy: true, tip: 90e9, gas: 300_000})
	idx := ethChain(t, 12, txs)
	cfg := Config{RecentBlocks: 4, MinBaseline: 5, Ratio: 4}

	t.Run("a signer keeping its habits is stable", func(t *testing.T) {
		r, err := Collect(t.Context(), []Signer{{"eth", steady.Hex()}}, nil, nil, idx, cfg, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Facts.Signing.FingerprintStable == nil || !*r.Facts.Signing.FingerprintStable || len(r.Findings) != 0 {
			t.Fatalf("reading %+v", r)
		}
		res := r.Detail.([]SignerResult)[0]
		if res.Baseline != 8 || res.Recent != 1 || !strings.Contains(r.Read[0], "tip 12") {
			t.Fatalf("result %+v, read %v", res, r.Read)
		}
	})
	t.Run("a legacy transaction with another gas habit and a nonce gap drifts", func(t *testing.T) {
		r, err := Collect(t.Context(), []Signer{{"eth", steady.Hex()}, {"eth", changed.Hex()}}, nil, nil, idx, cfg, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if *r.Facts.Signing.FingerprintStable {
			t.Fatal("drift not flagged")
		}
		want := []string{"fee_style", "gas_limit", "gas_price_wei", "nonce", "tx_type"}
		if got := habits(r); !slices.Equal(got, want) {
			t.Fatalf("drifted habits %v, want %v", got, want)
		}
		if !strings.Contains(strings.Join(r.Findings, "\n"), "tx_type legacy, baseline dynamic_fee") {
			t.Errorf("findings %v", r.Findings)
		}
	})
	t.Run("too little history leaves the fact undecided", func(t *testing.T) {
		r, err := Collect(t.Context(), []Signer{{"eth", steady.Hex()}}, nil, nil, idx, Config{RecentBlocks: 4, MinBaseline: 20, Ratio: 4}, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Facts.Signing.FingerprintStable != nil || len(r.Findings) != 1 {
			t.Fatalf("reading %+v", r)
		}
	})
}

func TestBitcoinSignerDrift(t *testing.T) {
	var spends []btcSpend
	for h := int64(2); h <= 9; h++ { // baseline: v2, RBF, anti-fee-sniping locktime, ~7 sat/vB
		spends = append(spends, btcSpend{height: h, version: 2, rbf: true, locktime: uint32(h - 1), fee: 1000})
	}
	spends = append(spends, btcSpend{height: 12, version: 1, locktime: 0, fee: 40_000, p2pkhOut: true})
	idx, signer := btcChain(t, 12, spends)
	r, err := Collect(t.Context(), []Signer{{"btc", signer}}, idx, params, nil, Config{RecentBlocks: 4, MinBaseline: 5, Ratio: 4}, readAt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Facts.Signing.FingerprintStable == nil || *r.Facts.Signing.FingerprintStable {
		t.Fatalf("reading %+v", r)
	}
	want := []string{"fee_rate_msat_vb", "locktime", "output_types", "rbf", "version"}
	if got := habits(r); !slices.Equal(got, want) {
		t.Fatalf("drifted habits %v, want %v (findings %v)", got, want, r.Findings)
	}
	res := r.Detail.([]SignerResult)[0]
	if res.Baseline != 7 || res.Recent != 2 { // height 9 is in the window and keeps the habits
		t.Fatalf("result %+v", res)
	}
	var cfg inspect.Config
	if err := r.Apply(&cfg); err != nil {
		t.Fatal(err)
	}
	c, err := inspect.Load()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c.Evaluate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.FailedChecks(); !slices.Equal(got, []string{"signer-drift"}) {
		t.Fatalf("failed %v", got)
	}
}
