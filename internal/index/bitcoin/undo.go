package bitcoin

import (
	"time"

	"github.com/btcsuite/btcd/wire"
)

// undoData is what a block overwrote and a disconnect must restore: the
// records of transactions, outputs and spends replaced by a duplicate txid
// (BIP30) or a re-spend. For every other block it is empty: what a block
// added is found again from its own records.
//
// Encoding: uvarint count, then per tx txid(32) bytes(EncodeTx); the same for
// outputs (txid(32) uvarint(vout) bytes(EncodeOutput)) and spends
// (txid(32) uvarint(vout) bytes(EncodeSpend)).
type undoData struct {
	txs     []*Tx
	outputs []*Output
	spends  []*Spend
}

func (u *undoData) encode() []byte {
	var e enc
	e.uvarint(uint64(len(u.txs)))
	for _, t := range u.txs {
		e.hash(&t.Txid)
		e.bytes(EncodeTx(t))
	}
	e.uvarint(uint64(len(u.outputs)))
	for _, o := range u.outputs {
		e.hash(&o.OutPoint.Hash)
		e.uvarint(uint64(o.OutPoint.Index))
		e.bytes(EncodeOutput(o))
	}
	e.uvarint(uint64(len(u.spends)))
	for _, s := range u.spends {
		e.hash(&s.OutPoint.Hash)
		e.uvarint(uint64(s.OutPoint.Index))
		e.bytes(EncodeSpend(s))
	}
	return e.b
}

func decodeUndo(v []byte) (*undoData, error) {
	d := dec{b: v}
	u := &undoData{}
	for range d.count(33) {
		id := d.hash()
		t, err := DecodeTx(id, d.bytes())
		if err != nil {
			return nil, err
		}
		u.txs = append(u.txs, t)
	}
	for range d.count(34) {
		op := wire.OutPoint{Hash: d.hash(), Index: uint32(d.uvarint())}
		o, err := DecodeOutput(op, d.bytes())
		if err != nil {
			return nil, err
		}
		u.outputs = append(u.outputs, o)
	}
	for range d.count(34) {
		op := wire.OutPoint{Hash: d.hash(), Index: uint32(d.uvarint())}
		s, err := DecodeSpend(op, d.bytes())
		if err != nil {
			return nil, err
		}
		u.spends = append(u.spends, s)
	}
	return u, d.done("undo")
}

func unixTime(s int64) time.Time { return time.Unix(s, 0) }
