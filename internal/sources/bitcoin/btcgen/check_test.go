package btcgen

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// utxo is an unspent output as the checker sees it, independently of the
// generator's own bookkeeping.
type utxo struct {
	value    int64
	height   int32
	coinbase bool
}

// chainStats is what checkChain counted.
type chainStats struct {
	txs     int
	inputs  int
	classes map[txscript.ScriptClass]int
	utxos   map[wire.OutPoint]utxo
}

// checkChain decodes every block back with btcd and checks it against the
// rules the generator promises: links, merkle roots, witness commitments,
// BIP34 heights, increasing timestamps, sane transactions, every input
// spending an existing unspent (and mature, for coinbases) output exactly once,
// outputs never exceeding inputs, and each coinbase paying subsidy plus fees.
func checkChain(t *testing.T, blocks []*wire.MsgBlock, params *chaincfg.Params) chainStats {
	t.Helper()
	st := chainStats{classes: map[txscript.ScriptClass]int{}, utxos: map[wire.OutPoint]utxo{}}
	if blocks[0].BlockHash() != *params.GenesisHash {
		t.Fatalf("block 0 is %s, want the %s genesis", blocks[0].BlockHash(), params.Name)
	}
	for h := int32(1); h < int32(len(blocks)); h++ {
		var raw bytes.Buffer
		if err := blocks[h].Serialize(&raw); err != nil {
			t.Fatalf("height %d: serialize: %v", h, err)
		}
		blk, err := btcutil.NewBlockFromBytes(raw.Bytes())
		if err != nil {
			t.Fatalf("height %d: btcd cannot decode the block: %v", h, err)
		}
		blk.SetHeight(h)
		hdr := blk.MsgBlock().Header
		if hdr.PrevBlock != blocks[h-1].BlockHash() {
			t.Fatalf("height %d: prev %s, want %s", h, hdr.PrevBlock, blocks[h-1].BlockHash())
		}
		if !hdr.Timestamp.After(blocks[h-1].Header.Timestamp) {
			t.Fatalf("height %d: timestamp %v not after %v", h, hdr.Timestamp, blocks[h-1].Header.Timestamp)
		}
		if hdr.Bits != params.PowLimitBits && hdr.Bits != Bits {
			t.Fatalf("height %d: bits %x", h, hdr.Bits)
		}
		txs := blk.Transactions()
		if got := blockchain.CalcMerkleRoot(txs, false); got != hdr.MerkleRoot {
			t.Fatalf("height %d: merkle root %s, header says %s", h, got, hdr.MerkleRoot)
		}
		if err := blockchain.ValidateWitnessCommitment(blk); err != nil {
			t.Fatalf("height %d: witness commitment: %v", h, err)
		}
		if got, err := blockchain.ExtractCoinbaseHeight(txs[0]); err != nil || got != h {
			t.Fatalf("height %d: BIP34 coinbase height %d (%v)", h, got, err)
		}
		var fees int64
		for i, tx := range txs {
			if err := blockchain.CheckTransactionSanity(tx); err != nil {
				t.Fatalf("height %d tx %d: %v", h, i, err)
			}
			if (i == 0) != blockchain.IsCoinBase(tx) {
				t.Fatalf("height %d tx %d: coinbase only and always first", h, i)
			}
			var in, out int64
			if i > 0 {
				for _, ti := range tx.MsgTx().TxIn {
					u, ok := st.utxos[ti.PreviousOutPoint]
					if !ok {
						t.Fatalf("height %d tx %s spends %s: missing or already spent", h, tx.Hash(), ti.PreviousOutPoint)
					}
					if u.coinbase && h-u.height < int32(params.CoinbaseMaturity) {
						t.Fatalf("height %d tx %s spends an immature coinbase from %d", h, tx.Hash(), u.height)
					}
					delete(st.utxos, ti.PreviousOutPoint)
					in += u.value
					st.inputs++
				}
			}
			for j, to := range tx.MsgTx().TxOut {
				out += to.Value
				st.classes[txscript.GetScriptClass(to.PkScript)]++
				if txscript.IsUnspendable(to.PkScript) {
					continue
				}
				op := wire.OutPoint{Hash: *tx.Hash(), Index: uint32(j)}
				if _, dup := st.utxos[op]; dup {
					t.Fatalf("height %d: duplicate outpoint %s", h, op)
				}
				st.utxos[op] = utxo{value: to.Value, height: h, coinbase: i == 0}
			}
			if i > 0 {
				if out > in {
					t.Fatalf("height %d tx %s: outputs %d exceed inputs %d", h, tx.Hash(), out, in)
				}
				fees += in - out
			}
		}
		cbOut := int64(0)
		for _, to := range txs[0].MsgTx().TxOut {
			cbOut += to.Value
		}
		if want := blockchain.CalcBlockSubsidy(h, params) + fees; cbOut != want {
			t.Fatalf("height %d: coinbase pays %d, want subsidy+fees %d", h, cbOut, want)
		}
		st.txs += len(txs)
	}
	return st
}
