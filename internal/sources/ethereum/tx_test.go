package ethereum

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// TestEIP55ChecksumVectors runs the test vectors of EIP-55 itself: the
// checksummed form is what go-ethereum's Address.Hex gives for any casing
// of the input, and a decoded node answer keeps the address whatever its
// case.
func TestEIP55ChecksumVectors(t *testing.T) {
	vectors := []string{
		// All caps
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
		// All lower
		"0xde709f2102306220921060314715629080e2fb77",
		"0x27b1fdb04752bbc536007a920d24acb045561c26",
		// Normal
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	}
	for _, v := range vectors {
		t.Run(v, func(t *testing.T) {
			for _, in := range []string{v, strings.ToLower(v), "0x" + strings.ToUpper(v[2:])} {
				if got := common.HexToAddress(in).Hex(); got != v {
					t.Errorf("checksum of %s = %s, want %s", in, got, v)
				}
				var l Log
				if err := json.Unmarshal([]byte(`{"address":"`+in+`","topics":[],"data":"0x","blockNumber":"0x1","logIndex":"0x0","transactionIndex":"0x0"}`), &l); err != nil {
					t.Fatal(err)
				}
				if l.Address.Hex() != v {
					t.Errorf("decoded %s as %s", in, l.Address.Hex())
				}
			}
		})
	}
}

func signedTxs(t *testing.T) map[string]*types.Transaction {
	t.Helper()
	key, err := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	if err != nil {
		t.Fatal(err)
	}
	chainID := big.NewInt(1)
	to := common.HexToAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	al := types.AccessList{{Address: to, StorageKeys: []common.Hash{common.HexToHash("0x01")}}}
	auth, err := types.SignSetCode(key, types.SetCodeAuthorization{ChainID: *uint256.NewInt(1), Address: to, Nonce: 7})
	if err != nil {
		t.Fatal(err)
	}
	unsigned := map[string]types.TxData{
		"legacy pre-EIP-155": &types.LegacyTx{Nonce: 1, GasPrice: big.NewInt(20e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)},
		"legacy creation":    &types.LegacyTx{Nonce: 2, GasPrice: big.NewInt(20e9), Gas: 90000, Data: []byte{0x60, 0x60}, Value: new(big.Int)},
		"2930 access list":   &types.AccessListTx{ChainID: chainID, Nonce: 3, GasPrice: big.NewInt(30e9), Gas: 50000, To: &to, Value: big.NewInt(5), AccessList: al},
		"1559 dynamic fee":   &types.DynamicFeeTx{ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(90e9), Gas: 60000, To: &to, Value: big.NewInt(6), Data: []byte{0xa9, 0x05, 0x9c, 0xbb}, AccessList: al},
		"4844 blob": &types.BlobTx{ChainID: uint256.NewInt(1), Nonce: 5, GasTipCap: uint256.NewInt(1e9), GasFeeCap: uint256.NewInt(50e9), Gas: 70000, To: to,
			Value: uint256.NewInt(7), BlobFeeCap: uint256.NewInt(3e9), BlobHashes: []common.Hash{common.HexToHash("0x0100000000000000000000000000000000000000000000000000000000000001")}},
		"7702 set code": &types.SetCodeTx{ChainID: uint256.NewInt(1), Nonce: 6, GasTipCap: uint256.NewInt(1e9), GasFeeCap: uint256.NewInt(40e9), Gas: 80000, To: to,
			Value: uint256.NewInt(0), AuthList: []types.SetCodeAuthorization{auth}},
	}
	out := map[string]*types.Transaction{}
	for name, data := range unsigned {
		var signer types.Signer = types.NewPragueSigner(chainID)
		if strings.HasPrefix(name, "legacy") {
			signer = types.HomesteadSigner{}
		}
		tx, err := types.SignNewTx(key, signer, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = tx
	}
	return out
}

// TestTxTypesDecodeAndRoundTrip signs one transaction of every type with
// go-ethereum, checks its RLP encoding round-trips, serves it as a node
// would (go-ethereum's RPC JSON plus from and block fields), decodes it
// with our model and rebuilds it: the rebuilt transaction must encode to
// the same bytes and hash to the node's hash.
func TestTxTypesDecodeAndRoundTrip(t *testing.T) {
	for name, tx := range signedTxs(t) {
		t.Run(name, func(t *testing.T) {
			raw, err := tx.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back types.Transaction
			if err := back.UnmarshalBinary(raw); err != nil {
				t.Fatal(err)
			}
			if back.Hash() != tx.Hash() {
				t.Fatalf("RLP round trip changed the hash")
			}
			js, err := tx.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			_ = json.Unmarshal(js, &m)
			var signer types.Signer = types.NewPragueSigner(big.NewInt(1))
			if tx.Type() == types.LegacyTxType {
				signer = types.HomesteadSigner{}
			}
			from, err := types.Sender(signer, tx)
			if err != nil {
				t.Fatal(err)
			}
			m["from"], m["blockHash"], m["blockNumber"], m["transactionIndex"] = from, common.Hash{1}, "0x10", "0x2"
			if tx.Type() >= types.DynamicFeeTxType {
				m["gasPrice"] = m["maxFeePerGas"] // a mined 1559 tx reports its effective price; any value decodes
			}
			js, _ = json.Marshal(m)
			var got Tx
			if err := json.Unmarshal(js, &got); err != nil {
				t.Fatalf("decode %s: %v", js, err)
			}
			if got.Hash != tx.Hash() || got.Type != tx.Type() || got.From != from || got.Nonce != tx.Nonce() ||
				got.Value.Cmp(tx.Value()) != 0 || got.Gas != tx.Gas() || !bytes.Equal(got.Input, tx.Data()) ||
				got.BlockNumber != 16 || got.Index != 2 {
				t.Fatalf("decoded %+v", got)
			}
			if (tx.To() == nil) != (got.To == nil) {
				t.Fatalf("to %v, want %v", got.To, tx.To())
			}
			if tx.Type() == types.BlobTxType && (got.MaxFeePerBlobGas.Cmp(tx.BlobGasFeeCap()) != 0 || len(got.BlobVersionedHashes) != 1) {
				t.Fatalf("blob fields %v %v", got.MaxFeePerBlobGas, got.BlobVersionedHashes)
			}
			if tx.Type() == types.SetCodeTxType && (len(got.AuthorizationList) != 1 || got.AuthorizationList[0] != tx.SetCodeAuthorizations()[0]) {
				t.Fatalf("authorization list %+v", got.AuthorizationList)
			}
			if err := got.Verify(); err != nil {
				t.Fatal(err)
			}
			rebuilt, _ := got.Transaction()
			rraw, _ := rebuilt.MarshalBinary()
			if !bytes.Equal(rraw, raw) {
				t.Fatalf("rebuilt encoding differs")
			}
			got.Nonce++
			if err := got.Verify(); !errors.Is(err, ErrTxHash) {
				t.Fatalf("a changed field: err = %v, want ErrTxHash", err)
			}
		})
	}
}

// TestRecordedTransactionsHashToTheirHash checks every legacy transaction
// recorded from mainnet by ethereum-etl against its hash.
func TestRecordedTransactionsHashToTheirHash(t *testing.T) {
	n := 0
	for name, raw := range recorded(t, "eth_getBlockByNumber") {
		var b Block
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Txs {
			if err := tx.Verify(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no recorded transactions")
	}
	t.Logf("%d mainnet transactions verified", n)
}
