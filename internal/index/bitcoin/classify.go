package bitcoin

import (
	"slices"

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
			n := chain.NormalizeAddress(a.EncodeAddress())
			if !slices.Contains(out, n) { // a multisig may repeat a key
				out = append(out, n)
			}
		}
	}
	return classOf(cls), out, reqSigs
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
