package ethereum

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// The canonical key schema. The Pebble backend stores exactly these keys and
// values; the PostgreSQL backend stores rows and rebuilds these pairs only to
// compute the digest. Heights are non-negative and written as 8-byte
// big-endian, indexes as 4-byte big-endian, so byte order is numeric order;
// every key is fixed-length after its address, so byte order is also the
// order of the fields.
//
//	'a' addr(20) id(17) dir(1)               → EncodeTransfer   (address history, both sides)
//	'b' height(8)                            → EncodeBlock      (without Txs)
//	'f' id(17)                               → EncodeTransfer
//	'h' hash(32)                             → height(8)
//	'k' height(8) seq(4)                     → EncodeToken      (tokens the block created)
//	'l' height(8) seq(4)                     → EncodeLog        (in log-index order)
//	'n' height(8) index(4)                   → EncodeTxRecord   (tx with receipt, no logs)
//	'r' height(8) seq(4)                     → EncodeTrace      (in the node's order)
//	't'                                      → tip: height(8) hash(32)
//	'u' height(8)                            → undo entry (encodeUndo)
//	'v' addr(20) asset id(17) dir(1)         → amount (big-endian, minimal)   (balance flows)
//	'x' txhash(32)                           → height(8) index(4)
//
// id is a TransferID: height(8) txIndex(4) source(1) index(4). asset is 0x00
// for ether or 0x01 token(20), prefix-free, so byte order is (native first,
// then tokens by address).
//
// Digest: SHA-256 over every pair in ascending byte order of the key, each as
// uvarint(len(key)) key uvarint(len(value)) value.
const (
	prefixAddress  = 'a'
	prefixBlock    = 'b'
	prefixTransfer = 'f'
	prefixHash     = 'h'
	prefixToken    = 'k'
	prefixLog      = 'l'
	prefixTx       = 'n'
	prefixTrace    = 'r'
	prefixTip      = 't'
	prefixUndo     = 'u'
	prefixFlow     = 'v'
	prefixTxLoc    = 'x'
)

// idLen is the length of an encoded TransferID.
const idLen = 17

// KV is one key/value pair of the canonical schema.
type KV struct{ Key, Value []byte }

// TipKey is the key of the tip record.
func TipKey() []byte { return []byte{prefixTip} }

// EncodeTip is the tip record's value.
func EncodeTip(r BlockRef) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(r.Height))
	return append(v, r.Hash[:]...)
}

// DecodeTip decodes EncodeTip's value.
func DecodeTip(v []byte) (BlockRef, error) {
	if len(v) != 40 {
		return BlockRef{}, errCorrupt("tip")
	}
	r := BlockRef{Height: int64(binary.BigEndian.Uint64(v))}
	copy(r.Hash[:], v[8:])
	return r, nil
}

func heightKey(prefix byte, height int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, uint64(height))
}

func seqKey(prefix byte, height int64, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(heightKey(prefix, height), seq)
}

// BlockKey is the key of the block at height.
func BlockKey(height int64) []byte { return heightKey(prefixBlock, height) }

// HashKey is the key of a block hash → height entry.
func HashKey(h common.Hash) []byte { return append([]byte{prefixHash}, h[:]...) }

// TxKey is the key of the transaction at index of the block at height.
func TxKey(height int64, index uint32) []byte { return seqKey(prefixTx, height, index) }

// TxLocKey is the key of a transaction hash → location entry.
func TxLocKey(h common.Hash) []byte { return append([]byte{prefixTxLoc}, h[:]...) }

// LogKey, TraceKey and TokenKey are the keys of the seq-th log, trace and
// token record of a block.
func LogKey(height int64, seq uint32) []byte   { return seqKey(prefixLog, height, seq) }
func TraceKey(height int64, seq uint32) []byte { return seqKey(prefixTrace, height, seq) }
func TokenKey(height int64, seq uint32) []byte { return seqKey(prefixToken, height, seq) }

// UndoKey is the key of the undo entry of a height.
func UndoKey(height int64) []byte { return heightKey(prefixUndo, height) }

// HeightPrefixes are the key spaces whose keys start with a height: a
// block's records in them are the range [prefix height, prefix height+1).
var HeightPrefixes = []byte{prefixBlock, prefixTransfer, prefixToken, prefixLog, prefixTx, prefixTrace, prefixUndo}

// HeightRange returns the range of a height's keys in a height-prefixed
// key space.
func HeightRange(prefix byte, height int64) (lower, upper []byte) {
	return heightKey(prefix, height), heightKey(prefix, height+1)
}

// EncodeHeight is the value of a hash → height entry.
func EncodeHeight(height int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(height)) }

// DecodeHeight decodes EncodeHeight's value.
func DecodeHeight(v []byte) (int64, error) {
	if len(v) != 8 {
		return 0, errCorrupt("height")
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// EncodeTxLocation is the value of a tx hash → location entry.
func EncodeTxLocation(l TxLocation) []byte {
	return binary.BigEndian.AppendUint32(EncodeHeight(l.Height), l.Index)
}

// DecodeTxLocation decodes EncodeTxLocation's value.
func DecodeTxLocation(v []byte) (TxLocation, error) {
	if len(v) != 12 {
		return TxLocation{}, errCorrupt("tx location")
	}
	return TxLocation{Height: int64(binary.BigEndian.Uint64(v)), Index: binary.BigEndian.Uint32(v[8:])}, nil
}

func appendID(k []byte, id TransferID) []byte {
	k = binary.BigEndian.AppendUint64(k, uint64(id.Height))
	k = binary.BigEndian.AppendUint32(k, id.TxIndex)
	k = append(k, byte(id.Source))
	return binary.BigEndian.AppendUint32(k, id.Index)
}

func readID(k []byte) TransferID {
	return TransferID{
		Height:  int64(binary.BigEndian.Uint64(k)),
		TxIndex: binary.BigEndian.Uint32(k[8:]),
		Source:  Source(k[12]),
		Index:   binary.BigEndian.Uint32(k[13:]),
	}
}

// TransferKey is the key of a transfer.
func TransferKey(id TransferID) []byte {
	return appendID(append(make([]byte, 0, 1+idLen), prefixTransfer), id)
}

// DecodeTransferKey returns the ID in a TransferKey.
func DecodeTransferKey(k []byte) (TransferID, error) {
	if len(k) != 1+idLen || k[0] != prefixTransfer {
		return TransferID{}, errCorrupt("transfer key")
	}
	return readID(k[1:]), nil
}

func addrBytes(a string) []byte {
	if a == "" {
		return nil
	}
	return common.HexToAddress(a).Bytes()
}

// AddressKey is the key of an address history entry.
func AddressKey(address string, id TransferID, d Dir) []byte {
	k := make([]byte, 0, 1+20+idLen+1)
	k = append(append(k, prefixAddress), addrBytes(address)...)
	return append(appendID(k, id), byte(d))
}

// AddressPrefix is the key prefix of an address's history, from height on.
func AddressPrefix(address string, fromHeight int64) []byte {
	k := append([]byte{prefixAddress}, addrBytes(address)...)
	return binary.BigEndian.AppendUint64(k, uint64(max(fromHeight, 0)))
}

// DecodeAddressKey returns the ID and side of an address history key.
func DecodeAddressKey(k []byte) (TransferID, Dir, error) {
	if len(k) != 1+20+idLen+1 || k[0] != prefixAddress || k[len(k)-1] > 1 {
		return TransferID{}, 0, errCorrupt("address key")
	}
	return readID(k[21:]), Dir(k[len(k)-1]), nil
}

// AssetCode is an asset's bytes in flow keys: 0x00 for ether, 0x01 and the
// token address for a token. ok is false for a name that is neither.
func AssetCode(asset string) (code []byte, ok bool) {
	if asset == NativeAsset {
		return []byte{0}, true
	}
	t, found := strings.CutPrefix(asset, "eth:")
	if !found || len(t) != 42 || !common.IsHexAddress(t) || t != strings.ToLower(t) {
		return nil, false
	}
	return append([]byte{1}, common.HexToAddress(t).Bytes()...), true
}

// FlowKey is the key of a balance-flow entry.
func FlowKey(address, asset string, id TransferID, d Dir) []byte {
	code, _ := AssetCode(asset)
	k := make([]byte, 0, 1+20+len(code)+idLen+1)
	k = append(append(append(k, prefixFlow), addrBytes(address)...), code...)
	return append(appendID(k, id), byte(d))
}

// FlowKeyCode is FlowKey with the asset given as its AssetCode bytes.
func FlowKeyCode(address common.Address, code []byte, id TransferID, d Dir) []byte {
	k := make([]byte, 0, 1+20+len(code)+idLen+1)
	k = append(append(append(k, prefixFlow), address[:]...), code...)
	return append(appendID(k, id), byte(d))
}

// FlowPrefix is the key prefix of an address's flows of an asset, from
// height on.
func FlowPrefix(address, asset string, fromHeight int64) []byte {
	code, _ := AssetCode(asset)
	k := append(append([]byte{prefixFlow}, addrBytes(address)...), code...)
	return binary.BigEndian.AppendUint64(k, uint64(max(fromHeight, 0)))
}

// DecodeFlow decodes a flow key and value.
func DecodeFlow(k, v []byte) (Flow, error) {
	if len(k) < 1+20+1+idLen+1 || k[0] != prefixFlow || k[len(k)-1] > 1 {
		return Flow{}, errCorrupt("flow key")
	}
	n := len(k) - idLen - 1
	amount, err := decodeAmount(v)
	if err != nil {
		return Flow{}, err
	}
	return Flow{ID: readID(k[n:]), Dir: Dir(k[len(k)-1]), Amount: amount}, nil
}

// transferEntries returns the address history and flow pairs of a transfer
// (the value of the address pair is the transfer's encoding, ev).
func transferEntries(t *Transfer, ev []byte) []KV {
	var out []KV
	amount := t.Amount.Bytes()
	for _, side := range []struct {
		addr string
		d    Dir
	}{{t.From, Out}, {t.To, In}} {
		if side.addr == "" {
			continue
		}
		out = append(out,
			KV{AddressKey(side.addr, t.ID, side.d), ev},
			KV{FlowKey(side.addr, t.Asset, t.ID, side.d), amount})
	}
	return out
}

// TransferKVs returns every pair a transfer adds: its record, its address
// history entries and its flow entries.
func TransferKVs(t *Transfer) []KV {
	ev := EncodeTransfer(t)
	return append([]KV{{TransferKey(t.ID), ev}}, transferEntries(t, ev)...)
}

// Digester computes the index digest: feed it every pair in ascending key
// order.
type Digester struct{ h hash.Hash }

// NewDigester returns an empty digester.
func NewDigester() *Digester { return &Digester{h: sha256.New()} }

// Add hashes one key/value pair.
func (d *Digester) Add(key, value []byte) {
	var n [binary.MaxVarintLen64]byte
	d.h.Write(n[:binary.PutUvarint(n[:], uint64(len(key)))])
	d.h.Write(key)
	d.h.Write(n[:binary.PutUvarint(n[:], uint64(len(value)))])
	d.h.Write(value)
}

// Sum returns the digest.
func (d *Digester) Sum() [32]byte {
	var s [32]byte
	copy(s[:], d.h.Sum(nil))
	return s
}

// DigestKVs sorts pairs by key and returns their digest.
func DigestKVs(kvs []KV) [32]byte {
	slices.SortFunc(kvs, func(a, b KV) int { return bytes.Compare(a.Key, b.Key) })
	d := NewDigester()
	for _, kv := range kvs {
		d.Add(kv.Key, kv.Value)
	}
	return d.Sum()
}
