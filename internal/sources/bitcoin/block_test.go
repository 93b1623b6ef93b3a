package bitcoin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
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
		{"testnet4", &chaincfg.TestNet4Params},
		{"signet", &chaincfg.SigNetParams},
		{"Regtest", &chaincfg.RegressionNetParams},
	} {
		t.Run(c.name+" selects "+c.want.Name, func(t *testing.T) {
			if got, err := Params(c.name); err != nil || got != c.want {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
	t.Run("an unknown network is refused", func(t *testing.T) {
		if _, err := Params("testnet5"); !errors.Is(err, ErrUnknownNetwork) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestTestnet4 checks btcd's testnet4 parameters against BIP94 and Bitcoin
// Core (chainparams.cpp): the genesis block hashes to the stated hash, blk
// files are framed with its magic, and tb1 addresses decode on it.
func TestTestnet4(t *testing.T) {
	p, err := Params("testnet4")
	if err != nil {
		t.Fatal(err)
	}
	const coreGenesis = "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"
	t.Run("the genesis block hashes to the hash the params state, Core's", func(t *testing.T) {
		if got := p.GenesisBlock.BlockHash(); got != *p.GenesisHash || got.String() != coreGenesis {
			t.Fatalf("genesis block hashes to %s, params say %s, Core %s", got, p.GenesisHash, coreGenesis)
		}
	})
	t.Run("the magic is Core's 1c163f28 on the wire", func(t *testing.T) {
		if p.Net != 0x283f161c {
			t.Fatalf("magic %#x", uint32(p.Net))
		}
	})
	t.Run("a blk file framed with the testnet4 magic reads back", func(t *testing.T) {
		var buf bytes.Buffer
		if err := p.GenesisBlock.Serialize(&buf); err != nil {
			t.Fatal(err)
		}
		framed := binary.LittleEndian.AppendUint32(nil, uint32(p.Net))
		framed = binary.LittleEndian.AppendUint32(framed, uint32(buf.Len()))
		framed = append(framed, buf.Bytes()...)
		path := filepath.Join(t.TempDir(), "blk00000.dat")
		if err := os.WriteFile(path, framed, 0o600); err != nil {
			t.Fatal(err)
		}
		src, err := OpenFile(path, p)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		b, err := src.Next(t.Context())
		if err != nil || b.Hash.String() != coreGenesis {
			t.Fatalf("got %v, %v", b, err)
		}
	})
	for _, c := range []struct {
		name, addr string
		ok         bool
	}{
		{"a P2WSH tb1 address (BIP173) decodes", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", true},
		{"a P2TR tb1p address (BIP350) decodes", "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", true},
		{"a mainnet bc1 address does not", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := btcutil.DecodeAddress(c.addr, p)
			if !c.ok {
				if err == nil && a.IsForNet(p) {
					t.Fatalf("decoded %v for testnet4", a)
				}
				return
			}
			if err != nil || !a.IsForNet(p) || a.EncodeAddress() != c.addr {
				t.Fatalf("got %v, %v", a, err)
			}
		})
	}
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
