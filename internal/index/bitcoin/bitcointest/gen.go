// Package bitcointest generates small valid-looking Bitcoin chains for the
// chain index's tests: linked blocks with BIP34 coinbases, spends of earlier
// outputs, every standard output type, side branches for reorgs and BIP30
// duplicate coinbases. Nothing is mined: the index does not check proof of
// work.
package bitcointest

import (
	"bytes"
	"math/rand/v2"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Tip is the end of a generated branch: its last block and the outputs it
// leaves unspent, so further blocks (or a competing branch) can be built on it.
type Tip struct {
	Hash   chainhash.Hash
	Height int64
	utxos  []utxo
}

type utxo struct {
	op    wire.OutPoint
	value int64
}

// Gen builds blocks from a deterministic seed.
type Gen struct {
	rng  *rand.Rand
	time time.Time
	// Salt changes the coinbases, so branches built on the same parent differ.
	Salt uint32
	// Bits is the compact target of the next blocks' headers (0: regtest's
	// 0x207fffff); a smaller target is more work per block. Headers do not
	// meet it: the index does not check proof of work.
	Bits uint32
}

// New returns a generator for seed.
func New(seed uint64) *Gen {
	return &Gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), time: time.Unix(1600000000, 0)}
}

// Genesis returns regtest's genesis block as the start of a chain.
func Genesis() (*wire.MsgBlock, Tip) {
	g := chaincfg.RegressionNetParams.GenesisBlock
	return g, Tip{Hash: g.BlockHash(), Height: 0}
}

// Fork returns a copy of t to build a competing branch on.
func (t Tip) Fork() Tip {
	t.utxos = append([]utxo(nil), t.utxos...)
	return t
}

// Blocks builds n blocks on t and returns them with the new tip.
func (g *Gen) Blocks(t Tip, n int) ([]*wire.MsgBlock, Tip) {
	var out []*wire.MsgBlock
	for range n {
		var b *wire.MsgBlock
		b, t = g.Block(t, nil)
		out = append(out, b)
	}
	return out, t
}

// Block builds one block on t. A non-nil coinbase replaces the generated one
// (to duplicate a txid, BIP30).
func (g *Gen) Block(t Tip, coinbase *wire.MsgTx) (*wire.MsgBlock, Tip) {
	t = t.Fork()
	h := t.Height + 1
	g.time = g.time.Add(10 * time.Minute)
	bits := g.Bits
	if bits == 0 {
		bits = 0x207fffff
	}
	b := wire.NewMsgBlock(wire.NewBlockHeader(4, &t.Hash, &chainhash.Hash{}, bits, g.rng.Uint32()))
	b.Header.Timestamp = g.time
	if coinbase == nil {
		coinbase = g.Coinbase(h)
	}
	b.AddTransaction(coinbase)
	var fresh []utxo
	for range g.rng.IntN(6) {
		if len(t.utxos) == 0 {
			break
		}
		tx := wire.NewMsgTx(2)
		var total int64
		for range 1 + g.rng.IntN(min(3, len(t.utxos))) {
			i := g.rng.IntN(len(t.utxos))
			u := t.utxos[i]
			t.utxos = append(t.utxos[:i], t.utxos[i+1:]...)
			in := wire.NewTxIn(&u.op, nil, nil)
			if g.rng.IntN(2) == 0 {
				in.Witness = wire.TxWitness{g.bytes(71), g.bytes(33)}
			} else {
				in.SignatureScript = append([]byte{0x47}, g.bytes(71)...)
			}
			tx.AddTxIn(in)
			total += u.value
		}
		outs := 1 + g.rng.IntN(3)
		for k := range outs {
			v := total / int64(outs)
			if k == 0 {
				v = total - v*int64(outs-1) - 1000 // fee
			}
			tx.AddTxOut(wire.NewTxOut(max(v, 0), g.Script()))
		}
		if g.rng.IntN(8) == 0 {
			tx.AddTxOut(wire.NewTxOut(0, []byte{txscript.OP_RETURN, 0x04, 'd', 'p', 'r', 'k'}))
		}
		b.AddTransaction(tx)
		id := tx.TxHash()
		for k, o := range tx.TxOut {
			if o.PkScript[0] != txscript.OP_RETURN {
				fresh = append(fresh, utxo{wire.OutPoint{Hash: id, Index: uint32(k)}, o.Value})
			}
		}
	}
	cid := coinbase.TxHash()
	for k, o := range coinbase.TxOut {
		fresh = append(fresh, utxo{wire.OutPoint{Hash: cid, Index: uint32(k)}, o.Value})
	}
	b.Header.MerkleRoot = merkleRoot(b.Transactions)
	// A duplicated coinbase (BIP30) recreates outpoints: keep each once.
	kept := t.utxos[:0]
	for _, u := range t.utxos {
		if u.op.Hash != cid {
			kept = append(kept, u)
		}
	}
	t.utxos = append(kept, fresh...)
	return b, Tip{Hash: b.BlockHash(), Height: h, utxos: t.utxos}
}

// Coinbase returns a coinbase stating height (BIP34) paying 50 BTC.
func (g *Gen) Coinbase(height int64) *wire.MsgTx {
	sig, _ := txscript.NewScriptBuilder().AddInt64(height).AddInt64(int64(g.Salt)).Script()
	tx := wire.NewMsgTx(1)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
	tx.AddTxOut(wire.NewTxOut(50_0000_0000, g.Script()))
	return tx
}

// Script returns a random output script of a standard type (or not).
func (g *Gen) Script() []byte {
	var s []byte
	switch g.rng.IntN(7) {
	case 0:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).
			AddData(g.bytes(20)).AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG).Script()
	case 1:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_HASH160).AddData(g.bytes(20)).AddOp(txscript.OP_EQUAL).Script()
	case 2:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(g.bytes(20)).Script()
	case 3:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(g.bytes(32)).Script()
	case 4:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_1).AddData(g.bytes(32)).Script()
	case 5:
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_TRUE).Script() // non-standard
	default:
		// the same 20-byte hash every time: one address receiving many outputs
		s, _ = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(bytes.Repeat([]byte{7}, 20)).Script()
	}
	return s
}

func (g *Gen) bytes(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(g.rng.UintN(256))
	}
	return p
}

// merkleRoot computes the block's merkle root so its header is consistent.
func merkleRoot(txs []*wire.MsgTx) chainhash.Hash {
	level := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		level[i] = tx.TxHash()
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:0:0]
		for i := 0; i < len(level); i += 2 {
			var buf [64]byte
			copy(buf[:32], level[i][:])
			copy(buf[32:], level[i+1][:])
			next = append(next, chainhash.DoubleHashH(buf[:]))
		}
		level = next
	}
	return level[0]
}

// TipOf returns the tip at the end of blocks (which start at genesis), with the
// outputs they leave unspent.
func TipOf(blocks []*wire.MsgBlock) Tip {
	spent := map[wire.OutPoint]bool{}
	var t Tip
	for h, b := range blocks {
		for i, tx := range b.Transactions {
			if i > 0 {
				for _, in := range tx.TxIn {
					spent[in.PreviousOutPoint] = true
				}
			}
		}
		t.Hash, t.Height = b.BlockHash(), int64(h)
	}
	seen := map[wire.OutPoint]bool{}
	for h, b := range blocks {
		if h == 0 {
			continue // genesis' coinbase cannot be spent
		}
		for _, tx := range b.Transactions {
			id := tx.TxHash()
			for k, o := range tx.TxOut {
				op := wire.OutPoint{Hash: id, Index: uint32(k)}
				if spent[op] || seen[op] || (len(o.PkScript) > 0 && o.PkScript[0] == txscript.OP_RETURN) {
					continue
				}
				seen[op] = true
				t.utxos = append(t.utxos, utxo{op, o.Value})
			}
		}
	}
	return t
}
