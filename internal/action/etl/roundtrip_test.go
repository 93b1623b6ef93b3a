package etl

import (
	"context"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
)

// exportAll rebuilds heights 0..n from the index and builds their records.
func exportAll(t *testing.T, ex Exporter, store bitcoin.ChainReader, n int64) ([]Block, []Transaction) {
	t.Helper()
	ctx := context.Background()
	var blocks []Block
	var txs []Transaction
	for h := int64(0); h <= n; h++ {
		b, err := store.BlockByHeight(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		msg, prev, err := ex.rebuild(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, NewBlock(h, msg))
		txs = append(txs, NewTransactions(h, msg, prev, ex.Params)...)
	}
	return blocks, txs
}

// TestExportFromTheIndexEqualsTheBlocks ingests a generated regtest chain
// with the standard output types, spends of earlier outputs and a BIP30
// duplicate coinbase, then checks the records rebuilt from the index equal
// the records built straight from the generated blocks with every spent
// output known: the index loses nothing the export needs.
func TestExportFromTheIndexEqualsTheBlocks(t *testing.T) {
	ctx := context.Background()
	params := &chaincfg.RegressionNetParams
	gen := bitcointest.New(42)
	genesis, tip := bitcointest.Genesis()
	chain := []*wire.MsgBlock{genesis}
	more, tip := gen.Blocks(tip, 40)
	chain = append(chain, more...)
	dup, tip := gen.Block(tip, chain[3].Transactions[0]) // BIP30: block 3's coinbase again
	chain = append(chain, dup)
	more, _ = gen.Blocks(tip, 10)
	chain = append(chain, more...)

	store := bitcoin.NewMemStore()
	eng, err := bitcoin.NewEngine(ctx, store, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := make(PrevOutMap)
	var wantBlocks []Block
	var wantTxs []Transaction
	for h, msg := range chain {
		if err := eng.Add(ctx, msg, int64(h)); err != nil {
			t.Fatalf("ingest %d: %v", h, err)
		}
		wantBlocks = append(wantBlocks, NewBlock(int64(h), msg))
		wantTxs = append(wantTxs, NewTransactions(int64(h), msg, all, params)...)
		for _, tx := range msg.Transactions {
			for i, out := range tx.TxOut {
				all[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = PrevOut{Value: out.Value, PkScript: out.PkScript}
			}
		}
	}
	if err := eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	gotBlocks, gotTxs := exportAll(t, Exporter{Index: store, Params: params}, store, int64(len(chain)-1))
	if !reflect.DeepEqual(gotBlocks, wantBlocks) {
		t.Error("block records from the index differ from the blocks'")
	}
	if len(gotTxs) != len(wantTxs) {
		t.Fatalf("%d transaction records, want %d", len(gotTxs), len(wantTxs))
	}
	types := map[string]bool{}
	for i := range wantTxs {
		if !reflect.DeepEqual(gotTxs[i], wantTxs[i]) {
			t.Errorf("transaction %s at %d/%d differs", wantTxs[i].Hash, wantTxs[i].BlockNumber, wantTxs[i].Index)
		}
		if wantTxs[i].InputValue == nil {
			t.Errorf("transaction %s has an unknown input on a chain indexed from genesis", wantTxs[i].Hash)
		}
		for _, o := range wantTxs[i].Outputs {
			types[o.Type] = true
		}
	}
	// Bare multisig is not generated; TestClassify covers it.
	for _, typ := range []string{TypePubKey, TypePubKeyHash, TypeScriptHash, TypeNullData, TypeNonStandard,
		TypeWitnessV0Key, TypeWitnessV0Script, TypeWitnessV1Taproot} {
		if !types[typ] {
			t.Errorf("the generated chain has no %s output; the test covers less than it says", typ)
		}
	}
}
