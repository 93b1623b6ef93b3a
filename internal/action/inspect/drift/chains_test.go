package drift

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/bitcoin/bitcointest"
	eth "github.com/interdict/interdict/internal/index/ethereum"
	src "github.com/interdict/interdict/internal/sources/ethereum"
	"github.com/interdict/interdict/internal/store/pebble"
)

// ethTx is one transaction a test chain holds: who sends it at which
// height, and its habits.
type ethTx struct {
	height   int64
	from     common.Address
	nonce    uint64
	legacy   bool
	tip, gas int64 // priority fee (1559) or gas price (legacy), wei
}

func hashOf(parts ...any) common.Hash {
	return common.Hash(sha256.Sum256([]byte(fmt.Sprint(parts...))))
}

// ethChain ingests blocks 0..tip holding txs into a Pebble Ethereum index.
func ethChain(t *testing.T, tip int64, txs []ethTx) *pebble.EthStore {
	t.Helper()
	ctx := t.Context()
	store, err := pebble.OpenEth(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	eng, err := eth.NewEngine(ctx, store, eth.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	parent := common.Hash{}
	to := common.HexToAddress("0x00000000000000000000000000000000000000b0")
	for h := int64(0); h <= tip; h++ {
		hash := hashOf("block", h)
		base := big.NewInt(10)
		b := &src.Block{Number: uint64(h), Hash: hash, ParentHash: parent, Miner: common.HexToAddress("0x01"), Difficulty: big.NewInt(0),
			GasLimit: 30_000_000, Timestamp: 1_700_000_000 + uint64(h)*12, BaseFeePerGas: base, Nonce: make([]byte, 8), ExtraData: []byte{}, Txs: []*src.Tx{}}
		bd := &eth.BlockData{Block: b}
		for _, x := range txs {
			if x.height != h {
				continue
			}
			i := uint64(len(b.Txs))
			tx := &src.Tx{Hash: hashOf("tx", h, i), BlockHash: hash, BlockNumber: uint64(h), Index: i, From: x.from, To: &to,
				Nonce: x.nonce, Value: big.NewInt(1e15), Gas: uint64(x.gas), Input: []byte{}, ChainID: big.NewInt(1),
				V: big.NewInt(0), R: big.NewInt(1), S: big.NewInt(2)}
			if x.legacy {
				tx.Type, tx.GasPrice = src.LegacyTxType, big.NewInt(x.tip)
			} else {
				tx.Type, tx.MaxFeePerGas, tx.MaxPriorityFeePerGas = src.DynamicFeeTxType, big.NewInt(x.tip+100), big.NewInt(x.tip)
				tx.GasPrice = new(big.Int).Add(base, big.NewInt(x.tip))
				tx.YParity = new(uint64)
			}
			one := uint64(1)
			rc := &src.Receipt{TxHash: tx.Hash, TxIndex: i, BlockHash: hash, BlockNumber: uint64(h), From: x.from, To: &to, Type: tx.Type,
				GasUsed: 21_000, CumulativeGasUsed: 21_000 * (i + 1), Status: &one, EffectiveGasPrice: tx.GasPrice, LogsBloom: []byte{}}
			b.Txs, b.TxHashes = append(b.Txs, tx), append(b.TxHashes, tx.Hash)
			b.GasUsed += rc.GasUsed
			bd.Receipts = append(bd.Receipts, rc)
		}
		if _, err := eng.Connect(ctx, bd); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		parent = hash
	}
	if err := eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return store
}

// btcSpend is one transaction spending the signer's previous output.
type btcSpend struct {
	height   int64
	version  int32
	rbf      bool
	locktime uint32
	fee      int64
	p2pkhOut bool // pay to a legacy address instead of P2WPKH
}

var params = &chaincfg.RegressionNetParams

// btcChain ingests a chain where every block's coinbase pays signer and each
// spend spends the signer's newest output back to it (with change), into a
// Pebble Bitcoin index. It returns the signer's address.
func btcChain(t *testing.T, tip int64, spends []btcSpend) (*pebble.Store, string) {
	t.Helper()
	ctx := t.Context()
	store, err := pebble.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	eng, err := bitcoin.NewEngine(ctx, store, params, bitcoin.DefaultConfig(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hash160 := make([]byte, 20)
	hash160[0] = 0x51
	signer, _ := btcutil.NewAddressWitnessPubKeyHash(hash160, params)
	script, _ := txscript.PayToAddrScript(signer)
	other, _ := btcutil.NewAddressPubKeyHash(make([]byte, 20), params)
	legacy, _ := txscript.PayToAddrScript(other)
	genesis, _ := bitcointest.Genesis()
	if err := eng.Add(ctx, genesis, 0); err != nil {
		t.Fatal(err)
	}
	prev := genesis.BlockHash()
	var last wire.OutPoint
	var lastValue int64
	for h := int64(1); h <= tip; h++ {
		b := wire.NewMsgBlock(wire.NewBlockHeader(4, &prev, &chainhash.Hash{}, 0x207fffff, uint32(h)))
		b.Header.Timestamp = time.Unix(1_600_000_000+h*600, 0)
		sig, _ := txscript.NewScriptBuilder().AddInt64(h).Script()
		cb := wire.NewMsgTx(1)
		cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
		cb.AddTxOut(wire.NewTxOut(50_000_000, script))
		b.AddTransaction(cb)
		for _, s := range spends {
			if s.height != h || lastValue == 0 {
				continue
			}
			tx := wire.NewMsgTx(s.version)
			in := wire.NewTxIn(&last, nil, wire.TxWitness{make([]byte, 71), make([]byte, 33)})
			in.Sequence = wire.MaxTxInSequenceNum
			if s.rbf {
				in.Sequence = wire.MaxTxInSequenceNum - 2
			}
			tx.AddTxIn(in)
			tx.LockTime = s.locktime
			out := script
			if s.p2pkhOut {
				out = legacy
			}
			tx.AddTxOut(wire.NewTxOut(10_000, out))
			tx.AddTxOut(wire.NewTxOut(lastValue-10_000-s.fee, script))
			b.AddTransaction(tx)
		}
		for _, tx := range b.Transactions {
			for i, o := range tx.TxOut {
				if string(o.PkScript) == string(script) {
					last, lastValue = wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}, o.Value
				}
			}
		}
		if err := eng.Add(ctx, b, h); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		prev = b.BlockHash()
	}
	if err := eng.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return store, signer.EncodeAddress()
}
