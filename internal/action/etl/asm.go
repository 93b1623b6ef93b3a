package etl

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/txscript"
)

// Bitcoin Core renders scripts for getblock/getrawtransaction with
// ScriptToAsmStr, and bitcoin-etl copies that text into script_asm. btcd's
// DisasmString differs in three ways that matter to a byte-for-byte
// comparison: pushes of at most four bytes are numbers in Core (CScriptNum),
// signatures in a scriptSig carry a decoded sighash suffix such as "[ALL]",
// and opcodes Core does not know are all "OP_UNKNOWN". The walk below uses
// btcd's tokenizer and opcode names and applies Core's rendering on top.

// maxScriptSize is Core's MAX_SCRIPT_SIZE: a longer script is unspendable,
// and Core then never decodes sighash types inside it.
const maxScriptSize = 10000

// opNames holds Core's name for every opcode above OP_PUSHDATA4.
var opNames = func() [256]string {
	var names [256]string
	for op := txscript.OP_PUSHDATA4 + 1; op <= 0xff; op++ {
		// A one-opcode script always disassembles; btcd's one-line form
		// already writes OP_1..OP_16 and OP_1NEGATE as numbers as Core does.
		s, err := txscript.DisasmString([]byte{byte(op)})
		if err != nil {
			panic("etl: btcd cannot disassemble opcode " + strconv.Itoa(op))
		}
		names[op] = s
	}
	// Core names OP_CHECKSIGADD and below and OP_INVALIDOPCODE; everything
	// between is OP_UNKNOWN (btcd: OP_UNKNOWN187, OP_PUBKEYHASH, ...).
	for op := txscript.OP_CHECKSIGADD + 1; op < txscript.OP_INVALIDOPCODE; op++ {
		names[op] = "OP_UNKNOWN"
	}
	names[txscript.OP_INVALIDOPCODE] = "OP_INVALIDOPCODE"
	return names
}()

// sighashNames is Core's mapSigHashTypes.
var sighashNames = map[byte]string{
	0x01: "ALL",
	0x81: "ALL|ANYONECANPAY",
	0x02: "NONE",
	0x82: "NONE|ANYONECANPAY",
	0x03: "SINGLE",
	0x83: "SINGLE|ANYONECANPAY",
}

// scriptAsm renders script as Core's ScriptToAsmStr does. decodeSighash is
// true for scriptSigs (inputs) and false for scriptPubKeys (outputs). A
// script that stops parsing ends in "[error]", as in Core.
func scriptAsm(script []byte, decodeSighash bool) string {
	decodeSighash = decodeSighash && !unspendable(script)
	var b strings.Builder
	tok := txscript.MakeScriptTokenizer(0, script)
	for tok.Next() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		op := tok.Opcode()
		if op > txscript.OP_PUSHDATA4 {
			b.WriteString(opNames[op])
			continue
		}
		data := tok.Data()
		switch {
		case len(data) <= 4:
			b.WriteString(strconv.FormatInt(scriptNum(data), 10))
		case decodeSighash && isStrictSignature(data):
			b.WriteString(hex.EncodeToString(data[:len(data)-1]))
			b.WriteString("[" + sighashNames[data[len(data)-1]] + "]")
		default:
			b.WriteString(hex.EncodeToString(data))
		}
	}
	if tok.Err() != nil {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("[error]")
	}
	return b.String()
}

// unspendable is Core's CScript::IsUnspendable.
func unspendable(script []byte) bool {
	return (len(script) > 0 && script[0] == txscript.OP_RETURN) || len(script) > maxScriptSize
}

// scriptNum decodes a push of at most four bytes as Core's CScriptNum
// without the minimal-encoding rule: little-endian sign and magnitude.
func scriptNum(data []byte) int64 {
	if len(data) == 0 {
		return 0
	}
	var v int64
	for i, c := range data {
		v |= int64(c) << (8 * i)
	}
	last := len(data) - 1
	if data[last]&0x80 != 0 {
		return -(v &^ (int64(0x80) << (8 * last)))
	}
	return v
}

// isStrictSignature is Core's CheckSignatureEncoding under STRICTENC for a
// non-empty push: a BIP66 strict-DER signature followed by a defined sighash
// type byte.
func isStrictSignature(sig []byte) bool {
	if !isValidSignatureEncoding(sig) {
		return false
	}
	_, ok := sighashNames[sig[len(sig)-1]]
	return ok
}

// isValidSignatureEncoding implements the BIP66 rule set on
// 0x30 len 0x02 lenR R 0x02 lenS S sighash.
func isValidSignatureEncoding(sig []byte) bool {
	n := len(sig)
	if n < 9 || n > 73 || sig[0] != 0x30 || int(sig[1]) != n-3 {
		return false
	}
	lenR := int(sig[3])
	if 5+lenR >= n {
		return false
	}
	lenS := int(sig[5+lenR])
	if lenR+lenS+7 != n {
		return false
	}
	if sig[2] != 0x02 || lenR == 0 || sig[4]&0x80 != 0 {
		return false
	}
	if lenR > 1 && sig[4] == 0x00 && sig[5]&0x80 == 0 {
		return false
	}
	if sig[lenR+4] != 0x02 || lenS == 0 || sig[lenR+6]&0x80 != 0 {
		return false
	}
	if lenS > 1 && sig[lenR+6] == 0x00 && sig[lenR+7]&0x80 == 0 {
		return false
	}
	return true
}
