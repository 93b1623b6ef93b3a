package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// watchParty is a P2WPKH output script of a fixed key hash and its regtest
// address.
type watchParty struct {
	script []byte
	addr   string
}

func newWatchParty(n byte) watchParty {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(bytes.Repeat([]byte{n}, 20)).Script()
	_, addrs, _ := bitcoin.Classify(s, &chaincfg.RegressionNetParams)
	return watchParty{s, addrs[0]}
}

// heistBlocks builds regtest blocks 1..3 on genesis: the thief's 50 BTC
// coinbase output, mixed with 50 clean BTC into mule (60 BTC), which pays
// 30 BTC to deposit.
func heistBlocks(thief, clean, mule, deposit watchParty) []*wire.MsgBlock {
	prev := chaincfg.RegressionNetParams.GenesisHash
	at := time.Unix(1_700_000_000, 0)
	var out []*wire.MsgBlock
	block := func(h int64, coinbase []*wire.TxOut, txs ...*wire.MsgTx) {
		b := wire.NewMsgBlock(wire.NewBlockHeader(4, prev, &chainhash.Hash{}, 0x207fffff, uint32(h)))
		b.Header.Timestamp = at.Add(time.Duration(h) * 10 * time.Minute)
		sig, _ := txscript.NewScriptBuilder().AddInt64(h).Script()
		cb := wire.NewMsgTx(1)
		cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
		for _, o := range coinbase {
			cb.AddTxOut(o)
		}
		b.AddTransaction(cb)
		for _, tx := range txs {
			b.AddTransaction(tx)
		}
		out = append(out, b)
		hash := b.BlockHash()
		prev = &hash
	}
	block(1, []*wire.TxOut{wire.NewTxOut(50_0000_0000, thief.script), wire.NewTxOut(50_0000_0000, clean.script)})
	cb := out[0].Transactions[0].TxHash()
	tx1 := wire.NewMsgTx(2)
	tx1.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: cb, Index: 0}, nil, nil))
	tx1.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: cb, Index: 1}, nil, nil))
	tx1.AddTxOut(wire.NewTxOut(60_0000_0000, mule.script))
	tx1.AddTxOut(wire.NewTxOut(39_9999_0000, clean.script))
	block(2, []*wire.TxOut{wire.NewTxOut(50_0000_0000, clean.script)}, tx1)
	tx2 := wire.NewMsgTx(2)
	tx2.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: tx1.TxHash(), Index: 0}, nil, nil))
	tx2.AddTxOut(wire.NewTxOut(29_9999_0000, clean.script))
	tx2.AddTxOut(wire.NewTxOut(30_0000_0000, deposit.script))
	block(3, []*wire.TxOut{wire.NewTxOut(50_0000_0000, clean.script)}, tx2)
	return out
}

type chainAlertDoc struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Chain    string   `json:"chain"`
	Address  string   `json:"address"`
	Amount   string   `json:"amount"`
	FlagIDs  []string `json:"flag_ids"`
	Incident string   `json:"incident"`
	Tx       string   `json:"tx"`
	Height   int64    `json:"height"`
	Path     []string `json:"path"`
	Retro    bool     `json:"retro"`
	History  []struct {
		To   string `json:"to"`
		Note string `json:"note"`
	} `json:"history"`
}

func TestIngestBTCRaisesTheAlertInTheSameRun(t *testing.T) {
	thief, clean, mule, deposit := newWatchParty(0xaa), newWatchParty(0xbb), newWatchParty(0x11), newWatchParty(0xde)
	blocks := heistBlocks(thief, clean, mule, deposit)
	dir := t.TempDir()
	first, rest := filepath.Join(dir, "b1.dat"), filepath.Join(dir, "b23.dat")
	writeFramed(t, first, chaincfg.RegressionNetParams.Net, append([]*wire.MsgBlock{chaincfg.RegressionNetParams.GenesisBlock}, blocks[0]))
	writeFramed(t, rest, chaincfg.RegressionNetParams.Net, blocks[1:])
	data := filepath.Join(dir, "data")
	c := cli{t: t, args: []string{"--data-dir", data, "--log-level", "warn"}}

	c.ok("watch", "add", "--chain", "btc", "--label", "customer 7", strings.ToUpper(deposit.addr))
	c.ok("watch", "settings", "--model", "haircut", "--max-hops", "4")
	var listed []struct {
		Address string `json:"address"`
		Kind    string `json:"kind"`
	}
	c.json(&listed, "watch", "list")
	if len(listed) != 1 || listed[0].Address != deposit.addr || listed[0].Kind != "deposit" {
		t.Fatalf("watch list %+v", listed)
	}
	flags, _ := json.Marshal([]map[string]any{{"flag_id": "flag-1", "chain": "btc", "address": thief.addr,
		"incident": "DMM Bitcoin 2024-05-31", "actor": "Lazarus Group", "reason": "theft"}})
	if err := os.WriteFile(filepath.Join(data, "watch-flags.json"), flags, 0o600); err != nil {
		t.Fatal(err)
	}
	ingest := []string{"ingest", "btc", "--network", "regtest", "--source"}
	c.ok(append(ingest, "file:"+first)...)
	var got []chainAlertDoc
	c.json(&got, "alerts", "list")
	if len(got) != 0 {
		t.Fatalf("alerts before the payment: %+v", got)
	}
	c.ok(append(ingest, "file:"+rest)...)
	c.json(&got, "alerts", "list")
	tx2 := blocks[2].Transactions[1].TxHash().String()
	if len(got) != 1 {
		t.Fatalf("alerts after the payment: %+v", got)
	}
	a := got[0]
	if a.Status != "open" || a.Chain != "btc" || a.Address != deposit.addr || a.Amount != "1500000000" || a.Tx != tx2 ||
		a.Height != 3 || len(a.FlagIDs) != 1 || a.FlagIDs[0] != "flag-1" || a.Incident != "DMM Bitcoin 2024-05-31" ||
		len(a.Path) != 3 || a.Path[2] != tx2 || a.Retro {
		t.Fatalf("alert %+v", a)
	}

	c.ok("alerts", "ack", a.ID, "--note", "calling the customer", "--by", "ana")
	c.ok("alerts", "freeze", a.ID, "--by", "ana")
	if _, _, code := c.run("alerts", "dismiss", a.ID); code != 2 {
		t.Fatalf("dismissing a frozen alert exited %d, want 2", code)
	}
	var shown chainAlertDoc
	c.json(&shown, "alerts", "show", a.ID)
	if shown.Status != "frozen" || len(shown.History) != 2 || shown.History[0].Note != "calling the customer" {
		t.Fatalf("alert after ack and freeze %+v", shown)
	}
	var lists []any
	c.json(&lists, "alerts", "list", "--source", "lists")
	var both map[string]json.RawMessage
	c.json(&both, "alerts", "list", "--source", "all")
	if _, ok := both["flags"]; !ok || both["lists"] == nil {
		t.Fatalf("--source all: %v", both)
	}
	var scan []struct {
		Blocks int `json:"blocks"`
		Alerts int `json:"alerts"`
	}
	c.json(&scan, "alerts", "scan", "--chain", "btc", "--network", "regtest")
	if len(scan) != 1 || scan[0].Blocks != 0 || scan[0].Alerts != 0 {
		t.Fatalf("a scan after the ingest found more: %+v", scan)
	}
	c.ok("watch", "remove", "--chain", "btc", deposit.addr)
	if _, _, code := c.run("watch", "remove", "--chain", "btc", deposit.addr); code == 0 {
		t.Fatal("removing an unwatched address succeeded")
	}
	if _, _, code := c.run("watch", "add", "--chain", "eth", "bc1qnot"); code != 2 {
		t.Fatalf("a bad address exited %d, want 2", code)
	}
	if _, _, code := c.run("watch", "settings", "--model", "lifo"); code != 2 {
		t.Fatalf("a bad model exited %d, want 2", code)
	}
	c.ok("watch", "add", "--chain", "btc", "--hashed", "--kind", "cold", deposit.addr)
	c.json(&listed, "watch", "list")
	if len(listed) != 1 || listed[0].Address == deposit.addr || len(listed[0].Address) != 64 {
		t.Fatalf("hashed entry listed as %+v", listed)
	}
	if _, err := os.Stat(filepath.Join(data, "watch.key")); err != nil {
		t.Fatalf("no watch key: %v", err)
	}
}
