package bitcoin

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/btcsuite/btcd/wire"
)

func TestParseBTC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"50.00000000", 5000000000, true},
		{"50.0", 5000000000, true},
		{"0.1", 10000000, true},
		{"0.00000001", 1, true},
		{"1e-08", 1, true},
		{"20999999.9769", 2099999997690000, true},
		{"0", 0, true},
		{"0.000000001", 0, false},
		{"-1", 0, false},
		{"21000001", 0, false},
		{"abc", 0, false},
		{"1e999999", 0, false},
		{"1E-8", 1, true},
		{"0x10", 0, false},
		{"1/2", 0, false},
		{"", 0, false},
	} {
		t.Run(c.in+" is parsed exactly or refused", func(t *testing.T) {
			got, err := ParseBTC(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Fatalf("got %d, %v", got, err)
			}
		})
	}
}

// txJSONOf writes a transaction as Core's verbose JSON without hex.
func txJSONOf(tx *wire.MsgTx) map[string]any {
	var vin []any
	for _, in := range tx.TxIn {
		m := map[string]any{"sequence": in.Sequence}
		if in.PreviousOutPoint.Index == wire.MaxPrevOutIndex && in.PreviousOutPoint.Hash == ([32]byte{}) {
			m["coinbase"] = hex.EncodeToString(in.SignatureScript)
		} else {
			m["txid"] = in.PreviousOutPoint.Hash.String()
			m["vout"] = in.PreviousOutPoint.Index
			m["scriptSig"] = map[string]any{"hex": hex.EncodeToString(in.SignatureScript)}
		}
		if len(in.Witness) > 0 {
			var w []string
			for _, x := range in.Witness {
				w = append(w, hex.EncodeToString(x))
			}
			m["txinwitness"] = w
		}
		vin = append(vin, m)
	}
	var vout []any
	for i, o := range tx.TxOut {
		vout = append(vout, map[string]any{"n": i, "value": json.Number(fmt.Sprintf("%d.%08d", o.Value/1e8, o.Value%1e8)),
			"scriptPubKey": map[string]any{"hex": hex.EncodeToString(o.PkScript)}})
	}
	return map[string]any{"txid": tx.TxHash().String(), "hash": tx.WitnessHash().String(), "version": tx.Version,
		"locktime": tx.LockTime, "vin": vin, "vout": vout}
}

// TestRebuildFromFields: a node that sends no hex still gives the same
// transactions: every one of block 574200's 3315 (1341 segwit) rebuilt from
// Core-style fields has btcd's txid and witness hash.
func TestRebuildFromFields(t *testing.T) {
	data, _ := btcdFile(t, "wire", "testdata", block574200)
	b, err := DecodeRawBlock(data)
	if err != nil {
		t.Fatal(err)
	}
	h := b.Msg.Header
	var txs []any
	for _, tx := range b.Msg.Transactions {
		txs = append(txs, txJSONOf(tx))
	}
	j, _ := json.Marshal(map[string]any{"hash": b.Hash.String(), "height": 574200, "version": h.Version,
		"previousblockhash": h.PrevBlock.String(), "merkleroot": h.MerkleRoot.String(), "time": h.Timestamp.Unix(),
		"bits": strconv.FormatUint(uint64(h.Bits), 16), "nonce": h.Nonce, "size": b.Size, "tx": txs})
	got, err := DecodeBlockJSON(j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != b.Hash || got.Height != 574200 || got.Size != b.Size || len(got.Msg.Transactions) != 3315 {
		t.Fatalf("got %s at %d, %d bytes, %d txs", got.Hash, got.Height, got.Size, len(got.Msg.Transactions))
	}
	for i, tx := range got.Msg.Transactions {
		if tx.WitnessHash() != b.Msg.Transactions[i].WitnessHash() {
			t.Fatalf("tx %d differs", i)
		}
	}
}

func TestDecodeBlockJSON(t *testing.T) {
	withHex, noHex := fixture(t, "block_50001_verbose2.json"), fixture(t, "block_50001_nohex.json")
	a, err := DecodeBlockJSON(withHex, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the fields rebuild the same block as the hex", func(t *testing.T) {
		b, err := DecodeBlockJSON(noHex, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b.Hash != a.Hash || b.Size != a.Size || b.Height != 50001 || len(b.Msg.Transactions) != 3 {
			t.Fatalf("got %+v", b)
		}
		for i := range b.Msg.Transactions {
			if b.Msg.Transactions[i].TxHash() != a.Msg.Transactions[i].TxHash() {
				t.Fatalf("tx %d differs", i)
			}
		}
	})
	var m map[string]any
	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want error
	}{
		{"a changed header field is caught by the hash", func(m map[string]any) { m["nonce"] = 1 }, ErrDecode},
		{"a changed output value is caught by the txid", func(m map[string]any) {
			tx := m["tx"].([]any)[1].(map[string]any)
			delete(tx, "hex")
			tx["vout"].([]any)[0].(map[string]any)["value"] = 99.0
		}, ErrDecode},
		{"a dropped transaction is caught by the merkle root", func(m map[string]any) { m["tx"] = m["tx"].([]any)[:2] }, ErrDecode},
		{"txids without a way to fetch them are refused", func(m map[string]any) {
			m["tx"] = []any{"e1882d41800d96d0fddc196cd8d3f0b45d65b030c652d97eaba79a1174e64d58"}
		}, ErrDecode},
		{"an Equihash solution is a foreign chain", func(m map[string]any) { m["solution"] = "00" }, ErrForeignChain},
		{"an AuxPoW header is a foreign chain", func(m map[string]any) { m["auxpow"] = map[string]any{} }, ErrForeignChain},
	} {
		t.Run(c.name, func(t *testing.T) {
			json.Unmarshal(withHex, &m)
			c.edit(m)
			j, _ := json.Marshal(m)
			if _, err := DecodeBlockJSON(j, nil); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
