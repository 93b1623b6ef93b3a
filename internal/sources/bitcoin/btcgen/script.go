package btcgen

import (
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// scriptKind is the standard output type a coin is locked with; it decides both
// the output script and the shape of the input that later spends it.
type scriptKind uint8

const (
	kindP2WPKH scriptKind = iota
	kindP2PKH
	kindP2SH // 2-of-3 multisig redeem script
	kindP2TR
	kindP2WSH // 2-of-3 multisig witness script
	numKinds
)

// kindWeights is roughly the recent mainnet mix of new outputs, in percent.
var kindWeights = [numKinds]int{kindP2WPKH: 45, kindP2PKH: 18, kindP2SH: 12, kindP2TR: 17, kindP2WSH: 8}

// pickKind draws an output type with kindWeights.
func (g *Generator) pickKind() scriptKind {
	n := g.rng.IntN(100)
	for k, w := range kindWeights {
		if n < w {
			return scriptKind(k)
		}
		n -= w
	}
	return kindP2WPKH
}

// fill writes random bytes into b.
func (g *Generator) fill(b []byte) {
	for len(b) >= 8 {
		v := g.rng.Uint64()
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		b[4], b[5], b[6], b[7] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
		b = b[8:]
	}
	if len(b) > 0 {
		v := g.rng.Uint64()
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
	}
}

// randomScript returns a fresh output script of kind k locked to random key
// material, as a wallet handing out a new address would.
func (g *Generator) randomScript(k scriptKind) []byte {
	switch k {
	case kindP2PKH:
		s := make([]byte, 25)
		s[0], s[1], s[2] = txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20
		g.fill(s[3:23])
		s[23], s[24] = txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG
		return s
	case kindP2SH:
		s := make([]byte, 23)
		s[0], s[1] = txscript.OP_HASH160, txscript.OP_DATA_20
		g.fill(s[2:22])
		s[22] = txscript.OP_EQUAL
		return s
	case kindP2TR:
		s := make([]byte, 34)
		s[0], s[1] = txscript.OP_1, txscript.OP_DATA_32
		g.fill(s[2:])
		return s
	case kindP2WSH:
		s := make([]byte, 34)
		s[0], s[1] = txscript.OP_0, txscript.OP_DATA_32
		g.fill(s[2:])
		return s
	default:
		s := make([]byte, 22)
		s[0], s[1] = txscript.OP_0, txscript.OP_DATA_20
		g.fill(s[2:])
		return s
	}
}

// sig returns a DER-shaped ECDSA signature (71 bytes with its SIGHASH_ALL
// byte); r and s are random, so it has the size of a real one but never
// verifies.
func (g *Generator) sig() []byte {
	b := make([]byte, 71)
	b[0], b[1], b[2], b[3] = 0x30, 0x44, 0x02, 0x20
	g.fill(b[4:36])
	b[4] &= 0x7f
	b[36], b[37] = 0x02, 0x20
	g.fill(b[38:70])
	b[38] &= 0x7f
	b[70] = byte(txscript.SigHashAll)
	return b
}

// pubKey returns 33 bytes shaped like a compressed public key.
func (g *Generator) pubKey() []byte {
	b := make([]byte, 33)
	g.fill(b)
	b[0] = 0x02 | b[0]&1
	return b
}

// multisig2of3 returns a 2-of-3 CHECKMULTISIG script over random keys.
func (g *Generator) multisig2of3() []byte {
	s := make([]byte, 0, 105)
	s = append(s, txscript.OP_2)
	for range 3 {
		s = append(s, txscript.OP_DATA_33)
		s = append(s, g.pubKey()...)
	}
	return append(s, txscript.OP_3, txscript.OP_CHECKMULTISIG)
}

// push appends a minimal data push of d (d is always under 256 bytes here).
func push(s, d []byte) []byte {
	switch {
	case len(d) <= txscript.OP_DATA_75:
		s = append(s, byte(len(d)))
	default:
		s = append(s, txscript.OP_PUSHDATA1, byte(len(d)))
	}
	return append(s, d...)
}

// unlock fills in the scriptSig and witness that spending a coin of kind k
// carries on the wire.
func (g *Generator) unlock(in *wire.TxIn, k scriptKind) {
	switch k {
	case kindP2PKH:
		s := make([]byte, 0, 106)
		s = push(s, g.sig())
		in.SignatureScript = push(s, g.pubKey())
	case kindP2SH:
		s := make([]byte, 0, 253)
		s = append(s, txscript.OP_0)
		s = push(s, g.sig())
		s = push(s, g.sig())
		in.SignatureScript = push(s, g.multisig2of3())
	case kindP2TR:
		w := make([]byte, 64)
		g.fill(w)
		in.Witness = wire.TxWitness{w}
	case kindP2WSH:
		in.Witness = wire.TxWitness{nil, g.sig(), g.sig(), g.multisig2of3()}
	default:
		in.Witness = wire.TxWitness{g.sig(), g.pubKey()}
	}
}

// inputVSize is the virtual size an input of kind k adds, for fee estimates.
var inputVSize = [numKinds]int64{kindP2WPKH: 68, kindP2PKH: 148, kindP2SH: 297, kindP2TR: 58, kindP2WSH: 105}

// address encodes the address an output script pays, or "" when it has none.
func address(script []byte, params *chaincfg.Params) string {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, params)
	if err != nil || len(addrs) != 1 {
		return ""
	}
	return addrs[0].EncodeAddress()
}
