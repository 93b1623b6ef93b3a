package ethereum

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func seedTransfer() *Transfer {
	return &Transfer{ID: TransferID{Height: 9, TxIndex: 2, Source: SourceTrace, Index: 4}, Kind: KindERC721,
		Asset: TokenAsset(common.Address{7}), From: NormalizeAddress(common.Address{1}), To: NormalizeAddress(common.Address{2}),
		Amount: big.NewInt(1), TokenID: new(big.Int).Lsh(big.NewInt(1), 200), TxHash: common.Hash{3}, TraceAddress: []int{0, 5}}
}

// FuzzDecodeTransfer: any bytes decode to a transfer or ErrCorrupt, never a
// panic; what decodes encodes back to the same bytes.
func FuzzDecodeTransfer(f *testing.F) {
	f.Add(EncodeTransfer(seedTransfer()))
	f.Add(EncodeTransfer(&Transfer{Kind: KindFee, Asset: NativeAsset, From: NormalizeAddress(common.Address{1}), Amount: big.NewInt(0)}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		id := TransferID{Height: 1, TxIndex: 2, Source: SourceLog, Index: 3}
		tr, err := DecodeTransfer(id, v)
		if err != nil {
			return
		}
		if again := EncodeTransfer(tr); !bytes.Equal(again, v) {
			t.Fatalf("decoded %x re-encodes as %x", v, again)
		}
	})
}

// FuzzDecodeUndo: any bytes decode to an undo entry or an error.
func FuzzDecodeUndo(f *testing.F) {
	u := undoData{parent: common.Hash{1}, txHashes: []common.Hash{{2}, {3}}, transfers: []*Transfer{seedTransfer()}}
	u.transfers[0].ID.Height = 9
	f.Add(int64(9), u.encode())
	f.Add(int64(0), (&undoData{}).encode())
	f.Fuzz(func(t *testing.T, height int64, v []byte) {
		d, err := decodeUndo(height, v)
		if err != nil {
			return
		}
		if again := d.encode(); !bytes.Equal(again, v) {
			t.Fatalf("decoded %x re-encodes as %x", v, again)
		}
	})
}

// FuzzDecodeRecords: the JSON-encoded records and every key and small
// value decoder reject bad bytes with an error, never a panic.
func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte(`{"number":"0x1","hash":"0x0000000000000000000000000000000000000000000000000000000000000001","parentHash":"0x0000000000000000000000000000000000000000000000000000000000000000","transactions":[]}`))
	f.Add([]byte(`{"Tx":{"hash":"0x01"},"Receipt":null}`))
	f.Add([]byte(`{"BlockNumber":1,"Type":"call","TraceAddress":[0,1],"Value":12}`))
	f.Add(AddressKey(NormalizeAddress(common.Address{1}), TransferID{Height: 1}, In))
	f.Add(EncodeTip(BlockRef{Height: 5}))
	f.Fuzz(func(t *testing.T, v []byte) {
		_, _ = DecodeBlock(v)
		_, _ = DecodeTxRecord(v)
		_, _ = DecodeLog(v)
		_, _ = DecodeTrace(v)
		_, _ = DecodeToken(v)
		_, _ = DecodeTip(v)
		_, _ = DecodeHeight(v)
		_, _ = DecodeTxLocation(v)
		_, _, _ = DecodeAddressKey(v)
		_, _ = DecodeTransferKey(v)
		_, _ = DecodeFlow(v, v)
		_, _ = decodeAmount(v)
	})
}
