package bitcoin_test

import (
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

type records struct {
	block  *bitcoin.Block
	tx     *bitcoin.Tx
	output *bitcoin.Output
	spend  *bitcoin.Spend
}

// sampleRecords returns records of the regtest genesis block.
func sampleRecords() records {
	g := chaincfg.RegressionNetParams.GenesisBlock
	tx := g.Transactions[0]
	id := tx.TxHash()
	b := &bitcoin.Block{Hash: g.BlockHash(), Version: 1, MerkleRoot: g.Header.MerkleRoot, Time: g.Header.Timestamp.Unix(),
		Bits: g.Header.Bits, Nonce: g.Header.Nonce, Size: 285, StrippedSize: 285, Weight: 1140,
		CoinbaseScript: tx.TxIn[0].SignatureScript, Txids: []chainhash.Hash{id}}
	return records{
		block:  b,
		tx:     &bitcoin.Tx{Txid: id, BlockHash: b.Hash, Msg: tx, Prev: []bitcoin.PrevOut{{}}},
		output: &bitcoin.Output{OutPoint: wire.OutPoint{Hash: id}, Coinbase: true, Value: 50_0000_0000, PkScript: tx.TxOut[0].PkScript, Class: bitcoin.P2PK, Addresses: []string{"mpXwg4jMtRhuSpVq4xS3HFHmCmWp9NyGKt"}, ReqSigs: 1},
		spend:  &bitcoin.Spend{OutPoint: wire.OutPoint{Hash: id, Index: 3}, Txid: b.Hash, Vin: 2, Height: 9},
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	c := sampleRecords()
	t.Run("a block record decodes to itself", func(t *testing.T) {
		got, err := bitcoin.DecodeBlock(bitcoin.EncodeBlock(c.block))
		if err != nil || !reflect.DeepEqual(got, c.block) {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("a tx record decodes to itself", func(t *testing.T) {
		got, err := bitcoin.DecodeTx(c.tx.Txid, bitcoin.EncodeTx(c.tx))
		if err != nil || !reflect.DeepEqual(got, c.tx) {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("an output record decodes to itself", func(t *testing.T) {
		got, err := bitcoin.DecodeOutput(c.output.OutPoint, bitcoin.EncodeOutput(c.output))
		if err != nil || !reflect.DeepEqual(got, c.output) {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("an address key decodes to its parts", func(t *testing.T) {
		want := bitcoin.AddressOutput{Address: "bc1qxyz", Height: 77, OutPoint: c.output.OutPoint}
		got, err := bitcoin.DecodeAddressKey(bitcoin.AddressKey(want.Address, want.Height, want.OutPoint))
		if err != nil || got != want {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("a truncated record is corrupt", func(t *testing.T) {
		v := bitcoin.EncodeTx(c.tx)
		if _, err := bitcoin.DecodeTx(c.tx.Txid, v[:len(v)-3]); err == nil {
			t.Fatal("truncated tx decoded")
		}
	})
}
