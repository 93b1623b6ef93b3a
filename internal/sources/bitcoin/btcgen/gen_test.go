package btcgen

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// small is the chain most tests use: the 100-block warm-up then 40 blocks
// sharing about 4000 transactions.
var small = Config{Seed: 7, Blocks: 140, Txs: 4000, Heist: true}

func generate(t testing.TB, cfg Config) ([]*wire.MsgBlock, *Heist) {
	t.Helper()
	blocks, heist, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return blocks, heist
}

// digest is SHA-256 over every block's serialization.
func digest(t testing.TB, blocks []*wire.MsgBlock) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, b := range blocks {
		if err := b.Serialize(h); err != nil {
			t.Fatal(err)
		}
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func TestGenerate(t *testing.T) {
	blocks, _ := generate(t, small)
	st := checkChain(t, blocks, &chaincfg.RegressionNetParams)

	t.Run("it makes the requested number of blocks and about the requested number of txs", func(t *testing.T) {
		if len(blocks) != int(small.Blocks)+1 {
			t.Errorf("%d blocks, want %d", len(blocks), small.Blocks+1)
		}
		if st.txs < small.Txs*95/100 || st.txs > small.Txs*105/100 {
			t.Errorf("%d transactions, want about %d", st.txs, small.Txs)
		}
	})
	t.Run("outputs cover every standard script type", func(t *testing.T) {
		for _, c := range []txscript.ScriptClass{txscript.PubKeyHashTy, txscript.ScriptHashTy,
			txscript.WitnessV0PubKeyHashTy, txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy, txscript.NullDataTy} {
			if st.classes[c] == 0 {
				t.Errorf("no %s output", c)
			}
		}
	})
	t.Run("the chain holds peeling chains, consolidations, CoinJoins and batch payouts", func(t *testing.T) {
		var fanIn, fanOut, joins, peels int
		for _, b := range blocks[1:] {
			for _, tx := range b.Transactions[1:] {
				switch {
				case len(tx.TxIn) >= 5 && len(tx.TxOut) == 1:
					fanIn++
				case len(tx.TxIn) == 1 && len(tx.TxOut) >= 5:
					fanOut++
				case len(tx.TxIn) >= 3 && equalOutputs(tx) >= 3:
					joins++
				case len(tx.TxIn) == 1 && len(tx.TxOut) == 2 && tx.TxOut[1].Value > 9*tx.TxOut[0].Value:
					peels++
				}
			}
		}
		if fanIn == 0 || fanOut == 0 || joins == 0 || peels == 0 {
			t.Errorf("fan-in %d, fan-out %d, CoinJoins %d, peel-like hops %d: want some of each", fanIn, fanOut, joins, peels)
		}
	})
}

// equalOutputs is the largest number of outputs sharing one value.
func equalOutputs(tx *wire.MsgTx) int {
	n := map[int64]int{}
	best := 0
	for _, o := range tx.TxOut {
		n[o.Value]++
		best = max(best, n[o.Value])
	}
	return best
}

func TestDeterminism(t *testing.T) {
	cfg := small
	cfg.Blocks, cfg.Txs = 120, 1500
	a, ha := generate(t, cfg)
	b, hb := generate(t, cfg)
	if digest(t, a) != digest(t, b) {
		t.Error("the same seed gave different bytes")
	}
	if ha.TxID != hb.TxID {
		t.Error("the same seed gave a different heist")
	}
	cfg.Seed++
	c, _ := generate(t, cfg)
	if digest(t, a) == digest(t, c) {
		t.Error("another seed gave the same bytes")
	}
}

func TestHeist(t *testing.T) {
	blocks, heist := generate(t, small)
	if heist == nil || !heist.Done {
		t.Fatalf("heist %+v not complete", heist)
	}
	txs := map[chainhash.Hash]*wire.MsgTx{}
	where := map[chainhash.Hash]int32{}
	for h, b := range blocks {
		for _, tx := range b.Transactions {
			txs[tx.TxHash()] = tx
			where[tx.TxHash()] = int32(h)
		}
	}
	theft, _ := chainhash.NewHashFromStr(heist.TxID)
	if where[*theft] != heist.Height {
		t.Fatalf("theft tx %s at height %d, sidecar says %d", heist.TxID, where[*theft], heist.Height)
	}
	if len(heist.Deposits) == 0 || len(heist.DepositAddresses) != len(heist.Deposits) || heist.CoinJoin == "" {
		t.Fatalf("sidecar lacks deposits or the CoinJoin: %+v", heist)
	}

	t.Run("every deposit output pays its named address", func(t *testing.T) {
		for _, d := range heist.Deposits {
			op, err := wire.NewOutPointFromString(d.Outpoint)
			if err != nil {
				t.Fatal(err)
			}
			out := txs[op.Hash].TxOut[op.Index]
			if got := address(out.PkScript, &chaincfg.RegressionNetParams); got != d.Address || out.Value != d.Value {
				t.Errorf("%s pays %d to %s, sidecar says %d to %s", d.Outpoint, out.Value, got, d.Value, d.Address)
			}
		}
	})
	t.Run("every deposit descends from the theft through the laundering txs", func(t *testing.T) {
		tainted := map[chainhash.Hash]bool{*theft: true}
		for _, id := range heist.Laundering {
			h, _ := chainhash.NewHashFromStr(id)
			tx := txs[*h]
			if tx == nil {
				t.Fatalf("laundering tx %s not in the chain", id)
			}
			from := false
			for _, in := range tx.TxIn {
				from = from || tainted[in.PreviousOutPoint.Hash]
			}
			if !from {
				t.Fatalf("laundering tx %s spends nothing tainted", id)
			}
			tainted[*h] = true
		}
		for _, d := range heist.Deposits {
			op, _ := wire.NewOutPointFromString(d.Outpoint)
			if !tainted[op.Hash] {
				t.Errorf("deposit %s is not reached from the theft", d.Outpoint)
			}
		}
	})
}

func TestGenerateFork(t *testing.T) {
	cfg := small
	cfg.Heist = false
	main, _ := generate(t, cfg)
	const from = 120
	branch, err := GenerateFork(cfg, from, 99, 25)
	if err != nil {
		t.Fatal(err)
	}
	if branch[0].Header.PrevBlock != main[from].BlockHash() {
		t.Fatal("the branch does not start on the fork point")
	}
	if branch[0].BlockHash() == main[from+1].BlockHash() {
		t.Fatal("the branch repeats the main chain")
	}
	t.Run("the common prefix plus the branch is a valid chain longer than the main one", func(t *testing.T) {
		chain := append(append([]*wire.MsgBlock(nil), main[:from+1]...), branch...)
		checkChain(t, chain, &chaincfg.RegressionNetParams)
		if len(chain) <= len(main) {
			t.Errorf("branch chain %d blocks, main %d", len(chain), len(main))
		}
	})
	t.Run("a bad fork point is refused", func(t *testing.T) {
		if _, err := GenerateFork(cfg, cfg.Blocks+1, 99, 1); !errors.Is(err, ErrConfig) {
			t.Errorf("err %v, want ErrConfig", err)
		}
	})
}

func TestMainnetParams(t *testing.T) {
	cfg := Config{Seed: 3, Params: &chaincfg.MainNetParams, Blocks: 110, Txs: 600}
	blocks, _ := generate(t, cfg)
	checkChain(t, blocks, &chaincfg.MainNetParams)
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"transactions without blocks past coinbase maturity are refused": {Blocks: 50, Txs: 1000},
		"a heist on a chain too short for it is refused":                 {Blocks: 101, Heist: true},
		"negative counts are refused":                                    {Blocks: -1},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("err %v, want ErrConfig", err)
			}
		})
	}
}

// FuzzGenerate checks that any seed gives a valid chain.
func FuzzGenerate(f *testing.F) {
	f.Add(uint64(0), true)
	f.Add(uint64(1<<63+5), false)
	f.Fuzz(func(t *testing.T, seed uint64, heist bool) {
		blocks, _ := generate(t, Config{Seed: seed, Blocks: 104, Txs: 400, Heist: heist})
		checkChain(t, blocks, &chaincfg.RegressionNetParams)
	})
}
