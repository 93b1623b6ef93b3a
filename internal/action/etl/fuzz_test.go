package etl

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// FuzzNewTransactions decodes arbitrary bytes as a transaction with btcd and
// builds its records: decoding may fail, building must never panic, and the
// records must be self-consistent and encodable.
func FuzzNewTransactions(f *testing.F) {
	// Transactions from bitcoin-etl's block_with_transactions case (50001).
	f.Add(mustHex(f, "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff080415112a1c02cc00ffffffff0100f2052a01000000434104c1b5671c8975087cc796d6ea73d2407591528b5c669106f9b6ab6ef6e373a57553e14866aaeffc44a9f58e5ee0c7faa7add7474f0a2c55a22cb40b949fdc933cac00000000"))
	f.Add(mustHex(f, "01000000011632b99d5e40fe3257f203d05c43542a8631ad09f7803b43f891f9892b52370d000000004948304502204066eef7b0f0b4869da7b841dbcde2279d0b787d7ea45d4b22ceb4d52474eb430221008ebf879fadadf71d426ed54d12fbb414ae63c8dc66b542ec186ec0208f0ae2ac01ffffffff0100f2052a010000001976a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac00000000"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx := new(wire.MsgTx)
		if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return
		}
		msg := &wire.MsgBlock{Header: wire.BlockHeader{Timestamp: time.Unix(1, 0)}, Transactions: []*wire.MsgTx{tx, tx}}
		// The second copy spends nothing in-block unless it spends the
		// first; either way every input is known or null, never zero.
		txs := NewTransactions(1, msg, nil, &chaincfg.MainNetParams)
		b := NewBlock(1, msg)
		if b.TransactionCount != 2 || len(txs) != 2 {
			t.Fatalf("block has %d records for %d transactions", len(txs), b.TransactionCount)
		}
		for _, r := range txs {
			if r.InputCount != len(r.Inputs) || r.OutputCount != len(r.Outputs) {
				t.Fatalf("counts %d/%d for %d/%d", r.InputCount, r.OutputCount, len(r.Inputs), len(r.Outputs))
			}
			if (r.InputValue == nil) != (r.Fee == nil) {
				t.Fatalf("input_value %v but fee %v", r.InputValue, r.Fee)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzScriptAsm renders arbitrary scripts: never a panic, and a script that
// tokenizes fully never reports [error].
func FuzzScriptAsm(f *testing.F) {
	f.Add(mustHex(f, "76a914b5cd7aaed869cd5ccb45868e8666e7e934a2373688ac"), true)
	f.Add(mustHex(f, "4c"), false)
	f.Add(mustHex(f, "6a4c0100"), true)
	f.Fuzz(func(t *testing.T, script []byte, sighash bool) {
		asm := scriptAsm(script, sighash)
		tok := txscript.MakeScriptTokenizer(0, script)
		for tok.Next() {
		}
		if tok.Err() == nil && strings.Contains(asm, "[error]") {
			t.Fatalf("script %x tokenizes but renders %q", script, asm)
		}
		_ = classify(script, &chaincfg.MainNetParams)
	})
}
