package postgres

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// Commit implements bitcoin.Store: the whole batch is one transaction, under
// the chain's advisory lock, after a check that the changes extend the tip the
// database holds (bitcoin.ErrNotTip otherwise, with nothing written).
//
// The changes are folded first into one set of deleted keys and one set of
// last-written records per table; the deletes run as one statement per table,
// then the records go in by COPY. That is the same content as applying each
// change in turn: a key's final state is decided by the last change touching
// it, and a put after a delete stays in the put set.
func (s *ChainStore) Commit(ctx context.Context, changes []bitcoin.Change) error {
	if len(changes) == 0 {
		return ctx.Err()
	}
	w := newChainWrites()
	for i := range changes {
		w.apply(&changes[i])
	}
	err := withTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockChainCommit); err != nil {
			return err
		}
		tip, hasTip, err := readTip(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkExtends(tip, hasTip, changes); err != nil {
			return err
		}
		if err := w.deletes(ctx, tx); err != nil {
			return err
		}
		if err := w.puts(ctx, tx); err != nil {
			return err
		}
		if w.empty {
			_, err = tx.Exec(ctx, qDeleteChainTip)
		} else {
			_, err = tx.Exec(ctx, qSetChainTip, w.tip.Height, w.tip.Hash[:])
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: chain commit of %d changes: %w", len(changes), err)
	}
	return nil
}

// checkExtends fails with bitcoin.ErrNotTip unless every change applies on the
// tip left by the ones before it, starting from the committed tip: a
// disconnect removes the tip, a connect builds on it (any block may start an
// empty index). It is the engine's own rule, checked again under the lock
// because another process may have moved the tip since the engine read it.
func checkExtends(tip bitcoin.BlockRef, hasTip bool, changes []bitcoin.Change) error {
	for i := range changes {
		c := &changes[i]
		switch {
		case c.DeleteBlock != nil:
			if !hasTip || *c.DeleteBlock != tip {
				return fmt.Errorf("change %d disconnects block %d %s: %w (tip %d %s)",
					i, c.DeleteBlock.Height, c.DeleteBlock.Hash, bitcoin.ErrNotTip, tip.Height, tip.Hash)
			}
		case c.Block != nil && hasTip:
			if c.Block.Prev != tip.Hash || c.Block.Height != tip.Height+1 {
				return fmt.Errorf("change %d connects block %d %s: %w (tip %d %s)",
					i, c.Block.Height, c.Block.Hash, bitcoin.ErrNotTip, tip.Height, tip.Hash)
			}
		}
		tip, hasTip = c.Tip, !c.Empty
		if c.Empty {
			tip = bitcoin.BlockRef{}
		}
	}
	return nil
}

func readTip(ctx context.Context, q pgx.Tx) (bitcoin.BlockRef, bool, error) {
	var (
		r    bitcoin.BlockRef
		hash []byte
	)
	err := q.QueryRow(ctx, qChainTip).Scan(&r.Height, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	copy(r.Hash[:], hash)
	return r, true, nil
}

// addrKey is one key of the address index.
type addrKey struct {
	address string
	height  int64
	op      wire.OutPoint
}

// keyed is an insertion-ordered set of records by key, last put winning; a
// deleted record leaves a hole so positions stay valid.
type keyed[K comparable, V any] struct {
	at   map[K]int
	keys []K
	vals []V
	live []bool
}

func newKeyed[K comparable, V any]() *keyed[K, V] { return &keyed[K, V]{at: map[K]int{}} }

func (k *keyed[K, V]) put(key K, v V) {
	if i, ok := k.at[key]; ok {
		k.vals[i], k.live[i] = v, true
		return
	}
	k.at[key] = len(k.keys)
	k.keys = append(k.keys, key)
	k.vals = append(k.vals, v)
	k.live = append(k.live, true)
}

func (k *keyed[K, V]) del(key K) {
	if i, ok := k.at[key]; ok {
		var zero V
		k.vals[i], k.live[i] = zero, false
	}
}

// each calls fn for every live record in insertion order.
func (k *keyed[K, V]) each(fn func(K, V)) {
	for i, key := range k.keys {
		if k.live[i] {
			fn(key, k.vals[i])
		}
	}
}

func (k *keyed[K, V]) len() int {
	n := 0
	for _, l := range k.live {
		if l {
			n++
		}
	}
	return n
}

// chainWrites is a batch of changes folded into deletes and puts per table.
type chainWrites struct {
	delBlocks  *keyed[int64, struct{}]
	delHashes  *keyed[chainhash.Hash, struct{}]
	delTxs     *keyed[chainhash.Hash, struct{}]
	delOutputs *keyed[wire.OutPoint, struct{}]
	delAddrs   *keyed[addrKey, struct{}]
	delSpends  *keyed[wire.OutPoint, struct{}]
	delUndo    *keyed[int64, struct{}]
	prune      int64

	blocks  *keyed[int64, *bitcoin.Block]
	hashes  *keyed[chainhash.Hash, int64]
	txs     *keyed[chainhash.Hash, *bitcoin.Tx]
	outputs *keyed[wire.OutPoint, *bitcoin.Output]
	addrs   *keyed[addrKey, struct{}]
	spends  *keyed[wire.OutPoint, *bitcoin.Spend]
	undo    *keyed[int64, []byte]

	side sideWrites

	tip   bitcoin.BlockRef
	empty bool
}

func newChainWrites() *chainWrites {
	return &chainWrites{side: sideWrites{},
		delBlocks: newKeyed[int64, struct{}](), delHashes: newKeyed[chainhash.Hash, struct{}](),
		hashes: newKeyed[chainhash.Hash, int64](),
		delTxs: newKeyed[chainhash.Hash, struct{}](), delOutputs: newKeyed[wire.OutPoint, struct{}](),
		delAddrs: newKeyed[addrKey, struct{}](), delSpends: newKeyed[wire.OutPoint, struct{}](),
		delUndo: newKeyed[int64, struct{}](),
		blocks:  newKeyed[int64, *bitcoin.Block](), txs: newKeyed[chainhash.Hash, *bitcoin.Tx](),
		outputs: newKeyed[wire.OutPoint, *bitcoin.Output](), addrs: newKeyed[addrKey, struct{}](),
		spends: newKeyed[wire.OutPoint, *bitcoin.Spend](), undo: newKeyed[int64, []byte](),
	}
}

// apply folds one change in, in the order bitcoin.Store.Commit documents.
func (w *chainWrites) apply(c *bitcoin.Change) {
	if r := c.DeleteBlock; r != nil {
		w.delBlocks.put(r.Height, struct{}{})
		w.blocks.del(r.Height)
		w.delHashes.put(r.Hash, struct{}{})
		w.hashes.del(r.Hash)
	}
	for _, id := range c.DeleteTxs {
		w.delTxs.put(id, struct{}{})
		w.txs.del(id)
	}
	for _, o := range c.DeleteOutputs {
		w.delOutputs.put(o.OutPoint, struct{}{})
		w.outputs.del(o.OutPoint)
		for _, a := range o.Addresses {
			k := addrKey{a, o.Height, o.OutPoint}
			w.delAddrs.put(k, struct{}{})
			w.addrs.del(k)
		}
	}
	for _, op := range c.DeleteSpends {
		w.delSpends.put(op, struct{}{})
		w.spends.del(op)
	}
	if c.DeleteUndo != nil {
		w.delUndo.put(*c.DeleteUndo, struct{}{})
		w.undo.del(*c.DeleteUndo)
	}
	if c.PruneUndoBelow > 0 {
		w.prune = max(w.prune, c.PruneUndoBelow)
		w.undo.each(func(h int64, _ []byte) {
			if h < c.PruneUndoBelow {
				w.undo.del(h)
			}
		})
	}
	if b := c.Block; b != nil {
		w.blocks.put(b.Height, b)
		w.hashes.put(b.Hash, b.Height)
	}
	for _, t := range c.PutTxs {
		w.txs.put(t.Txid, t)
	}
	for _, o := range c.PutOutputs {
		w.outputs.put(o.OutPoint, o)
		for _, a := range o.Addresses {
			w.addrs.put(addrKey{a, o.Height, o.OutPoint}, struct{}{})
		}
	}
	for _, sp := range c.PutSpends {
		w.spends.put(sp.OutPoint, sp)
	}
	if u := c.PutUndo; u != nil {
		w.undo.put(u.Height, u.Data)
	}
	w.side.apply(c)
	w.tip, w.empty = c.Tip, c.Empty
}

// deletes runs the folded deletes, one statement per table that has any.
func (w *chainWrites) deletes(ctx context.Context, tx pgx.Tx) error {
	b := &pgx.Batch{}
	queueHeightDeletes(b, qDeleteBlocks, w.delBlocks)
	queueHashDeletes(b, qDeleteHashes, w.delHashes)
	queueHashDeletes(b, qDeleteTxs, w.delTxs)
	queueOutPointDeletes(b, qDeleteOutputs, w.delOutputs)
	queueOutPointDeletes(b, qDeleteSpends, w.delSpends)
	queueAddrDeletes(b, w.delAddrs)
	queueHeightDeletes(b, qDeleteUndo, w.delUndo)
	if w.prune > 0 {
		b.Queue(qPruneUndo, w.prune)
	}
	w.side.queue(b)
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

func queueHeightDeletes(b *pgx.Batch, q string, k *keyed[int64, struct{}]) {
	if k.len() == 0 {
		return
	}
	var hs []int64
	k.each(func(h int64, _ struct{}) { hs = append(hs, h) })
	b.Queue(q, hs)
}

func queueHashDeletes(b *pgx.Batch, q string, k *keyed[chainhash.Hash, struct{}]) {
	if k.len() == 0 {
		return
	}
	var ids [][]byte
	k.each(func(h chainhash.Hash, _ struct{}) { ids = append(ids, h[:]) })
	b.Queue(q, ids)
}

func queueOutPointDeletes(b *pgx.Batch, q string, k *keyed[wire.OutPoint, struct{}]) {
	if k.len() == 0 {
		return
	}
	var (
		ids   [][]byte
		vouts []int64
	)
	k.each(func(op wire.OutPoint, _ struct{}) {
		ids = append(ids, op.Hash[:])
		vouts = append(vouts, int64(op.Index))
	})
	b.Queue(q, ids, vouts)
}

func queueAddrDeletes(b *pgx.Batch, k *keyed[addrKey, struct{}]) {
	if k.len() == 0 {
		return
	}
	var (
		addrs   []string
		heights []int64
		ids     [][]byte
		vouts   []int64
	)
	k.each(func(a addrKey, _ struct{}) {
		addrs = append(addrs, a.address)
		heights = append(heights, a.height)
		ids = append(ids, a.op.Hash[:])
		vouts = append(vouts, int64(a.op.Index))
	})
	b.Queue(qDeleteAddresses, addrs, heights, ids, vouts)
}

// puts writes the folded records by COPY. A record whose key the database
// already holds (a BIP30 duplicate txid, a block over a height not
// disconnected first) makes COPY fail; the rare batch that has one is
// written again after deleting every key it puts, which gives put's
// overwrite semantics without paying an upsert on every row.
func (w *chainWrites) puts(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, qSavepoint); err != nil {
		return err
	}
	err := w.copyAll(ctx, tx)
	if err == nil {
		_, err = tx.Exec(ctx, qReleaseSavepoint)
		return err
	}
	if !isUnique(err) {
		return err
	}
	if _, err := tx.Exec(ctx, qRollbackToSave); err != nil {
		return err
	}
	over := newChainWrites()
	w.blocks.each(func(h int64, _ *bitcoin.Block) { over.delBlocks.put(h, struct{}{}) })
	w.hashes.each(func(h chainhash.Hash, _ int64) { over.delHashes.put(h, struct{}{}) })
	w.txs.each(func(id chainhash.Hash, _ *bitcoin.Tx) { over.delTxs.put(id, struct{}{}) })
	w.outputs.each(func(op wire.OutPoint, _ *bitcoin.Output) { over.delOutputs.put(op, struct{}{}) })
	w.addrs.each(func(a addrKey, _ struct{}) { over.delAddrs.put(a, struct{}{}) })
	w.spends.each(func(op wire.OutPoint, _ *bitcoin.Spend) { over.delSpends.put(op, struct{}{}) })
	w.undo.each(func(h int64, _ []byte) { over.delUndo.put(h, struct{}{}) })
	if err := over.deletes(ctx, tx); err != nil {
		return err
	}
	return w.copyAll(ctx, tx)
}

func (w *chainWrites) copyAll(ctx context.Context, tx pgx.Tx) error {
	copies := []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"chain_blocks", []string{"height", "hash", "prev", "version", "merkle_root", "time", "bits", "nonce",
			"size", "stripped_size", "weight", "coinbase_script", "txids"}, w.blockRows()},
		{"chain_block_hashes", []string{"hash", "height"}, w.hashRows()},
		{"chain_txs", []string{"txid", "block_hash", "height", "idx", "raw", "prev_values", "prev_scripts"}, w.txRows()},
		{"chain_outputs", []string{"txid", "vout", "height", "coinbase", "value", "script", "class", "req_sigs", "addresses"}, w.outputRows()},
		{"chain_addresses", []string{"address", "height", "txid", "vout"}, w.addrRows()},
		{"chain_spends", []string{"txid", "vout", "spender_txid", "spender_vin", "height"}, w.spendRows()},
		{"chain_undo", []string{"height", "data"}, w.undoRows()},
	}
	for _, c := range copies {
		if len(c.rows) == 0 {
			continue
		}
		sortRows(c.rows, chainKeyColumns[c.table])
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return nil
}

// chainKeyColumns is how many leading COPY columns of each table make its primary
// key.
var chainKeyColumns = map[string]int{"chain_blocks": 1, "chain_block_hashes": 1, "chain_txs": 1,
	"chain_outputs": 2, "chain_addresses": 4, "chain_spends": 2, "chain_undo": 1}

// sortRows orders rows by their first n columns, so COPY fills each primary
// key's B-tree leaf by leaf instead of at random places (txids are random):
// at millions of rows, more than the server caches, that is most of the
// cost of an insert.
func sortRows(rows [][]any, n int) {
	slices.SortFunc(rows, func(a, b []any) int {
		for i := range n {
			var c int
			switch x := a[i].(type) {
			case []byte:
				c = bytes.Compare(x, b[i].([]byte))
			case int64:
				c = cmp.Compare(x, b[i].(int64))
			case string:
				c = strings.Compare(x, b[i].(string))
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// nonNil keeps an empty byte string from being written as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (w *chainWrites) blockRows() [][]any {
	var rows [][]any
	w.blocks.each(func(_ int64, b *bitcoin.Block) {
		txids := make([]byte, 0, 32*len(b.Txids))
		for i := range b.Txids {
			txids = append(txids, b.Txids[i][:]...)
		}
		rows = append(rows, []any{b.Height, b.Hash[:], b.Prev[:], b.Version, b.MerkleRoot[:], b.Time,
			int64(b.Bits), int64(b.Nonce), b.Size, b.StrippedSize, b.Weight, nonNil(b.CoinbaseScript), txids})
	})
	return rows
}

func (w *chainWrites) hashRows() [][]any {
	var rows [][]any
	w.hashes.each(func(h chainhash.Hash, height int64) { rows = append(rows, []any{h[:], height}) })
	return rows
}

func (w *chainWrites) txRows() [][]any {
	rows := make([][]any, 0, w.txs.len())
	w.txs.each(func(id chainhash.Hash, t *bitcoin.Tx) {
		values := make([]*int64, len(t.Prev))
		scripts := make([][]byte, len(t.Prev))
		for i := range t.Prev {
			if p := &t.Prev[i]; p.Known {
				values[i], scripts[i] = &p.Value, nonNil(p.PkScript)
			}
		}
		rows = append(rows, []any{id[:], t.BlockHash[:], t.Height, int32(t.Index), rawTx(t.Msg), values, scripts})
	})
	return rows
}

func (w *chainWrites) outputRows() [][]any {
	rows := make([][]any, 0, w.outputs.len())
	w.outputs.each(func(op wire.OutPoint, o *bitcoin.Output) {
		var addrs []string
		if len(o.Addresses) > 0 {
			addrs = o.Addresses
		}
		rows = append(rows, []any{op.Hash[:], int64(op.Index), o.Height, o.Coinbase, o.Value,
			nonNil(o.PkScript), int16(o.Class), int32(o.ReqSigs), addrs})
	})
	return rows
}

func (w *chainWrites) addrRows() [][]any {
	rows := make([][]any, 0, w.addrs.len())
	w.addrs.each(func(a addrKey, _ struct{}) {
		rows = append(rows, []any{a.address, a.height, a.op.Hash[:], int64(a.op.Index)})
	})
	return rows
}

func (w *chainWrites) spendRows() [][]any {
	rows := make([][]any, 0, w.spends.len())
	w.spends.each(func(op wire.OutPoint, sp *bitcoin.Spend) {
		rows = append(rows, []any{op.Hash[:], int64(op.Index), sp.Txid[:], int64(sp.Vin), sp.Height})
	})
	return rows
}

func (w *chainWrites) undoRows() [][]any {
	var rows [][]any
	w.undo.each(func(h int64, data []byte) { rows = append(rows, []any{h, nonNil(data)}) })
	return rows
}
