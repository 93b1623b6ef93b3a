package bitcoin

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// The canonical key schema. The Pebble backend stores exactly these keys and
// values; the PostgreSQL backend stores rows and rebuilds these pairs (with
// the Key/Encode functions below) only to compute the digest. Heights are
// non-negative and written as 8-byte big-endian, vouts as 4-byte big-endian,
// so byte order is numeric order.
//
//	't'                                    → tip: height(8) hash(32)
//	'b' height(8)                          → EncodeBlock(block)
//	'h' hash(32)                           → height(8)
//	'x' txid(32)                           → EncodeTx(tx)   (the last tx with this txid: BIP30)
//	'o' txid(32) vout(4)                   → EncodeOutput(output)
//	's' txid(32) vout(4)                   → EncodeSpend(spend)  (keyed by the spent outpoint)
//	'a' address 0x00 height(8) txid vout(4) → empty            (address index, one per address of an output)
//	'u' height(8)                          → undo data of that height (see encodeUndo)
//	'p' hash(32)                           → EncodeSideBlock (a block held aside; not in the digest)
//
// Hashes are in wire (internal) byte order, as chainhash.Hash holds them.
//
// Digest: SHA-256 over every pair in ascending byte order of the key, each as
// uvarint(len(key)) key uvarint(len(value)) value. It covers the whole index:
// tip, blocks, block hashes, transactions, outputs, spends, address entries and
// undo entries: the indexed chain. The blocks held aside ('p') are left out: an
// index that went through a reorg holds the losing branch there, and still
// equals a clean ingest of the winning chain.
const (
	prefixTip     = 't'
	prefixBlock   = 'b'
	prefixHash    = 'h'
	prefixTx      = 'x'
	prefixOutput  = 'o'
	prefixSpend   = 's'
	prefixAddress = 'a'
	prefixUndo    = 'u'
	prefixSide    = 'p'
)

// SideKey is the key of a block held aside.
func SideKey(h chainhash.Hash) []byte { return append([]byte{prefixSide}, h[:]...) }

// EncodeSideBlock is the value of a block held aside: its height (varint, -1
// when unknown) and the serialized block.
func EncodeSideBlock(sb *SideBlock) []byte {
	e := enc{b: make([]byte, 0, 10+sb.Msg.SerializeSize())}
	e.varint(sb.Height)
	buf := bytes.NewBuffer(e.b)
	_ = sb.Msg.Serialize(buf) // writes to a buffer cannot fail
	return buf.Bytes()
}

// DecodeSideBlock decodes EncodeSideBlock's value of the block held aside
// under hash.
func DecodeSideBlock(hash chainhash.Hash, v []byte) (*SideBlock, error) {
	d := dec{b: v}
	sb := &SideBlock{Hash: hash, Height: d.varint(), Msg: &wire.MsgBlock{}}
	if d.err != nil || sb.Height < -1 {
		return nil, errCorrupt("side block")
	}
	if err := sb.Msg.Deserialize(bytes.NewReader(d.b)); err != nil || sb.Msg.BlockHash() != hash {
		return nil, errCorrupt("side block " + hash.String())
	}
	return sb, nil
}

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
	var r BlockRef
	r.Height = int64(binary.BigEndian.Uint64(v))
	copy(r.Hash[:], v[8:])
	return r, nil
}

// BlockKey is the key of the block record at height.
func BlockKey(height int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixBlock}, uint64(height))
}

// HashKey is the key of the hash → height entry.
func HashKey(h chainhash.Hash) []byte { return append([]byte{prefixHash}, h[:]...) }

// EncodeHeight is the value of a hash → height entry.
func EncodeHeight(height int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(height)) }

// DecodeHeight decodes EncodeHeight's value.
func DecodeHeight(v []byte) (int64, error) {
	if len(v) != 8 {
		return 0, errCorrupt("height")
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// TxKey is the key of a transaction record.
func TxKey(txid chainhash.Hash) []byte { return append([]byte{prefixTx}, txid[:]...) }

// OutputKey is the key of an output record.
func OutputKey(op wire.OutPoint) []byte { return outpointKey(prefixOutput, op) }

// SpendKey is the key of the spend of an outpoint.
func SpendKey(op wire.OutPoint) []byte { return outpointKey(prefixSpend, op) }

func outpointKey(prefix byte, op wire.OutPoint) []byte {
	k := make([]byte, 0, 37)
	k = append(k, prefix)
	k = append(k, op.Hash[:]...)
	return binary.BigEndian.AppendUint32(k, op.Index)
}

// AddressKey is the key of an address index entry (its value is empty).
func AddressKey(address string, height int64, op wire.OutPoint) []byte {
	k := make([]byte, 0, 1+len(address)+1+8+36)
	k = append(k, prefixAddress)
	k = append(k, address...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, uint64(height))
	k = append(k, op.Hash[:]...)
	return binary.BigEndian.AppendUint32(k, op.Index)
}

// AddressPrefix is the key prefix of all entries of an address; with a height
// appended (8 bytes big-endian) it seeks to the first entry at that height.
func AddressPrefix(address string) []byte {
	k := append([]byte{prefixAddress}, address...)
	return append(k, 0)
}

// DecodeAddressKey decodes AddressKey's key.
func DecodeAddressKey(k []byte) (AddressOutput, error) {
	if len(k) < 1+1+8+36 || k[0] != prefixAddress {
		return AddressOutput{}, errCorrupt("address key")
	}
	n := len(k) - (1 + 8 + 36)
	if k[n] != 0 {
		return AddressOutput{}, errCorrupt("address key")
	}
	a := AddressOutput{Address: string(k[1:n])}
	a.Height = int64(binary.BigEndian.Uint64(k[n+1:]))
	copy(a.OutPoint.Hash[:], k[n+9:])
	a.OutPoint.Index = binary.BigEndian.Uint32(k[n+41:])
	return a, nil
}

// UndoKey is the key of the undo entry of a height.
func UndoKey(height int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixUndo}, uint64(height))
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

// DigestKVs sorts pairs by key and returns their digest: the reference for
// backends that cannot list their content in key order.
func DigestKVs(kvs []KV) [32]byte {
	sortKVs(kvs)
	d := NewDigester()
	for _, kv := range kvs {
		d.Add(kv.Key, kv.Value)
	}
	return d.Sum()
}

func sortKVs(kvs []KV) {
	slices.SortFunc(kvs, func(a, b KV) int { return bytes.Compare(a.Key, b.Key) })
}
