package bitcoin

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

func TestParams(t *testing.T) {
	for _, c := range []struct {
		name string
		want *chaincfg.Params
	}{
		{"mainnet", &chaincfg.MainNetParams},
		{"testnet", &chaincfg.TestNet3Params},
		{"testnet3", &chaincfg.TestNet3Params},
		{"signet", &chaincfg.SigNetParams},
		{"Regtest", &chaincfg.RegressionNetParams},
	} {
		t.Run(c.name+" selects "+c.want.Name, func(t *testing.T) {
			if got, err := Params(c.name); err != nil || got != c.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
	t.Run("testnet4, which btcd v0.24 lacks, is refused", func(t *testing.T) {
		if _, err := Params("testnet4"); !errors.Is(err, ErrUnknownNetwork) {
			t.Fatalf("got %v", err)
		}
	})
}

func coinbaseBlock(version int32, script []byte) *wire.MsgBlock {
	tx := wire.NewMsgTx(1)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: script})
	return &wire.MsgBlock{Header: wire.BlockHeader{Version: version}, Transactions: []*wire.MsgTx{tx}}
}

func TestCoinbaseHeight(t *testing.T) {
	for _, c := range []struct {
		name    string
		version int32
		script  []byte
		want    int64
		ok      bool
	}{
		{"a three-byte push is read little-endian", 2, []byte{3, 0xf8, 0xc2, 0x08, 0xaa}, 574200, true},
		{"OP_1 is height 1 as regtest writes it", 0x20000000, []byte{0x51, 0}, 1, true},
		{"OP_16 is height 16", 4, []byte{0x60}, 16, true},
		{"OP_0 is height 0", 4, []byte{0x00, 0x01}, 0, true},
		{"a push whose top byte is 0x80 needs a padding byte", 2, []byte{2, 0x80, 0x00}, 128, true},
		{"a version 1 block states no height", 1, []byte{3, 0xf8, 0xc2, 0x08}, 0, false},
		{"a negative number is no height", 2, []byte{1, 0x81}, 0, false},
		{"a non-minimal push is no height", 2, []byte{2, 0x05, 0x00}, 0, false},
		{"a push of a number up to 16 is no height (Core writes OP_5)", 2, []byte{1, 0x05}, 0, false},
		{"an empty script states no height", 2, nil, 0, false},
		{"a script starting with an opcode states no height", 2, []byte{0x76}, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := CoinbaseHeight(coinbaseBlock(c.version, c.script))
			if got != c.want || ok != c.ok {
				t.Fatalf("got %d, %v", got, ok)
			}
		})
	}
	t.Run("a block without a coinbase states no height", func(t *testing.T) {
		if _, ok := CoinbaseHeight(&wire.MsgBlock{Header: wire.BlockHeader{Version: 2}}); ok {
			t.Fatal("ok")
		}
	})
}
