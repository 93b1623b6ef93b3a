package bitcoin

import (
	"slices"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"

	"github.com/interdict/interdict/internal/chain"
)

// Classify returns the class of a pkScript, the addresses it pays (normalised
// with chain.NormalizeAddress) and the signatures it requires, as btcd's
// txscript.ExtractPkScriptAddrs sees them for the network. A P2PK output's
// address is the P2PKH address of its key (how explorers and tracing name
// it); bare multisig yields one such address per key.
func Classify(pkScript []byte, params *chaincfg.Params) (ScriptClass, []string, int) {
	cls, addrs, reqSigs, err := txscript.ExtractPkScriptAddrs(pkScript, params)
	if err != nil {
		return NonStandard, nil, 0
	}
	var out []string
	if len(addrs) > 0 {
		out = make([]string, 0, len(addrs))
		for _, a := range addrs {
			n := encodeAddress(a)
			if !slices.Contains(out, n) { // a multisig may repeat a key
				out = append(out, n)
			}
		}
	}
	return classOf(cls), out, reqSigs
}

// segwitAddress is what btcutil's witness address types share.
type segwitAddress interface {
	Hrp() string
	WitnessVersion() byte
	WitnessProgram() []byte
}

// encodeAddress returns the normalised text of a.
//
// Segwit addresses (most outputs today) are bech32/bech32m-encoded here with
// btcd's bech32 package rather than through EncodeAddress, which decodes every
// address it has just encoded to check itself, and NormalizeAddress, which
// decodes it once more to recognise bech32: together those two decodes cost
// more than the encoding, about a fifth of the ingest's CPU. The result is
// the same string: bech32 output is lower case, so already normalised
// (TestEncodeAddressMatchesBtcutil holds the two paths equal).
func encodeAddress(a btcutil.Address) string {
	if w, ok := a.(segwitAddress); ok {
		if s, ok := encodeSegwit(w.Hrp(), w.WitnessVersion(), w.WitnessProgram()); ok {
			return s
		}
	}
	return chain.NormalizeAddress(a.EncodeAddress())
}

// encodeSegwit encodes a version 0 (bech32, BIP173) or version 1 (bech32m,
// BIP350) witness program as btcutil does; ok is false for anything else, which
// then takes btcutil's own path.
func encodeSegwit(hrp string, version byte, program []byte) (string, bool) {
	if version > 1 {
		return "", false
	}
	conv, err := bech32.ConvertBits(program, 8, 5, true)
	if err != nil {
		return "", false
	}
	data := make([]byte, 0, len(conv)+1)
	data = append(data, version)
	data = append(data, conv...)
	var s string
	if version == 0 {
		s, err = bech32.Encode(hrp, data)
	} else {
		s, err = bech32.EncodeM(hrp, data)
	}
	if err != nil {
		return "", false
	}
	return s, true
}

func classOf(c txscript.ScriptClass) ScriptClass {
	switch c {
	case txscript.PubKeyTy:
		return P2PK
	case txscript.PubKeyHashTy:
		return P2PKH
	case txscript.ScriptHashTy:
		return P2SH
	case txscript.WitnessV0PubKeyHashTy:
		return P2WPKH
	case txscript.WitnessV0ScriptHashTy:
		return P2WSH
	case txscript.WitnessV1TaprootTy:
		return P2TR
	case txscript.MultiSigTy:
		return Multisig
	case txscript.NullDataTy:
		return NullData
	case txscript.WitnessUnknownTy:
		return WitnessUnknown
	}
	return NonStandard
}
