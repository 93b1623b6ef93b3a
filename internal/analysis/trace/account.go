package trace

import (
	"container/heap"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/index/ethereum"
)

// AccountView is what a trace needs of an account chain index: an address's
// history of one asset in chain order, a transaction's transfers, and block
// times. internal/index/ethereum's Reader satisfies it through EthereumView.
type AccountView interface {
	// AddressTransfers returns the transfers from or to a normalised
	// address with height >= fromHeight, in (TransferID, Dir) order, of one
	// asset ("" for all), at most limit of them.
	AddressTransfers(ctx context.Context, address, asset string, fromHeight int64, limit int) ([]ethereum.AddressTransfer, error)
	// TxTransfers returns a transaction's transfers in TransferID order;
	// an error matching ErrNotFound when the transaction is not indexed.
	TxTransfers(ctx context.Context, tx common.Hash) ([]*ethereum.Transfer, error)
	// BlockTime returns a block's time, Unix seconds.
	BlockTime(ctx context.Context, height int64) (int64, error)
}

// entryKey orders an address's history, and the whole trace: a transfer's
// sending side comes before its receiving side.
type entryKey struct {
	id  ethereum.TransferID
	dir ethereum.Dir
}

func (a entryKey) compare(b entryKey) int {
	if c := a.id.Compare(b.id); c != 0 {
		return c
	}
	return int(a.dir) - int(b.dir)
}

func keyOf(e ethereum.AddressTransfer) entryKey { return entryKey{e.Transfer.ID, e.Dir} }

// followable reports whether taint goes along a transfer: fees (to the
// miner or burnt) and burns consume value but lead nowhere a trace can
// follow, and mints come from nowhere.
func followable(t *ethereum.Transfer) bool {
	return t.Kind != ethereum.KindFee && t.From != "" && t.To != ""
}

// TraceAccount traces taint over an account chain from the starts. Every
// address (per asset) reached is a pool of its model, fed its history in
// chain order from its first entry, so FIFO and haircut see the clean funds
// that were there before the taint came. The trace is one merge of the
// histories of all the addresses it holds taint in, in chain order
// (forward) or reverse chain order (backward: the models run on the
// time-reversed ledger), so taint reaching an address by two paths is mixed
// in the order it arrived.
func TraceAccount(ctx context.Context, v AccountView, tg Tagger, cfg Config, starts []Start) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("%w: no start given", ErrBadRequest)
	}
	a := &acctTrace{v: v, g: newGraph("eth", &cfg, tg), cfg: &cfg, accts: map[acctID]*account{}, times: map[int64]int64{},
		seeded: map[ethereum.TransferID]bool{}}
	for _, s := range starts {
		if err := a.seed(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := a.run(ctx); err != nil {
		return nil, err
	}
	for _, ac := range a.accts {
		a.finish(ac)
	}
	for _, e := range a.g.edges { // the evidence says when: one read per block
		ts, err := a.blockTime(ctx, e.height)
		if err != nil {
			return nil, err
		}
		e.time = ts
	}
	return a.g.result(), nil
}

type acctID struct{ address, asset string }

// account is one address and asset in the trace.
type account struct {
	acctID
	node *node
	pool Pool
	hist *history
	// incoming is the taint of transfers into the pool (backward: out of
	// it) not yet reached by the merge.
	incoming map[ethereum.TransferID]Taint
	live     bool // in the merge: followed, not stopped
	queued   bool // in the heap
	next     entryKey
}

type acctTrace struct {
	v     AccountView
	g     *graph
	cfg   *Config
	accts map[acctID]*account
	q     acctQueue
	times map[int64]int64
	// seeded are the transfers the starts taint: a start given twice (or a
	// tx and its transfer) taints them once.
	seeded map[ethereum.TransferID]bool
}

func (a *acctTrace) backward() bool { return a.cfg.Direction == Backward }

func (a *acctTrace) seed(ctx context.Context, s Start) error {
	var seeds []*ethereum.Transfer
	var from *node
	switch {
	case s.Address != "":
		addr, err := ethereum.ParseAddress(s.Address)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
		norm := ethereum.NormalizeAddress(addr)
		a.g.stats.Reads++
		hist, err := a.v.AddressTransfers(ctx, norm, "", 0, a.cfg.MaxHistory+1)
		if err != nil {
			return fmt.Errorf("transfers of %s: %w", norm, err)
		}
		if len(hist) == 0 {
			return fmt.Errorf("%w: no transfer from or to %s", ErrNotFound, norm)
		}
		if len(hist) > a.cfg.MaxHistory {
			hist = hist[:a.cfg.MaxHistory]
			a.g.trunc[StopCapped] = true
		}
		want := ethereum.Out // forward: what it sent; backward: what it received
		if a.backward() {
			want = ethereum.In
		}
		for _, e := range hist {
			if e.Dir == want && followable(e.Transfer) {
				seeds = append(seeds, e.Transfer)
			}
		}
		if a.g.byID[norm] != nil {
			return nil // given twice
		}
		from = a.g.add(&node{id: norm, kind: "address", address: norm, asset: "", taint: Clean()})
	default:
		h, err := parseHash(s.Tx)
		if err != nil {
			return err
		}
		a.g.stats.Reads++
		ts, err := a.v.TxTransfers(ctx, h)
		if err != nil {
			return fmt.Errorf("transfers of tx %s: %w", s.Tx, err)
		}
		n := 0
		for _, t := range ts {
			if followable(t) {
				if s.Vout < 0 || s.Vout == n {
					seeds = append(seeds, t)
				}
				n++
			}
		}
		if len(seeds) == 0 {
			return fmt.Errorf("%w: tx %s moves no value to follow (or has no transfer %d)", ErrNotFound, s.Tx, s.Vout)
		}
		if from = a.g.byID["tx:"+h.Hex()]; from == nil {
			from = a.g.add(&node{id: "tx:" + h.Hex(), kind: "tx", taint: Clean()})
			from.hop = -1 // the tx's transfers are the start, hop 0
		}
	}
	seeds = slices.DeleteFunc(seeds, func(t *ethereum.Transfer) bool { return a.seeded[t.ID] })
	for _, t := range seeds {
		a.seeded[t.ID] = true
		if err := a.emit(ctx, from, t, Full(t.Amount), RuleSeed); err != nil {
			return err
		}
	}
	return nil
}

// parseHash parses 0x and 64 hex digits, in any case.
func parseHash(s string) (common.Hash, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil || len(b) != common.HashLength || !strings.HasPrefix(strings.ToLower(s), "0x") {
		return common.Hash{}, fmt.Errorf("%w: tx %q: want 0x and 64 hex digits", ErrBadRequest, s)
	}
	return common.BytesToHash(b), nil
}

// emit moves taint along a transfer from the node src: to its receiver
// (forward) or its sender (backward), which becomes (or already is) a node
// holding that taint.
func (a *acctTrace) emit(ctx context.Context, src *node, t *ethereum.Transfer, taint Taint, rule string) error {
	if !a.cfg.enough(taint) {
		if taint.Tainted() {
			a.g.stats.BelowMin++
		}
		return nil
	}
	dst, dir := t.To, ethereum.In
	if a.backward() {
		dst, dir = t.From, ethereum.Out
	}
	id := acctID{dst, t.Asset}
	ac := a.accts[id]
	hop := src.hop + 1
	if ac == nil {
		if a.g.full() {
			return nil
		}
		ac = &account{acctID: id, incoming: map[ethereum.TransferID]Taint{}}
		ac.node = a.g.add(&node{id: dst + "@" + t.Asset, kind: "address", address: dst, asset: t.Asset, taint: Clean(), hop: hop})
		a.accts[id] = ac
		stop, tags, err := a.cfg.stopTags(ctx, a.g.tagger, "eth", dst)
		if err != nil {
			return err
		}
		ac.node.tags = tags
		switch {
		case stop != "":
			ac.node.stop = stop
		case a.cfg.MaxHops > 0 && hop >= a.cfg.MaxHops:
			ac.node.stop = StopMaxHops
		default:
			ac.live = true
		}
	}
	n := ac.node
	n.hop = min(n.hop, hop)
	n.taint.Amount.Add(n.taint.Amount, taint.Amount)
	e := &edge{from: src.id, to: n.id, tx: t.TxHash.Hex(), asset: t.Asset, rule: rule, hop: hop, height: t.ID.Height,
		value: t.Amount, taint: taint}
	if a.backward() {
		e.from, e.to = n.id, src.id
	}
	a.g.edges = append(a.g.edges, e)
	if !ac.live {
		return nil
	}
	if a.backward() {
		taint = taint.mirror(t.Amount)
	}
	ac.incoming[t.ID] = taint
	return a.wake(ctx, ac, entryKey{t.ID, dir})
}

// wake brings an account's pool up to the entry at k (everything before it
// in merge order is clean: any taint would have woken it earlier) and puts it
// in the merge.
func (a *acctTrace) wake(ctx context.Context, ac *account, k entryKey) error {
	if ac.hist == nil {
		ac.pool = a.cfg.Model.NewPool()
		h, err := a.openHistory(ctx, ac)
		if err != nil {
			return err
		}
		ac.hist = h
	}
	if ac.queued {
		return nil
	}
	for {
		e, err := ac.hist.peek(ctx)
		if err != nil {
			return err
		}
		if e == nil && ac.hist.capped {
			// A supernode read up to its cap before the taint came: it is
			// reached, holding what it received, and not followed.
			ac.node.stop, ac.live = StopCapped, false
			a.g.trunc[StopCapped] = true
			return nil
		}
		if e == nil {
			return fmt.Errorf("trace: %s has no history entry for transfer %v (index changed during the trace?)", ac.address, k.id)
		}
		if a.before(keyOf(*e), k) {
			a.apply(ac, *e, true)
			ac.hist.pop()
			continue
		}
		ac.next, ac.queued = keyOf(*e), true
		heap.Push(&a.q, acctItem{ac: ac, desc: a.backward()})
		return nil
	}
}

// before reports whether x comes before y in merge order.
func (a *acctTrace) before(x, y entryKey) bool {
	if a.backward() {
		return x.compare(y) > 0
	}
	return x.compare(y) < 0
}

// apply feeds one history entry to the pool. Forward, receipts are received
// and sends spent; backward, the ledger runs reversed. It returns the taint
// leaving along the entry's transfer (nil when none).
func (a *acctTrace) apply(ac *account, e ethereum.AddressTransfer, clean bool) *Taint {
	t := e.Transfer
	receive := e.Dir == ethereum.In
	if a.backward() {
		receive = !receive
	}
	if receive {
		taint := Clean()
		if x, ok := ac.incoming[t.ID]; ok && !clean {
			taint = x
			delete(ac.incoming, t.ID)
		}
		ac.pool.Receive(t.Amount, taint)
		return nil
	}
	out := ac.pool.Spend(t.Amount)
	if clean || !followable(t) {
		return nil
	}
	if a.backward() {
		out = out.mirror(t.Amount)
	}
	return &out
}

func (a *acctTrace) run(ctx context.Context) error {
	for a.q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		ac := heap.Pop(&a.q).(acctItem).ac
		ac.queued = false
		e, err := ac.hist.peek(ctx)
		if err != nil {
			return err
		}
		if e == nil {
			continue
		}
		if a.cfg.windowed() {
			ts, err := a.blockTime(ctx, e.Transfer.ID.Height)
			if err != nil {
				return err
			}
			if !a.cfg.inWindow(ts) && (!a.backward() && ts > a.cfg.To.Unix() || a.backward() && ts < a.cfg.From.Unix()) {
				ac.node.stop, ac.live = StopTimeWindow, false
				ac.node.taint = Taint{Amount: ac.pool.Held()} // what it holds when the window ends
				continue
			}
		}
		ac.hist.pop()
		if out := a.apply(ac, *e, false); out != nil && out.Tainted() {
			if err := a.emit(ctx, ac.node, e.Transfer, *out, string(a.cfg.Model)); err != nil {
				return err
			}
		}
		// Go on while the pool holds taint or taint is on its way in;
		// otherwise sleep until an emit wakes it. (An emit to itself, a
		// transfer to oneself, may have queued it already.)
		if ac.queued || ac.pool.Held().Sign() == 0 && len(ac.incoming) == 0 {
			continue
		}
		next, err := ac.hist.peek(ctx)
		if err != nil {
			return err
		}
		if next == nil {
			continue
		}
		ac.next, ac.queued = keyOf(*next), true
		heap.Push(&a.q, acctItem{ac: ac, desc: a.backward()})
	}
	return nil
}

// finish says why each account stopped.
func (a *acctTrace) finish(ac *account) {
	n := ac.node
	if n.stop != "" || ac.pool == nil {
		return
	}
	switch {
	case ac.hist.capped:
		n.stop = StopCapped
		a.g.trunc[StopCapped] = true
	case ac.pool.Held().Sign() > 0:
		// What it still holds is what can be frozen there (forward), or
		// what it brought in from outside the trace (backward).
		n.taint = Taint{Amount: ac.pool.Held()}
		if a.backward() {
			n.stop = StopOrigin
		} else {
			n.stop = StopUnspent
		}
	}
}

func (c *Config) windowed() bool { return !c.From.IsZero() || !c.To.IsZero() }

func (a *acctTrace) blockTime(ctx context.Context, h int64) (int64, error) {
	if t, ok := a.times[h]; ok {
		return t, nil
	}
	a.g.stats.Reads++
	t, err := a.v.BlockTime(ctx, h)
	if err != nil {
		return 0, fmt.Errorf("time of block %d: %w", h, err)
	}
	a.times[h] = t
	return t, nil
}

type acctItem struct {
	ac   *account
	desc bool
}

type acctQueue []acctItem

func (q acctQueue) Len() int { return len(q) }
func (q acctQueue) Less(i, j int) bool {
	c := q[i].ac.next.compare(q[j].ac.next)
	if q[i].desc {
		return c > 0
	}
	return c < 0
}
func (q acctQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *acctQueue) Push(x any)   { *q = append(*q, x.(acctItem)) }
func (q *acctQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
