package rpctest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// txJSON is a transaction as Core's getrawtransaction true and getblock 2
// print it: the same field names and shapes, values as 8-decimal numbers,
// script types by Core's names (btcd's ScriptClass strings are the same) and
// "address" for standard single-address outputs. It leaves out what needs
// the spent outputs (fee, prevout) or a descriptor engine (desc); "asm" is
// btcd's disassembly, close to Core's but not equal for signatures.
func (n *Node) txJSON(tx *wire.MsgTx) map[string]any {
	var raw bytes.Buffer
	_ = tx.Serialize(&raw) // a bytes.Buffer does not fail
	size, stripped := tx.SerializeSize(), tx.SerializeSizeStripped()
	weight := stripped*(blockchain.WitnessScaleFactor-1) + size
	vin := make([]map[string]any, len(tx.TxIn))
	coinbase := blockchain.IsCoinBaseTx(tx)
	for i, in := range tx.TxIn {
		v := map[string]any{}
		if coinbase {
			v["coinbase"] = hex.EncodeToString(in.SignatureScript)
		} else {
			asm, _ := txscript.DisasmString(in.SignatureScript)
			v["txid"] = in.PreviousOutPoint.Hash.String()
			v["vout"] = in.PreviousOutPoint.Index
			v["scriptSig"] = map[string]any{"asm": asm, "hex": hex.EncodeToString(in.SignatureScript)}
		}
		if len(in.Witness) > 0 {
			w := make([]string, len(in.Witness))
			for k, item := range in.Witness {
				w[k] = hex.EncodeToString(item)
			}
			v["txinwitness"] = w
		}
		v["sequence"] = in.Sequence
		vin[i] = v
	}
	vout := make([]map[string]any, len(tx.TxOut))
	for i, out := range tx.TxOut {
		asm, _ := txscript.DisasmString(out.PkScript)
		class, addrs, _, _ := txscript.ExtractPkScriptAddrs(out.PkScript, n.params)
		spk := map[string]any{"asm": asm, "hex": hex.EncodeToString(out.PkScript), "type": class.String()}
		switch class {
		case txscript.PubKeyTy, txscript.MultiSigTy, txscript.NullDataTy, txscript.NonStandardTy:
		default:
			if len(addrs) == 1 {
				spk["address"] = addrs[0].EncodeAddress()
			}
		}
		vout[i] = map[string]any{"value": btcValue(out.Value), "n": i, "scriptPubKey": spk}
	}
	return map[string]any{
		"txid":     tx.TxHash().String(),
		"hash":     tx.WitnessHash().String(),
		"version":  tx.Version,
		"size":     size,
		"vsize":    (weight + blockchain.WitnessScaleFactor - 1) / blockchain.WitnessScaleFactor,
		"weight":   weight,
		"locktime": tx.LockTime,
		"vin":      vin,
		"vout":     vout,
		"hex":      hex.EncodeToString(raw.Bytes()),
	}
}

// btcValue prints satoshis as Core prints BTC amounts: a JSON number with
// eight decimals.
func btcValue(sat int64) json.RawMessage {
	sign := ""
	if sat < 0 {
		sign, sat = "-", -sat
	}
	return json.RawMessage(fmt.Sprintf("%s%d.%08d", sign, sat/1e8, sat%1e8))
}
