package storetest

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// sampleTx returns a transaction spending prev (none: a coinbase) with two
// outputs, and its records.
func sampleTx(tag string, prev *wire.OutPoint) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	in := wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, []byte(tag), nil)
	if prev != nil {
		in = wire.NewTxIn(prev, []byte{0x01, 0x02}, [][]byte{[]byte("sig"), []byte(tag)})
	}
	tx.AddTxIn(in)
	tx.AddTxOut(wire.NewTxOut(5000, append([]byte{0x00, 0x14}, bytes.Repeat([]byte{tag[0]}, 20)...)))
	tx.AddTxOut(wire.NewTxOut(0, []byte{0x6a, 0x01, 0x07}))
	return tx
}

// sampleConnect is a hand-made connect change of one block with one tx.
func sampleConnect(height int64, prev chainhash.Hash, tag string, spend *wire.OutPoint) bitcoin.Change {
	tx := sampleTx(tag, spend)
	txid := tx.TxHash()
	b := &bitcoin.Block{Hash: hashOf("block " + tag), Height: height, Prev: prev, Version: 4,
		MerkleRoot: txid, Time: 1700000000 + height, Bits: 0x207fffff, Nonce: uint32(height),
		Size: 200, StrippedSize: 180, Weight: 740, CoinbaseScript: []byte(tag), Txids: []chainhash.Hash{txid}}
	rec := &bitcoin.Tx{Txid: txid, BlockHash: b.Hash, Height: height, Index: 0, Msg: tx, Prev: []bitcoin.PrevOut{{}}}
	c := bitcoin.Change{Block: b, PutTxs: []*bitcoin.Tx{rec}, Tip: b.Ref(),
		PutUndo: &bitcoin.UndoEntry{Height: height, Data: []byte("undo " + tag)}}
	c.PutOutputs = []*bitcoin.Output{
		{OutPoint: wire.OutPoint{Hash: txid}, Height: height, Coinbase: spend == nil, Value: 5000,
			PkScript: tx.TxOut[0].PkScript, Class: bitcoin.P2WPKH, Addresses: []string{"bc1q" + tag}, ReqSigs: 1},
		{OutPoint: wire.OutPoint{Hash: txid, Index: 1}, Height: height, PkScript: tx.TxOut[1].PkScript, Class: bitcoin.NullData},
	}
	if spend != nil {
		rec.Prev = []bitcoin.PrevOut{{Known: true, Value: 5000, PkScript: []byte{0x51}}}
		c.PutSpends = []*bitcoin.Spend{{OutPoint: *spend, Txid: txid, Vin: 0, Height: height}}
	}
	return c
}

// sampleDisconnect undoes sampleConnect.
func sampleDisconnect(c bitcoin.Change, parent *bitcoin.BlockRef) bitcoin.Change {
	ref := c.Block.Ref()
	h := ref.Height
	d := bitcoin.Change{DeleteBlock: &ref, DeleteTxs: c.Block.Txids, DeleteOutputs: c.PutOutputs, DeleteUndo: &h}
	for _, s := range c.PutSpends {
		d.DeleteSpends = append(d.DeleteSpends, s.OutPoint)
	}
	if parent == nil {
		d.Empty = true
	} else {
		d.Tip = *parent
	}
	return d
}

func chainRecordCases() []chainCase {
	return []chainCase{
		{"an empty store has no tip and an empty-index digest", func(t *testing.T, s bitcoin.Store) {
			_, err := s.Tip(ctx(t))
			wantNotFound(t, "Tip", err)
			_, err = s.BlockByHeight(ctx(t), 0)
			wantNotFound(t, "BlockByHeight", err)
			_, err = s.Output(ctx(t), outpoint("x", 0))
			wantNotFound(t, "Output", err)
			sameDigest(t, s, bitcoin.NewMemStore())
		}},
		{"committed records read back with every field", func(t *testing.T, s bitcoin.Store) {
			ref := bitcoin.NewMemStore()
			c0 := sampleConnect(0, chainhash.Hash{}, "a", nil)
			op := c0.PutOutputs[0].OutPoint
			c1 := sampleConnect(1, c0.Block.Hash, "b", &op)
			commitBoth(t, s, ref, c0, c1)

			tip, err := s.Tip(ctx(t))
			must(t, "Tip", err)
			if tip != c1.Block.Ref() {
				t.Fatalf("Tip = %+v, want %+v", tip, c1.Block.Ref())
			}
			for _, c := range []bitcoin.Change{c0, c1} {
				b, err := s.BlockByHeight(ctx(t), c.Block.Height)
				must(t, "BlockByHeight", err)
				if !reflect.DeepEqual(b, c.Block) {
					t.Errorf("BlockByHeight(%d) = %+v, want %+v", c.Block.Height, b, c.Block)
				}
				if bt, ok := s.(bitcoin.BlockTimer); ok {
					tm, err := bt.BlockTime(ctx(t), c.Block.Height)
					must(t, "BlockTime", err)
					if tm != c.Block.Time {
						t.Errorf("BlockTime(%d) = %d, want %d", c.Block.Height, tm, c.Block.Time)
					}
					_, err = bt.BlockTime(ctx(t), c1.Block.Height+1)
					wantNotFound(t, "BlockTime above the tip", err)
				}
				b, err = s.BlockByHash(ctx(t), c.Block.Hash)
				must(t, "BlockByHash", err)
				if !reflect.DeepEqual(b, c.Block) {
					t.Errorf("BlockByHash = %+v, want %+v", b, c.Block)
				}
				tx, err := s.Tx(ctx(t), c.PutTxs[0].Txid)
				must(t, "Tx", err)
				if !reflect.DeepEqual(tx, c.PutTxs[0]) {
					t.Errorf("Tx = %+v, want %+v", tx, c.PutTxs[0])
				}
				for _, o := range c.PutOutputs {
					got, err := s.Output(ctx(t), o.OutPoint)
					must(t, "Output", err)
					if !reflect.DeepEqual(got, o) {
						t.Errorf("Output = %+v, want %+v", got, o)
					}
				}
			}
			sp, err := s.Spend(ctx(t), op)
			must(t, "Spend", err)
			if *sp != *c1.PutSpends[0] {
				t.Errorf("Spend = %+v, want %+v", sp, c1.PutSpends[0])
			}
			addr, err := s.AddressOutputs(ctx(t), "bc1qa", 0, 0)
			must(t, "AddressOutputs", err)
			if len(addr) != 1 || addr[0] != (bitcoin.AddressOutput{Address: "bc1qa", Height: 0, OutPoint: op}) {
				t.Errorf("AddressOutputs = %+v", addr)
			}
			u, err := s.Undo(ctx(t), 1)
			must(t, "Undo", err)
			if string(u) != "undo b" {
				t.Errorf("Undo(1) = %q", u)
			}
			sameDigest(t, s, ref)
		}},
		{"address outputs are ordered by height and honour from-height and limit", func(t *testing.T, s bitcoin.Store) {
			ref := bitcoin.NewMemStore()
			var changes []bitcoin.Change
			prev := chainhash.Hash{}
			for h := int64(0); h < 5; h++ {
				c := sampleConnect(h, prev, "a", nil)
				c.PutTxs[0].Msg.LockTime = uint32(h) // distinct txids
				txid := c.PutTxs[0].Msg.TxHash()
				c.PutTxs[0].Txid = txid
				c.Block.Txids = []chainhash.Hash{txid}
				for _, o := range c.PutOutputs {
					o.OutPoint.Hash = txid
				}
				changes = append(changes, c)
				prev = c.Block.Hash
			}
			commitBoth(t, s, ref, changes...)
			all, err := s.AddressOutputs(ctx(t), "bc1qa", 0, 0)
			must(t, "AddressOutputs", err)
			if len(all) != 5 {
				t.Fatalf("AddressOutputs returned %d entries, want 5", len(all))
			}
			for i, a := range all {
				if a.Height != int64(i) || a.OutPoint != changes[i].PutOutputs[0].OutPoint {
					t.Errorf("entry %d = %+v", i, a)
				}
			}
			some, err := s.AddressOutputs(ctx(t), "bc1qa", 2, 2)
			must(t, "AddressOutputs from 2 limit 2", err)
			if len(some) != 2 || some[0].Height != 2 || some[1].Height != 3 {
				t.Errorf("AddressOutputs(from 2, limit 2) = %+v", some)
			}
			none, err := s.AddressOutputs(ctx(t), "bc1q", 0, 0)
			must(t, "AddressOutputs of a prefix", err)
			if len(none) != 0 {
				t.Errorf("an address that is a prefix of another matched %+v", none)
			}
			sameDigest(t, s, ref)
		}},
		{"a disconnect removes exactly what the connect added", func(t *testing.T, s bitcoin.Store) {
			ref := bitcoin.NewMemStore()
			c0 := sampleConnect(0, chainhash.Hash{}, "a", nil)
			commitBoth(t, s, ref, c0)
			before, err := s.Digest(ctx(t))
			must(t, "Digest", err)
			op := c0.PutOutputs[0].OutPoint
			c1 := sampleConnect(1, c0.Block.Hash, "b", &op)
			r0 := c0.Block.Ref()
			commitBoth(t, s, ref, c1, sampleDisconnect(c1, &r0))
			after, err := s.Digest(ctx(t))
			must(t, "Digest", err)
			if before != after {
				t.Fatalf("digest after connect+disconnect %x, before %x", after, before)
			}
			_, err = s.Spend(ctx(t), op)
			wantNotFound(t, "Spend after disconnect", err)
			_, err = s.BlockByHash(ctx(t), c1.Block.Hash)
			wantNotFound(t, "BlockByHash after disconnect", err)
			out, err := s.AddressOutputs(ctx(t), "bc1qb", 0, 0)
			must(t, "AddressOutputs", err)
			if len(out) != 0 {
				t.Errorf("address entries left after disconnect: %+v", out)
			}
			commitBoth(t, s, ref, sampleDisconnect(c0, nil))
			_, err = s.Tip(ctx(t))
			wantNotFound(t, "Tip after disconnecting genesis", err)
			sameDigest(t, s, bitcoin.NewMemStore())
		}},
		{"undo entries below the window are pruned", func(t *testing.T, s bitcoin.Store) {
			ref := bitcoin.NewMemStore()
			c0 := sampleConnect(0, chainhash.Hash{}, "a", nil)
			c1 := sampleConnect(1, c0.Block.Hash, "b", nil)
			c1.PruneUndoBelow = 1
			commitBoth(t, s, ref, c0, c1)
			_, err := s.Undo(ctx(t), 0)
			wantNotFound(t, "Undo(0)", err)
			_, err = s.Undo(ctx(t), 1)
			must(t, "Undo(1)", err)
			sameDigest(t, s, ref)
		}},
		{"a batch of changes is committed as a whole in order", func(t *testing.T, s bitcoin.Store) {
			ref := bitcoin.NewMemStore()
			c0 := sampleConnect(0, chainhash.Hash{}, "a", nil)
			c1 := sampleConnect(1, c0.Block.Hash, "b", nil)
			r0 := c0.Block.Ref()
			c1b := sampleConnect(1, c0.Block.Hash, "c", nil)
			commitBoth(t, s, ref, c0, c1, sampleDisconnect(c1, &r0), c1b)
			tip, err := s.Tip(ctx(t))
			must(t, "Tip", err)
			if tip != c1b.Block.Ref() {
				t.Fatalf("Tip = %+v, want the replacement block %+v", tip, c1b.Block.Ref())
			}
			sameDigest(t, s, ref)
		}},
	}
}
