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

// readAhead is a BitcoinView's reader goroutine: it reads each hinted
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
	if b.br != nil || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	if b.ahead == nil {
		b.ahead = &readAhead{ch: make(chan hint, readAheadQueue), done: make(chan struct{}),
			txs: map[chainhash.Hash]*bitcoin.Tx{}, spends: map[wire.OutPoint]*bitcoin.Spend{},
			taken: map[chainhash.Hash]bool{}}
		go b.ahead.run(ctx, b.r)
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

func (a *readAhead) run(ctx context.Context, r bitcoin.ChainReader) {
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
