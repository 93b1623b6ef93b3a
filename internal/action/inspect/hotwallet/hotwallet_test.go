package hotwallet

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/ethereum/ethtest"
	"github.com/interdict/interdict/internal/store/pebble"
)

var readAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// btcIndex ingests generated blocks into a Pebble chain index and returns it
// with the balance of the generator's repeated P2WPKH address, summed from
// the blocks themselves (the oracle).
func btcIndex(t *testing.T) (*pebble.Store, string, *big.Int) {
	t.Helper()
	ctx := t.Context()
	params := &chaincfg.RegressionNetParams
	store, err := pebble.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	eng, err := bitcoin.NewEngine(ctx, store, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	genesis, tip := bitcointest.Genesis()
	blocks, _ := bitcointest.New(7).Blocks(tip, 60)
	hot, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{7}, 20), params)
	if err != nil {
		t.Fatal(err)
	}
	script := append([]byte{0x00, 0x14}, bytes.Repeat([]byte{7}, 20)...)
	unspent := map[wire.OutPoint]int64{}
	for h, msg := range append([]*wire.MsgBlock{genesis}, blocks...) {
		if err := eng.Add(ctx, msg, int64(h)); err != nil {
			t.Fatal(err)
		}
		for _, tx := range msg.Transactions {
			for _, in := range tx.TxIn {
				delete(unspent, in.PreviousOutPoint)
			}
			for i, o := range tx.TxOut {
				if bytes.Equal(o.PkScript, script) {
					unspent[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = o.Value
				}
			}
		}
	}
	if err := eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := new(big.Int)
	for _, v := range unspent {
		want.Add(want, big.NewInt(v))
	}
	if want.Sign() == 0 {
		t.Fatal("the generated chain pays the hot wallet nothing: pick another seed")
	}
	return store, hot.EncodeAddress(), want
}

// ethIndex ingests generated blocks into a Pebble Ethereum index and returns
// it with a wallet's native and token balances summed from the blocks'
// transfers (the oracle).
func ethIndex(t *testing.T, wallet common.Address) (*pebble.EthStore, *big.Int, *big.Int) {
	t.Helper()
	ctx := t.Context()
	store, err := pebble.OpenEth(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	eng, err := eth.NewEngine(ctx, store, eth.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	native, token := new(big.Int), new(big.Int)
	a := eth.NormalizeAddress(wallet)
	for _, bd := range (ethtest.Gen{Seed: 3, Traced: true, Accounts: 6}).Chain(0, common.Hash{}, 30) {
		trs, err := eth.Transfers(bd)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			sum := native
			if tr.Asset == eth.TokenAsset(ethtest.Token) {
				sum = token
			} else if tr.Asset != eth.NativeAsset {
				continue
			}
			if tr.To == a {
				sum.Add(sum, tr.Amount)
			}
			if tr.From == a {
				sum.Sub(sum, tr.Amount)
			}
		}
		if _, err := eng.Connect(ctx, bd); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return store, native, token
}

func TestCollectReadsBalancesAtTheTipAgainstCaps(t *testing.T) {
	btc, hotBTC, btcBal := btcIndex(t)
	wallet := ethtest.Addr(2)
	ethIdx, ethBal, tokBal := ethIndex(t, wallet)
	if tokBal.Sign() <= 0 {
		t.Fatalf("token balance %s: pick another wallet", tokBal)
	}
	policy := func(t *testing.T, btcCap, ethCap, tokCap *big.Int) Policy {
		t.Helper()
		doc := fmt.Sprintf(`{"wallets":[
 {"label":"btc hot","chain":"btc","address":%q,"cap":%q},
 {"label":"eth hot","chain":"eth","address":%q,"cap":%q},
 {"label":"token hot","chain":"eth","address":%q,"asset":"eth:%s","cap":%q}]}`,
			strings.ToUpper(hotBTC), btcCap.String(), wallet.Hex(), ethCap.String(), wallet.Hex(), ethtest.Token.Hex(), tokCap.String())
		p, err := DecodePolicy([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := big.NewInt(1)
	t.Run("balances equal what the blocks paid, and caps at the balance pass", func(t *testing.T) {
		r, err := Collect(t.Context(), policy(t, btcBal, ethBal, tokBal), btc, ethIdx, readAt)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Detail.([]Balance)
		if got[0].Balance != btcBal.String() || got[1].Balance != ethBal.String() || got[2].Balance != tokBal.String() {
			t.Fatalf("balances %+v, want %s %s %s", got, btcBal, ethBal, tokBal)
		}
		if got[0].Height != 60 || got[1].Height != 29 || got[0].Entries == 0 {
			t.Errorf("read at %+v", got)
		}
		if !*r.Facts.Wallets.HotWithinCaps || len(r.Findings) != 0 || len(r.Read) != 3 || !r.ReadAt.Equal(readAt) {
			t.Fatalf("reading %+v", r)
		}
	})
	t.Run("a wallet one unit over its cap fails hot-cap with the evidence", func(t *testing.T) {
		r, err := Collect(t.Context(), policy(t, btcBal, ethBal, new(big.Int).Sub(tokBal, one)), btc, ethIdx, readAt)
		if err != nil {
			t.Fatal(err)
		}
		if *r.Facts.Wallets.HotWithinCaps || len(r.Findings) != 1 || !strings.Contains(r.Findings[0], "token hot") || !strings.Contains(r.Findings[0], "height 29") {
			t.Fatalf("reading %+v", r)
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
		if got := ev.FailedChecks(); len(got) != 1 || got[0] != "hot-cap" {
			t.Fatalf("failed %v", got)
		}
	})
	t.Run("a wallet on a chain without an open index is an error", func(t *testing.T) {
		if _, err := Collect(t.Context(), policy(t, btcBal, ethBal, tokBal), btc, nil, readAt); err == nil || !strings.Contains(err.Error(), "no Ethereum index") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestDecodePolicyRefusesBadInput(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no wallets", `{"wallets":[]}`, "no wallets"},
		{"an unknown chain", `{"wallets":[{"chain":"sol","address":"x","cap":"1"}]}`, "chain"},
		{"a cap that is not an integer", `{"wallets":[{"chain":"btc","address":"bc1qxyz","cap":"1.5"}]}`, "cap"},
		{"a negative cap", `{"wallets":[{"chain":"btc","address":"bc1qxyz","cap":"-1"}]}`, "cap"},
		{"a bad ethereum address", `{"wallets":[{"chain":"eth","address":"0x12","cap":"1"}]}`, "address"},
		{"a bad token", `{"wallets":[{"chain":"eth","address":"0x0000000000000000000000000000000000000001","asset":"usdt","cap":"1"}]}`, "asset"},
		{"an unknown field", `{"wallets":[{"chain":"btc","address":"a","cap":"1","limit":2}]}`, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePolicy([]byte(tc.doc))
			if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func FuzzDecodePolicy(f *testing.F) {
	f.Add([]byte(`{"wallets":[{"chain":"btc","address":"bc1qxyz","cap":"100"}]}`))
	f.Add([]byte(`{"wallets":[{"chain":"eth","address":"0x0000000000000000000000000000000000000001","asset":"eth:0x0000000000000000000000000000000000000002","cap":"1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePolicy(b)
		if err == nil {
			for _, w := range p.Wallets {
				if w.cap == nil || w.cap.Sign() < 0 {
					t.Fatalf("decoded %+v", w)
				}
			}
		}
	})
}
