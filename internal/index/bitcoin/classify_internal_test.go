package bitcoin

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/interdict/interdict/internal/chain"
)

// TestEncodeAddressMatchesBtcutil holds the fast segwit encoding equal to
// btcutil's EncodeAddress followed by NormalizeAddress, on every network and
// witness address type, over random programs.
func TestEncodeAddressMatchesBtcutil(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	program := func(n int) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.IntN(256))
		}
		return p
	}
	nets := []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.SigNetParams, &chaincfg.RegressionNetParams}
	for _, tc := range []struct {
		name string
		make func(p *chaincfg.Params) (btcutil.Address, error)
	}{
		{"a P2WPKH address is encoded as btcutil does", func(p *chaincfg.Params) (btcutil.Address, error) {
			return btcutil.NewAddressWitnessPubKeyHash(program(20), p)
		}},
		{"a P2WSH address is encoded as btcutil does", func(p *chaincfg.Params) (btcutil.Address, error) {
			return btcutil.NewAddressWitnessScriptHash(program(32), p)
		}},
		{"a P2TR address is encoded as btcutil does", func(p *chaincfg.Params) (btcutil.Address, error) {
			return btcutil.NewAddressTaproot(program(32), p)
		}},
		{"a P2PKH address keeps btcutil's path", func(p *chaincfg.Params) (btcutil.Address, error) {
			return btcutil.NewAddressPubKeyHash(program(20), p)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, net := range nets {
				for range 200 {
					a, err := tc.make(net)
					if err != nil {
						t.Fatal(err)
					}
					want := chain.NormalizeAddress(a.EncodeAddress())
					if got := encodeAddress(a); got != want || want == "" {
						t.Fatalf("%s: encodeAddress = %q, btcutil = %q", net.Name, got, want)
					}
				}
			}
		})
	}
}

func BenchmarkClassifyP2WPKH(b *testing.B) {
	script := append([]byte{0x00, 0x14}, make([]byte, 20)...)
	b.ReportAllocs()
	for b.Loop() {
		Classify(script, &chaincfg.MainNetParams)
	}
}
