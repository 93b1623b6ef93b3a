package ethereum

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	src "github.com/interdict/interdict/internal/sources/ethereum"
)

// ErrCorrupt: a stored value does not decode.
var ErrCorrupt = errors.New("ethereum index: corrupt record")

func errCorrupt(what string) error { return fmt.Errorf("%w: %s", ErrCorrupt, what) }

// maxAmountBytes bounds a stored amount: a uint256 (token amounts and ids
// are at most that) with room to spare.
const maxAmountBytes = 64

// Flags of an encoded transfer.
const (
	flagFrom = 1 << iota
	flagTo
	flagTokenID
	flagTxHash
	flagAll = flagFrom | flagTo | flagTokenID | flagTxHash
)

// EncodeTransfer is a transfer's value (its ID is in the key):
//
//	kind(1) asset flags(1) [from(20)] [to(20)] amount [tokenID] [txhash(32)]
//	uvarint(len(traceAddress)) uvarint(each)
//
// asset as in AssetCode; amount and tokenID as uvarint(len) big-endian bytes.
func EncodeTransfer(t *Transfer) []byte {
	code, _ := AssetCode(t.Asset)
	b := make([]byte, 0, 2+len(code)+40+8+32+len(t.TraceAddress)+2)
	b = append(b, byte(t.Kind))
	b = append(b, code...)
	var flags byte
	if t.From != "" {
		flags |= flagFrom
	}
	if t.To != "" {
		flags |= flagTo
	}
	if t.TokenID != nil {
		flags |= flagTokenID
	}
	if t.TxHash != (common.Hash{}) {
		flags |= flagTxHash
	}
	b = append(b, flags)
	b = append(b, addrBytes(t.From)...)
	b = append(b, addrBytes(t.To)...)
	b = appendAmount(b, t.Amount)
	if t.TokenID != nil {
		b = appendAmount(b, t.TokenID)
	}
	if flags&flagTxHash != 0 {
		b = append(b, t.TxHash[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(t.TraceAddress)))
	for _, i := range t.TraceAddress {
		b = binary.AppendUvarint(b, uint64(i))
	}
	return b
}

func appendAmount(b []byte, v *big.Int) []byte {
	var p []byte
	if v != nil {
		p = v.Bytes()
	}
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// decodeAmount decodes a flow value (minimal big-endian bytes).
func decodeAmount(v []byte) (*big.Int, error) {
	if len(v) > maxAmountBytes || len(v) > 0 && v[0] == 0 {
		return nil, errCorrupt("amount")
	}
	return new(big.Int).SetBytes(v), nil
}

// DecodeTransfer decodes EncodeTransfer's value of the transfer with id.
func DecodeTransfer(id TransferID, v []byte) (*Transfer, error) {
	d := rd{b: v}
	t := &Transfer{ID: id, Kind: Kind(d.byte1())}
	if t.Kind == 0 || t.Kind > maxKind {
		return nil, errCorrupt("transfer kind")
	}
	switch d.byte1() {
	case 0:
		t.Asset = NativeAsset
	case 1:
		t.Asset = TokenAsset(common.BytesToAddress(d.take(20)))
	default:
		return nil, errCorrupt("transfer asset")
	}
	flags := d.byte1()
	if flags&^flagAll != 0 {
		return nil, errCorrupt("transfer flags")
	}
	if flags&flagFrom != 0 {
		t.From = NormalizeAddress(common.BytesToAddress(d.take(20)))
	}
	if flags&flagTo != 0 {
		t.To = NormalizeAddress(common.BytesToAddress(d.take(20)))
	}
	t.Amount = d.amount()
	if flags&flagTokenID != 0 {
		t.TokenID = d.amount()
	}
	if flags&flagTxHash != 0 {
		if t.TxHash = common.BytesToHash(d.take(32)); t.TxHash == (common.Hash{}) {
			d.fail() // a zero hash is written as no hash
		}
	}
	if n := d.uvarint(); n > uint64(len(d.b)) {
		d.fail()
	} else if n > 0 {
		t.TraceAddress = make([]int, n)
		for i := range t.TraceAddress {
			x := d.uvarint()
			if x > 1<<31-1 {
				d.fail()
			}
			t.TraceAddress[i] = int(x)
		}
	}
	if err := d.done("transfer"); err != nil {
		return nil, err
	}
	return t, nil
}

// rd reads what the encoders wrote; the first error sticks.
type rd struct {
	b   []byte
	err error
}

func (d *rd) fail() { d.err = ErrCorrupt; d.b = nil }

func (d *rd) byte1() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *rd) take(n int) []byte {
	if len(d.b) < n {
		d.fail()
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

// uvarint reads a uvarint in its shortest form only, so every value has
// one encoding (the digest hashes bytes).
func (d *rd) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rd) amount() *big.Int {
	n := d.uvarint()
	if n > maxAmountBytes || n > uint64(len(d.b)) {
		d.fail()
		return new(big.Int)
	}
	v, err := decodeAmount(d.take(int(n)))
	if err != nil {
		d.fail()
		return new(big.Int)
	}
	return v
}

func (d *rd) done(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = ErrCorrupt
	}
	if d.err != nil {
		return errCorrupt(what)
	}
	return nil
}

// The records ethereum-etl's exports are made of are stored as the JSON of
// the sources' decoded model (encoding/json: deterministic field order, and
// a nil pointer stays null, so "absent" survives the round trip).

// EncodeBlock is a block record's value; the block's Txs are not stored.
func EncodeBlock(b *src.Block) []byte {
	c := *b
	c.Txs = nil
	return mustJSON(&c)
}

// DecodeBlock decodes EncodeBlock's value.
func DecodeBlock(v []byte) (*src.Block, error) { return decodeJSON[src.Block](v, "block") }

// EncodeTxRecord is a transaction record's value (the receipt's logs are
// not stored with it).
func EncodeTxRecord(t *TxRecord) []byte {
	c := *t
	if t.Receipt != nil {
		r := *t.Receipt
		r.Logs = nil
		c.Receipt = &r
	}
	return mustJSON(&c)
}

// DecodeTxRecord decodes EncodeTxRecord's value.
func DecodeTxRecord(v []byte) (*TxRecord, error) {
	t, err := decodeJSON[TxRecord](v, "transaction")
	if err == nil && t.Tx == nil {
		err = errCorrupt("transaction")
	}
	return t, err
}

// EncodeLog, EncodeTrace and EncodeToken are the values of log, trace and
// token records.
func EncodeLog(l *src.Log) []byte     { return mustJSON(l) }
func EncodeTrace(t *src.Trace) []byte { return mustJSON(t) }
func EncodeToken(t *src.Token) []byte { return mustJSON(t) }

// DecodeLog, DecodeTrace and DecodeToken decode their Encode's value.
func DecodeLog(v []byte) (*src.Log, error)     { return decodeJSON[src.Log](v, "log") }
func DecodeTrace(v []byte) (*src.Trace, error) { return decodeJSON[src.Trace](v, "trace") }
func DecodeToken(v []byte) (*src.Token, error) { return decodeJSON[src.Token](v, "token") }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// The model holds only types encoding/json always encodes.
		panic(fmt.Sprintf("ethereum index: encode %T: %v", v, err))
	}
	return b
}

func decodeJSON[T any](v []byte, what string) (*T, error) {
	var t T
	if err := json.Unmarshal(v, &t); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err)
	}
	return &t, nil
}

// undoData is what a disconnect must delete outside the block's per-height
// key ranges, and the parent it rolls back to.
//
// Encoding: parent hash(32) uvarint(n) txhash(32)... uvarint(m) then per
// transfer uvarint(txIndex) source(1) uvarint(index) uvarint(len) EncodeTransfer.
type undoData struct {
	parent    common.Hash
	txHashes  []common.Hash
	transfers []*Transfer
}

func (u *undoData) encode() []byte {
	b := append([]byte(nil), u.parent[:]...)
	b = binary.AppendUvarint(b, uint64(len(u.txHashes)))
	for _, h := range u.txHashes {
		b = append(b, h[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(u.transfers)))
	for _, t := range u.transfers {
		b = binary.AppendUvarint(b, uint64(t.ID.TxIndex))
		b = append(b, byte(t.ID.Source))
		b = binary.AppendUvarint(b, uint64(t.ID.Index))
		ev := EncodeTransfer(t)
		b = binary.AppendUvarint(b, uint64(len(ev)))
		b = append(b, ev...)
	}
	return b
}

// decodeUndo decodes the undo entry of height.
func decodeUndo(height int64, v []byte) (*undoData, error) {
	d := rd{b: v}
	u := &undoData{parent: common.BytesToHash(d.take(32))}
	n := d.uvarint()
	if n > uint64(len(d.b))/32 {
		return nil, errCorrupt("undo")
	}
	u.txHashes = make([]common.Hash, n)
	for i := range u.txHashes {
		u.txHashes[i] = common.BytesToHash(d.take(32))
	}
	m := d.uvarint()
	if m > uint64(len(d.b))/5 {
		return nil, errCorrupt("undo")
	}
	for range m {
		txi := d.uvarint()
		id := TransferID{Height: height, TxIndex: uint32(txi), Source: Source(d.byte1()), Index: uint32(d.uvarint())}
		l := d.uvarint()
		if txi > uint64(BlockLevel) || l > uint64(len(d.b)) || d.err != nil {
			return nil, errCorrupt("undo")
		}
		t, err := DecodeTransfer(id, d.take(int(l)))
		if err != nil {
			return nil, err
		}
		u.transfers = append(u.transfers, t)
	}
	if err := d.done("undo"); err != nil {
		return nil, err
	}
	return u, nil
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}
