package watch_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/sqlite"
)

var params = &chaincfg.RegressionNetParams

// party is an address the tests pay: a P2WPKH script of a fixed key hash.
type party struct {
	script []byte
	addr   string
}

func newParty(n byte) party {
	s, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(bytes.Repeat([]byte{n}, 20)).Script()
	if err != nil {
		panic(err)
	}
	_, addrs, _ := bitcoin.Classify(s, params)
	return party{script: s, addr: addrs[0]}
}

// pay is one output of a hand-built transaction.
type pay struct {
	to    party
	value int64
}

func spend(ins []wire.OutPoint, outs ...pay) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for _, op := range ins {
		tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
	}
	for _, o := range outs {
		tx.AddTxOut(wire.NewTxOut(o.value, o.to.script))
	}
	return tx
}

func out(tx *wire.MsgTx, i uint32) wire.OutPoint { return wire.OutPoint{Hash: tx.TxHash(), Index: i} }

// chain is a hand-built regtest chain in an in-memory chain index.
type chain struct {
	t    *testing.T
	idx  *bitcoin.MemStore
	eng  *bitcoin.Engine
	time time.Time
	// tips by height of the blocks built, to fork from.
	hashes map[int64]chainhash.Hash
}

func newChain(t *testing.T) *chain {
	t.Helper()
	idx := bitcoin.NewMemStore()
	eng, err := bitcoin.NewEngine(t.Context(), idx, params, bitcoin.Config{BatchBlocks: 1, UndoWindow: 100}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{t: t, idx: idx, eng: eng, time: time.Unix(1_700_000_000, 0), hashes: map[int64]chainhash.Hash{}}
	g := params.GenesisBlock
	c.add(g, 0)
	return c
}

// block builds a block at height on the block at height-1 (salt tells
// competing blocks apart): a coinbase with the given outputs, then txs.
func (c *chain) block(height int64, salt int64, coinbase []pay, txs ...*wire.MsgTx) *wire.MsgBlock {
	c.t.Helper()
	prev := c.hashes[height-1]
	c.time = c.time.Add(10 * time.Minute)
	b := wire.NewMsgBlock(wire.NewBlockHeader(4, &prev, &chainhash.Hash{}, 0x207fffff, uint32(salt)))
	b.Header.Timestamp = c.time
	sig, _ := txscript.NewScriptBuilder().AddInt64(height).AddInt64(salt).Script()
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: wire.MaxPrevOutIndex}, sig, nil))
	if len(coinbase) == 0 {
		coinbase = []pay{{newParty(0xcc), 50_0000_0000}}
	}
	for _, o := range coinbase {
		cb.AddTxOut(wire.NewTxOut(o.value, o.to.script))
	}
	b.AddTransaction(cb)
	for _, tx := range txs {
		b.AddTransaction(tx)
	}
	c.add(b, height)
	return b
}

func (c *chain) add(b *wire.MsgBlock, height int64) {
	c.t.Helper()
	if err := c.eng.Add(c.t.Context(), b, -1); err != nil {
		c.t.Fatalf("add block %d: %v", height, err)
	}
	if err := c.eng.Flush(c.t.Context()); err != nil {
		c.t.Fatal(err)
	}
	c.hashes[height] = b.BlockHash()
}

// flags is a FlagSource the tests change as they go.
type flags struct {
	mu  sync.Mutex
	set []watch.Source
}

func (f *flags) ActiveFlags(_ context.Context, chain string) ([]watch.Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []watch.Source
	for _, s := range f.set {
		if s.Chain == chain {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *flags) add(s ...watch.Source) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = append(f.set, s...)
}

func (f *flags) revoke(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = slices.DeleteFunc(f.set, func(s watch.Source) bool { return s.FlagID == id })
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newEngine(t *testing.T, st watch.Store, fl watch.FlagSource, idx bitcoin.ChainReader) *watch.Engine {
	t.Helper()
	e, err := watch.NewEngine(watch.Deps{Store: st, Flags: fl, BTC: idx, BTCParams: params}, watch.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func catchUp(t *testing.T, e *watch.Engine) watch.Report {
	t.Helper()
	r, err := e.CatchUpChain(t.Context(), watch.BTC)
	if err != nil {
		t.Fatalf("CatchUp: %v", err)
	}
	return r
}

func alerts(t *testing.T, st watch.Store) []watch.Alert {
	t.Helper()
	got, err := st.ChainAlerts(t.Context(), watch.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
