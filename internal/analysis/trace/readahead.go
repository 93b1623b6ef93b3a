package trace

import (
	"container/heap"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/index/bitcoin"
)

// ReadAheader is implemented by views that can read what a trace will ask
// for next on another goroutine while the trace mixes what it has: the
// engine hints each transaction it queues, and stops the reader when the
// trace ends.
type ReadAheader interface {
	// ReadAhead hints a transaction the trace will mix, at its block
	// height; spends says the trace may follow its outputs (it will not at
	// the last hop).
	ReadAhead(ctx context.Context, txid chainhash.Hash, height int64, spends bool)
	StopReadAhead()
}

// readAhead is a BitcoinView's reader goroutine (on PostgreSQL it reads
// in batches, see readBatch): it reads each hinted
// transaction and the spends of its outputs (the lookups the trace makes
// when it mixes the transaction and follows its tainted outputs), and keeps
// them for the view. A hint the channel cannot take is dropped: the view
// then reads that record itself, as it does any record the reader has not
// reached yet. Everything read is the store's answer, so a trace reads the
// same index with or without it; it only moves reads to an idle core.
type readAhead struct {
	ch      chan hint
	done    chan struct{}
	stopped atomic.Bool
	mu      sync.Mutex
	txs     map[chainhash.Hash]*bitcoin.Tx
	spends  map[wire.OutPoint]*bitcoin.Spend // nil: unspent
	// taken are the transactions the view read itself before the reader
	// came to them: the reader skips them and moves on to the ones the
	// trace has not reached yet.
	taken map[chainhash.Hash]bool
}

type hint struct {
	txid   chainhash.Hash
	height int64
	spends bool
}

// hints is the reader's queue, lowest height first: the trace mixes
// transactions in chain order, so the lowest hinted height is the one it
// needs soonest (a FIFO reader would be busy with transactions hinted
// early but spent late while the trace waits on recent ones).
type hints []hint

func (q hints) Len() int           { return len(q) }
func (q hints) Less(i, j int) bool { return q[i].height < q[j].height }
func (q hints) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *hints) Push(x any)        { *q = append(*q, x.(hint)) }
func (q *hints) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// readAheadQueue bounds the hints waiting for the reader.
const readAheadQueue = 1 << 10

// ReadAhead implements ReadAheader: the first hint starts the reader. It
// does nothing on a store with round trips (the batches of Prefetch serve
// those) or with a single core to run on.
func (b *BitcoinView) ReadAhead(ctx context.Context, txid chainhash.Hash, height int64, spends bool) {
	if b.br == nil && runtime.GOMAXPROCS(0) < 2 {
		return // nothing to overlap: no round trips, no idle core
	}
	if b.ahead == nil {
		b.ahead = &readAhead{ch: make(chan hint, readAheadQueue), done: make(chan struct{}),
			txs: map[chainhash.Hash]*bitcoin.Tx{}, spends: map[wire.OutPoint]*bitcoin.Spend{},
			taken: map[chainhash.Hash]bool{}}
		go b.ahead.run(ctx, b.r, b.br)
	}
	select {
	case b.ahead.ch <- hint{txid, height, spends}:
	default:
	}
}

// StopReadAhead implements ReadAheader: it waits for the reader to end, and
// forgets what it read (the next trace may run on a changed index).
func (b *BitcoinView) StopReadAhead() {
	if b.ahead == nil {
		return
	}
	b.ahead.stopped.Store(true)
	close(b.ahead.ch)
	<-b.ahead.done
	b.ahead = nil
}

// run reads the hints of the view's store r; br is r as a BatchReader, nil
// when it has no round trips to save.
func (a *readAhead) run(ctx context.Context, r bitcoin.ChainReader, br bitcoin.BatchReader) {
	defer close(a.done)
	var q hints
	open := true
	for {
		if len(q) == 0 { // wait for a hint
			h, ok := <-a.ch
			if !ok {
				return
			}
			heap.Push(&q, h)
		}
		for open { // take every hint waiting, without blocking
			select {
			case h, ok := <-a.ch:
				if !ok {
					open = false
					break
				}
				heap.Push(&q, h)
				continue
			default:
			}
			break
		}
		if a.stopped.Load() || ctx.Err() != nil {
			return // nobody sends after stopping
		}
		if br != nil {
			a.readBatch(ctx, br, &q)
			continue
		}
		h := heap.Pop(&q).(hint)
		id := h.txid
		a.mu.Lock()
		skip := a.taken[id]
		a.mu.Unlock()
		if skip {
			continue
		}
		t, err := r.Tx(ctx, id)
		if err != nil {
			continue // the view reads it again, and reports the error
		}
		a.mu.Lock()
		a.txs[id] = t
		a.mu.Unlock()
		if !h.spends {
			continue
		}
		for i := range t.Msg.TxOut {
			if a.stopped.Load() {
				break
			}
			op := wire.OutPoint{Hash: id, Index: uint32(i)}
			s, err := r.Spend(ctx, op)
			switch {
			case errors.Is(err, bitcoin.ErrNotFound):
				s = nil
			case err != nil:
				continue
			}
			a.mu.Lock()
			a.spends[op] = s
			a.mu.Unlock()
		}
	}
}

// aheadBatch is the most hints the reader of a store with round trips
// (PostgreSQL) reads in one batch.
const aheadBatch = 256

// readBatch reads up to aheadBatch hints, lowest heights first, from a
// store with round trips: their transactions in one batch, then the spends
// of their outputs in another, where a trace mixing them one by one would
// make two round trips per transaction.
func (a *readAhead) readBatch(ctx context.Context, br bitcoin.BatchReader, q *hints) {
	var want []hint
	var ids []chainhash.Hash
	a.mu.Lock()
	for len(*q) > 0 && len(ids) < aheadBatch {
		h := heap.Pop(q).(hint)
		if a.taken[h.txid] || a.txs[h.txid] != nil {
			continue
		}
		want, ids = append(want, h), append(ids, h.txid)
	}
	a.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	txs, _, _, err := br.ReadBatch(ctx, ids, nil)
	if err != nil {
		return // the view reads them again, and reports the error
	}
	got := make(map[chainhash.Hash]*bitcoin.Tx, len(txs))
	a.mu.Lock()
	for _, t := range txs {
		got[t.Txid] = t
		a.txs[t.Txid] = t
	}
	a.mu.Unlock()
	var ops []wire.OutPoint
	for _, h := range want {
		if t := got[h.txid]; t != nil && h.spends {
			for i := range t.Msg.TxOut {
				ops = append(ops, wire.OutPoint{Hash: h.txid, Index: uint32(i)})
			}
		}
	}
	if len(ops) == 0 || a.stopped.Load() {
		return
	}
	_, _, spends, err := br.ReadBatch(ctx, nil, ops)
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, op := range ops {
		a.spends[op] = nil // unspent unless the batch says otherwise
	}
	for _, s := range spends {
		a.spends[s.OutPoint] = s
	}
}

// has reports whether the reader holds a transaction, without taking it.
func (a *readAhead) has(id chainhash.Hash) bool {
	if a == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.txs[id] != nil
}

// hasSpend reports whether the reader has looked up the spend of op.
func (a *readAhead) hasSpend(op wire.OutPoint) bool {
	if a == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.spends[op]
	return ok
}

// tx returns the transaction if the reader has it; if not, the caller
// reads it, and the reader will skip it (a nil readAhead has nothing).
func (a *readAhead) tx(id chainhash.Hash) *bitcoin.Tx {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.txs[id]
	if t == nil {
		a.taken[id] = true
	}
	return t
}

// spend returns the spend of op if the reader has looked it up (s nil:
// unspent).
func (a *readAhead) spend(op wire.OutPoint) (s *bitcoin.Spend, ok bool) {
	if a == nil {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok = a.spends[op]
	return s, ok
}
