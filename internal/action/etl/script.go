package etl

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// Output type names, as Core's scriptPubKey.type and bitcoin-etl's "type".
const (
	TypePubKey           = "pubkey"
	TypePubKeyHash       = "pubkeyhash"
	TypeScriptHash       = "scripthash"
	TypeMultisig         = "multisig"
	TypeNullData         = "nulldata"
	TypeNonStandard      = "nonstandard"
	TypeWitnessV0Key     = "witness_v0_keyhash"
	TypeWitnessV0Script  = "witness_v0_scripthash"
	TypeWitnessV1Taproot = "witness_v1_taproot"
	TypeWitnessUnknown   = "witness_unknown"
)

// scriptClass is what a record says about a scriptPubKey.
type scriptClass struct {
	typ          string
	addresses    []string
	requiredSigs *int
}

func one() *int { n := 1; return &n }

// classify names pkScript's type and addresses the way bitcoin-etl recorded
// them from Bitcoin Core before v22 (which still reported "addresses" and
// "reqSigs"): a pay-to-pubkey output and each key of a bare multisig output
// are shown as the P2PKH address of the key, with reqSigs 1 and m. Outputs
// with no address (nulldata, nonstandard, witness_unknown) get bitcoin-etl's
// synthetic "nonstandard" + first 20 bytes of sha256(script) in hex, which
// bitcoin-etl adds to every output Core gave no address.
func classify(pkScript []byte, params *chaincfg.Params) scriptClass {
	switch txscript.GetScriptClass(pkScript) {
	case txscript.PubKeyTy:
		keys, err := txscript.PushedData(pkScript)
		if err != nil || len(keys) != 1 {
			break
		}
		return scriptClass{typ: TypePubKey, addresses: keyHashAddresses(keys, params), requiredSigs: one()}
	case txscript.MultiSigTy:
		pushes, err := txscript.PushedData(pkScript)
		_, m, serr := txscript.CalcMultiSigStats(pkScript)
		if err != nil || serr != nil {
			break
		}
		return scriptClass{typ: TypeMultisig, addresses: keyHashAddresses(pushes, params), requiredSigs: &m}
	case txscript.PubKeyHashTy:
		return standard(TypePubKeyHash, pkScript, params)
	case txscript.ScriptHashTy:
		return standard(TypeScriptHash, pkScript, params)
	case txscript.WitnessV0PubKeyHashTy:
		return standard(TypeWitnessV0Key, pkScript, params)
	case txscript.WitnessV0ScriptHashTy:
		return standard(TypeWitnessV0Script, pkScript, params)
	case txscript.WitnessV1TaprootTy:
		return standard(TypeWitnessV1Taproot, pkScript, params)
	case txscript.NullDataTy:
		return scriptClass{typ: TypeNullData, addresses: nonstandardAddress(pkScript)}
	}
	typ := TypeNonStandard
	if txscript.IsWitnessProgram(pkScript) {
		if v, _, err := txscript.ExtractWitnessProgramInfo(pkScript); err == nil && v != 0 {
			typ = TypeWitnessUnknown
		}
	}
	return scriptClass{typ: typ, addresses: nonstandardAddress(pkScript)}
}

// standard handles the single-address types btcd encodes itself.
func standard(typ string, pkScript []byte, params *chaincfg.Params) scriptClass {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(pkScript, params)
	if err != nil || len(addrs) != 1 {
		return scriptClass{typ: typ, addresses: nonstandardAddress(pkScript)}
	}
	return scriptClass{typ: typ, addresses: []string{addrs[0].EncodeAddress()}, requiredSigs: one()}
}

// keyHashAddresses renders public keys as P2PKH addresses. Core hashes the
// key bytes without checking the point is on the curve, so neither do we.
func keyHashAddresses(pushes [][]byte, params *chaincfg.Params) []string {
	out := make([]string, 0, len(pushes))
	for _, key := range pushes {
		if len(key) != 33 && len(key) != 65 {
			continue // m and n are small-integer opcodes, not pushes; skip anything else
		}
		addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(key), params)
		if err == nil {
			out = append(out, addr.EncodeAddress())
		}
	}
	return out
}

func nonstandardAddress(pkScript []byte) []string {
	sum := sha256.Sum256(pkScript)
	return []string{"nonstandard" + hex.EncodeToString(sum[:20])}
}
