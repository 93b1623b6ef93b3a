package bitcoin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// ErrCorrupt: a stored value does not decode.
var ErrCorrupt = errors.New("bitcoin index: corrupt record")

func errCorrupt(what string) error { return fmt.Errorf("%w: %s", ErrCorrupt, what) }

// enc appends the compact encodings records are stored in.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) hash(h *chainhash.Hash) {
	e.b = append(e.b, h[:]...)
}
func (e *enc) bytes(p []byte) { e.uvarint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *enc) byte1(c byte)   { e.b = append(e.b, c) }

// dec reads what enc wrote; the first error sticks.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail() { d.err = ErrCorrupt; d.b = nil }

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) hash() (h chainhash.Hash) {
	if len(d.b) < 32 {
		d.fail()
		return h
	}
	copy(h[:], d.b)
	d.b = d.b[32:]
	return h
}

func (d *dec) bytes() []byte { return bytes.Clone(d.lend()) }

// lend is bytes without the copy: the slice aliases the value decoded.
func (d *dec) lend() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *dec) byte1() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// count reads a length that must fit in what remains (each element takes at
// least min bytes), so corrupt input cannot make us allocate wildly.
func (d *dec) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *dec) done(what string) error {
	if d.err != nil || len(d.b) != 0 {
		return errCorrupt(what)
	}
	return nil
}

// EncodeBlock is the block record's value.
func EncodeBlock(b *Block) []byte {
	e := enc{b: make([]byte, 0, 160+32*len(b.Txids))}
	e.hash(&b.Hash)
	e.varint(b.Height)
	e.hash(&b.Prev)
	e.varint(int64(b.Version))
	e.hash(&b.MerkleRoot)
	e.varint(b.Time)
	e.uvarint(uint64(b.Bits))
	e.uvarint(uint64(b.Nonce))
	e.varint(b.Size)
	e.varint(b.StrippedSize)
	e.varint(b.Weight)
	e.bytes(b.CoinbaseScript)
	e.uvarint(uint64(len(b.Txids)))
	for i := range b.Txids {
		e.hash(&b.Txids[i])
	}
	return e.b
}

// DecodeBlockTime decodes the header time of EncodeBlock's value, and
// nothing after it.
func DecodeBlockTime(v []byte) (int64, error) {
	d := dec{b: v}
	d.hash()
	d.varint()
	d.hash()
	d.varint()
	d.hash()
	t := d.varint()
	if d.err != nil {
		return 0, errCorrupt("block")
	}
	return t, nil
}

// DecodeBlock decodes EncodeBlock's value.
func DecodeBlock(v []byte) (*Block, error) {
	d := dec{b: v}
	b := &Block{}
	b.Hash = d.hash()
	b.Height = d.varint()
	b.Prev = d.hash()
	b.Version = int32(d.varint())
	b.MerkleRoot = d.hash()
	b.Time = d.varint()
	b.Bits = uint32(d.uvarint())
	b.Nonce = uint32(d.uvarint())
	b.Size = d.varint()
	b.StrippedSize = d.varint()
	b.Weight = d.varint()
	b.CoinbaseScript = d.bytes()
	n := d.count(32)
	b.Txids = make([]chainhash.Hash, n)
	for i := range b.Txids {
		b.Txids[i] = d.hash()
	}
	return b, d.done("block")
}

// EncodeTx is the transaction record's value (the txid is the key).
func EncodeTx(t *Tx) []byte {
	size := t.Msg.SerializeSize()
	e := enc{b: make([]byte, 0, size+64+40*len(t.Prev))}
	e.hash(&t.BlockHash)
	e.varint(t.Height)
	e.uvarint(uint64(t.Index))
	e.uvarint(uint64(size))
	// Serialized in place (the capacity is reserved), not into a buffer
	// copied after: the transaction is the largest record.
	raw := bytes.NewBuffer(e.b)
	_ = t.Msg.Serialize(raw) // writes to a buffer cannot fail
	e.b = raw.Bytes()
	e.uvarint(uint64(len(t.Prev)))
	for _, p := range t.Prev {
		if !p.Known {
			e.byte1(0)
			continue
		}
		e.byte1(1)
		e.varint(p.Value)
		e.bytes(p.PkScript)
	}
	return e.b
}

// DecodeTx decodes EncodeTx's value for the transaction txid.
func DecodeTx(txid chainhash.Hash, v []byte) (*Tx, error) {
	d := dec{b: v}
	t := &Tx{Txid: txid}
	t.BlockHash = d.hash()
	t.Height = d.varint()
	t.Index = int(d.uvarint())
	raw := d.lend() // Deserialize copies the scripts it keeps
	if d.err == nil {
		t.Msg = &wire.MsgTx{}
		if err := t.Msg.Deserialize(bytes.NewReader(raw)); err != nil {
			return nil, fmt.Errorf("%w: tx %s: %v", ErrCorrupt, txid, err)
		}
	}
	n := d.count(1)
	t.Prev = make([]PrevOut, n)
	for i := range t.Prev {
		if d.byte1() == 1 {
			t.Prev[i] = PrevOut{Known: true, Value: d.varint(), PkScript: d.bytes()}
		}
	}
	return t, d.done("tx")
}

// EncodeOutput is the output record's value (the outpoint is the key).
func EncodeOutput(o *Output) []byte {
	e := enc{b: make([]byte, 0, 24+len(o.PkScript)+40*len(o.Addresses))}
	e.varint(o.Height)
	if o.Coinbase {
		e.byte1(1)
	} else {
		e.byte1(0)
	}
	e.varint(o.Value)
	e.bytes(o.PkScript)
	e.byte1(byte(o.Class))
	e.uvarint(uint64(o.ReqSigs))
	e.uvarint(uint64(len(o.Addresses)))
	for _, a := range o.Addresses {
		e.bytes([]byte(a))
	}
	return e.b
}

// DecodeOutput decodes EncodeOutput's value for the output at op.
func DecodeOutput(op wire.OutPoint, v []byte) (*Output, error) {
	d := dec{b: v}
	o := &Output{OutPoint: op}
	o.Height = d.varint()
	o.Coinbase = d.byte1() == 1
	o.Value = d.varint()
	o.PkScript = d.bytes()
	o.Class = ScriptClass(d.byte1())
	o.ReqSigs = int(d.uvarint())
	if n := d.count(1); n > 0 {
		o.Addresses = make([]string, n)
		for i := range o.Addresses {
			o.Addresses[i] = string(d.bytes())
		}
	}
	return o, d.done("output")
}

// EncodeSpend is the spend record's value (the spent outpoint is the key).
func EncodeSpend(s *Spend) []byte {
	e := enc{b: make([]byte, 0, 48)}
	e.hash(&s.Txid)
	e.uvarint(uint64(s.Vin))
	e.varint(s.Height)
	return e.b
}

// DecodeSpend decodes EncodeSpend's value for the spend of op.
func DecodeSpend(op wire.OutPoint, v []byte) (*Spend, error) {
	d := dec{b: v}
	s := &Spend{OutPoint: op}
	s.Txid = d.hash()
	s.Vin = uint32(d.uvarint())
	s.Height = d.varint()
	return s, d.done("spend")
}

// BlockKVs returns the pairs of a block record: 'b' and 'h'.
func BlockKVs(b *Block) []KV {
	return []KV{{BlockKey(b.Height), EncodeBlock(b)}, {HashKey(b.Hash), EncodeHeight(b.Height)}}
}

// OutputKVs returns the pairs of an output record: 'o' and one 'a' per address.
func OutputKVs(o *Output) []KV {
	kvs := make([]KV, 0, 1+len(o.Addresses))
	kvs = append(kvs, KV{OutputKey(o.OutPoint), EncodeOutput(o)})
	for _, a := range o.Addresses {
		kvs = append(kvs, KV{AddressKey(a, o.Height, o.OutPoint), nil})
	}
	return kvs
}
