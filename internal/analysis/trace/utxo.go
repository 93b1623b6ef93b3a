package trace

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// UTXOView is what a trace needs of a UTXO chain index: transactions with
// what their inputs spend, who spent an output, and the outputs paying an
// address. internal/index/bitcoin's ChainReader satisfies it through
// BitcoinView. Lookups of absent records return an error matching
// ErrNotFound.
type UTXOView interface {
	Tx(ctx context.Context, txid chainhash.Hash) (*UTXOTx, error)
	// Spender returns the transaction spending op and its block height;
	// spent is false for an unspent output.
	Spender(ctx context.Context, op wire.OutPoint) (txid chainhash.Hash, height int64, spent bool, err error)
	// AddressOutputs returns the outputs paying a normalised address in
	// chain order, at most limit of them.
	AddressOutputs(ctx context.Context, address string, limit int) ([]wire.OutPoint, error)
	// Address names an output script: its normalised address ("" for
	// OP_RETURN and non-standard scripts; the first of a bare multisig).
	// The engine asks only for the outputs it keeps.
	Address(script []byte) string
}

// Prefetcher is implemented by views on stores with round trips: the
// engine announces the spends and transactions its next steps will look up,
// so the view can read them in a batch.
type Prefetcher interface {
	Prefetch(ctx context.Context, spends []wire.OutPoint, txs []chainhash.Hash) error
}

// prefetch asks a Prefetcher view, if the view is one.
func (u *utxoTrace) prefetch(ctx context.Context, spends []wire.OutPoint, txs []chainhash.Hash) error {
	p, ok := u.v.(Prefetcher)
	if !ok || len(spends)+len(txs) == 0 {
		return nil
	}
	u.g.stats.Reads++
	return p.Prefetch(ctx, spends, txs)
}

// UTXOTx is a transaction as tracing sees it.
type UTXOTx struct {
	Txid     chainhash.Hash
	Height   int64
	Index    int   // position in the block
	Time     int64 // block time, Unix seconds
	Coinbase bool
	Inputs   []UTXOInput
	Outputs  []UTXOOutput
}

// UTXOInput is an input with the output it spends. Known is false when the
// spent output precedes the index: its value is then unknown and counted as
// nothing.
type UTXOInput struct {
	Prev  wire.OutPoint
	Value int64
	Known bool
}

// UTXOOutput is an output: its value (satoshi) and script.
type UTXOOutput struct {
	Value  int64
	Script []byte
}

// fee is what the inputs pay beyond the outputs (0 when inputs are unknown).
func (t *UTXOTx) fee() int64 {
	var in, out int64
	for _, i := range t.Inputs {
		in += i.Value
	}
	for _, o := range t.Outputs {
		out += o.Value
	}
	return max(0, in-out)
}

// TraceUTXO traces taint over a UTXO chain from the starts. Transactions
// are taken in chain order (forward) or reverse chain order (backward), so a
// transaction is mixed once, with all the taint that reaches it.
func TraceUTXO(ctx context.Context, v UTXOView, tg Tagger, cfg Config, starts []Start) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("%w: no start given", ErrBadRequest)
	}
	u := &utxoTrace{v: v, g: newGraph("btc", &cfg, tg), cfg: &cfg, txs: map[chainhash.Hash]*UTXOTx{},
		queued: map[chainhash.Hash]bool{}, open: map[wire.OutPoint]*node{}}
	if ra, ok := v.(ReadAheader); ok && cfg.Direction == Forward {
		u.ahead = ra
		defer ra.StopReadAhead()
	}
	for _, s := range starts {
		if err := u.seed(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := u.run(ctx); err != nil {
		return nil, err
	}
	return u.g.result(), nil
}

type utxoTrace struct {
	v      UTXOView
	g      *graph
	cfg    *Config
	txs    map[chainhash.Hash]*UTXOTx // loaded transactions
	q      txQueue
	queued map[chainhash.Hash]bool
	// open are the tainted outputs waiting for their transaction in q: the
	// spender (forward) or the creator (backward).
	open map[wire.OutPoint]*node
	// ahead is the view when it reads ahead (forward only).
	ahead ReadAheader
}

func (u *utxoTrace) tx(ctx context.Context, id chainhash.Hash) (*UTXOTx, error) {
	if t, ok := u.txs[id]; ok {
		return t, nil
	}
	u.g.stats.Reads++
	t, err := u.v.Tx(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("tx %s: %w", id, err)
	}
	u.txs[id] = t
	return t, nil
}

func (u *utxoTrace) seed(ctx context.Context, s Start) error {
	var ops []wire.OutPoint
	switch {
	case s.Address != "":
		u.g.stats.Reads++
		got, err := u.v.AddressOutputs(ctx, s.Address, u.cfg.MaxHistory+1)
		if err != nil {
			return fmt.Errorf("outputs of %s: %w", s.Address, err)
		}
		if len(got) == 0 {
			return fmt.Errorf("%w: no output pays %s", ErrNotFound, s.Address)
		}
		if len(got) > u.cfg.MaxHistory {
			got = got[:u.cfg.MaxHistory]
			u.g.trunc[StopCapped] = true
		}
		ops = got
	default:
		id, err := chainhash.NewHashFromStr(s.Tx)
		if err != nil || len(s.Tx) != 2*chainhash.HashSize {
			return fmt.Errorf("%w: tx %q: want a 64-digit transaction id", ErrBadRequest, s.Tx)
		}
		t, err := u.tx(ctx, *id)
		if err != nil {
			return err
		}
		if s.Vout >= len(t.Outputs) {
			return fmt.Errorf("%w: output %s:%d (the tx has %d outputs)", ErrNotFound, s.Tx, s.Vout, len(t.Outputs))
		}
		for i := range t.Outputs {
			if s.Vout < 0 || s.Vout == i {
				ops = append(ops, wire.OutPoint{Hash: *id, Index: uint32(i)})
			}
		}
	}
	var txids []chainhash.Hash
	for _, op := range ops {
		txids = append(txids, op.Hash)
	}
	if err := u.prefetch(ctx, ops, txids); err != nil {
		return err
	}
	for _, op := range ops {
		if _, dup := u.g.byID[op.String()]; dup {
			continue
		}
		t, err := u.tx(ctx, op.Hash)
		if err != nil {
			return err
		}
		if int(op.Index) >= len(t.Outputs) {
			return fmt.Errorf("%w: output %s", ErrNotFound, op)
		}
		o := t.Outputs[op.Index]
		value := big.NewInt(o.Value)
		n := u.g.add(&node{id: op.String(), kind: "output", address: u.v.Address(o.Script), asset: "btc", value: value,
			taint: Full(value), height: t.Height, time: t.Time})
		if err := u.follow(ctx, op, n, true); err != nil {
			return err
		}
	}
	return nil
}

// follow decides what happens to a tainted output: stopped (tagged, hops,
// unspent or coinbase), or queued behind the transaction to mix it in.
func (u *utxoTrace) follow(ctx context.Context, op wire.OutPoint, n *node, seed bool) error {
	stop, tags, err := u.cfg.stopTags(ctx, u.g.tagger, "btc", n.address)
	if err != nil {
		return err
	}
	n.tags = tags
	switch {
	case stop != "" && !seed:
		n.stop = stop
		return nil
	case u.cfg.MaxHops > 0 && n.hop >= u.cfg.MaxHops:
		n.stop = StopMaxHops
		return nil
	}
	if u.cfg.Direction == Backward {
		// the transaction that created the output
		u.open[op] = n
		if u.queued[op.Hash] {
			return nil
		}
		t, err := u.tx(ctx, op.Hash)
		if err != nil {
			return err
		}
		u.queued[op.Hash] = true
		heap.Push(&u.q, txItem{t: t, id: t.Txid, height: t.Height, desc: true})
		return nil
	}
	u.g.stats.Reads++
	next, height, spent, err := u.v.Spender(ctx, op)
	if err != nil {
		return fmt.Errorf("spender of %s: %w", op, err)
	}
	if !spent {
		n.stop = StopUnspent
		return nil
	}
	u.open[op] = n
	if u.queued[next] {
		return nil
	}
	// Queued by height alone and read when it comes up: a trace that runs
	// out of budget never reads the transactions left in its queue.
	u.queued[next] = true
	if u.ahead != nil {
		// its outputs will be followed unless they are at the last hop
		u.ahead.ReadAhead(ctx, next, height, u.cfg.MaxHops == 0 || n.hop+1 < u.cfg.MaxHops)
	}
	heap.Push(&u.q, txItem{id: next, height: height})
	return nil
}

func (u *utxoTrace) run(ctx context.Context) error {
	for u.q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if u.g.full() {
			break
		}
		it := heap.Pop(&u.q).(txItem)
		if it.t == nil {
			// Read it, and queue it again at its place in the block: the
			// unread transactions of a height come before the read ones,
			// so all of them are read before any is mixed.
			t, err := u.tx(ctx, it.id)
			if err != nil {
				return err
			}
			if t.Height != it.height {
				return fmt.Errorf("tx %s: at height %d, its spend says %d (the index changed during the trace?)", it.id, t.Height, it.height)
			}
			it.t = t
			heap.Push(&u.q, it)
			continue
		}
		t := it.t
		var err error
		if u.cfg.Direction == Forward {
			err = u.forward(ctx, t)
		} else {
			err = u.backward(ctx, t)
		}
		if err != nil {
			return err
		}
	}
	for _, n := range u.open { // never mixed: the budget ran out first
		if n.stop == "" {
			n.stop = StopBudget
		}
	}
	return nil
}

// skip stops the tainted outputs waiting on t when it is outside the time
// window (or, backward, a coinbase: newly minted coins).
func (u *utxoTrace) skip(ops []wire.OutPoint, why string) {
	for _, op := range ops {
		if n := u.open[op]; n != nil {
			n.stop = why
			delete(u.open, op)
		}
	}
}

func (u *utxoTrace) forward(ctx context.Context, t *UTXOTx) error {
	if !u.cfg.inWindow(t.Time) {
		ins := make([]wire.OutPoint, len(t.Inputs))
		for i, in := range t.Inputs {
			ins[i] = in.Prev
		}
		u.skip(ins, StopTimeWindow)
		return nil
	}
	pool := u.cfg.Model.NewPool()
	txid := t.Txid.String()
	txNode := &node{id: "tx:" + txid, kind: "tx", asset: "btc", value: new(big.Int), taint: Clean(),
		height: t.Height, time: t.Time, hop: -1}
	var srcs []*node
	var v big.Int // the pools copy what they keep of it
	for _, in := range t.Inputs {
		v.SetInt64(in.Value)
		txNode.value.Add(txNode.value, &v)
		taint := noTaint
		if n := u.open[in.Prev]; n != nil {
			delete(u.open, in.Prev)
			taint = n.taint
			srcs = append(srcs, n)
			txNode.taint.Amount.Add(txNode.taint.Amount, taint.Amount)
			if txNode.hop < 0 || n.hop+1 < txNode.hop {
				txNode.hop = n.hop + 1
			}
		}
		pool.Receive(&v, taint)
	}
	u.g.add(txNode)
	for _, n := range srcs {
		u.g.edges = append(u.g.edges, &edge{from: n.id, to: txNode.id, tx: txid, asset: "btc", rule: RuleSpend,
			hop: txNode.hop, height: t.Height, time: t.Time, value: n.value, taint: n.taint})
	}
	taints := make([]Taint, len(t.Outputs))
	var kept []wire.OutPoint
	for i, o := range t.Outputs {
		v.SetInt64(o.Value)
		taints[i] = pool.Spend(&v)
		if u.cfg.enough(taints[i]) {
			kept = append(kept, wire.OutPoint{Hash: t.Txid, Index: uint32(i)})
		}
	}
	if u.cfg.MaxHops == 0 || txNode.hop < u.cfg.MaxHops {
		if err := u.prefetch(ctx, kept, nil); err != nil {
			return err
		}
	}
	for i, o := range t.Outputs {
		v, taint := big.NewInt(o.Value), taints[i]
		if !u.cfg.enough(taint) {
			if taint.Tainted() {
				u.g.stats.BelowMin++
			}
			continue
		}
		if u.g.full() {
			return nil
		}
		op := wire.OutPoint{Hash: t.Txid, Index: uint32(i)}
		n := u.g.add(&node{id: txid + ":" + strconv.Itoa(i), kind: "output", address: u.v.Address(o.Script), asset: "btc", value: v, taint: taint,
			hop: txNode.hop, height: t.Height, time: t.Time})
		u.g.edges = append(u.g.edges, &edge{from: txNode.id, to: n.id, tx: txid, asset: "btc",
			rule: string(u.cfg.Model), hop: n.hop, height: t.Height, time: t.Time, value: v, taint: taint})
		if err := u.follow(ctx, op, n, false); err != nil {
			return err
		}
	}
	return nil
}

// backward runs the model on t's ledger reversed: the fee and the outputs,
// last first, are received (the outputs traced so far tainted), then the
// inputs, last first, are spent: what each input funded of the traced
// outputs.
func (u *utxoTrace) backward(ctx context.Context, t *UTXOTx) error {
	outs := make([]wire.OutPoint, len(t.Outputs))
	for i := range t.Outputs {
		outs[i] = wire.OutPoint{Hash: t.Txid, Index: uint32(i)}
	}
	switch {
	case !u.cfg.inWindow(t.Time):
		u.skip(outs, StopTimeWindow)
		return nil
	case t.Coinbase:
		u.skip(outs, StopOrigin)
		return nil
	}
	pool := u.cfg.Model.NewPool()
	pool.Receive(big.NewInt(t.fee()), Clean())
	txNode := &node{id: "tx:" + t.Txid.String(), kind: "tx", asset: "btc", value: new(big.Int), taint: Clean(),
		height: t.Height, time: t.Time, hop: -1}
	var dsts []*node
	for i := len(t.Outputs) - 1; i >= 0; i-- {
		v := big.NewInt(t.Outputs[i].Value)
		txNode.value.Add(txNode.value, v)
		taint := Clean()
		if n := u.open[outs[i]]; n != nil {
			delete(u.open, outs[i])
			taint = n.taint.mirror(v)
			dsts = append(dsts, n)
			txNode.taint.Amount.Add(txNode.taint.Amount, n.taint.Amount)
			if txNode.hop < 0 || n.hop+1 < txNode.hop {
				txNode.hop = n.hop + 1
			}
		}
		pool.Receive(v, taint)
	}
	u.g.add(txNode)
	for _, n := range dsts {
		u.g.edges = append(u.g.edges, &edge{from: txNode.id, to: n.id, tx: t.Txid.String(), asset: "btc", rule: RuleFund,
			hop: txNode.hop, height: t.Height, time: t.Time, value: n.value, taint: n.taint})
	}
	prev := make([]chainhash.Hash, 0, len(t.Inputs))
	for _, in := range t.Inputs {
		prev = append(prev, in.Prev.Hash)
	}
	if err := u.prefetch(ctx, nil, prev); err != nil {
		return err
	}
	for i := len(t.Inputs) - 1; i >= 0; i-- {
		in := t.Inputs[i]
		v := big.NewInt(in.Value)
		taint := pool.Spend(v).mirror(v)
		if !u.cfg.enough(taint) {
			if taint.Tainted() {
				u.g.stats.BelowMin++
			}
			continue
		}
		if u.g.full() {
			return nil
		}
		n := u.g.add(&node{id: in.Prev.String(), kind: "output", asset: "btc", value: v, taint: taint, hop: txNode.hop})
		u.g.edges = append(u.g.edges, &edge{from: n.id, to: txNode.id, tx: t.Txid.String(), asset: "btc",
			rule: string(u.cfg.Model), hop: n.hop, height: t.Height, time: t.Time, value: v, taint: taint})
		prev, err := u.tx(ctx, in.Prev.Hash)
		switch {
		case errors.Is(err, ErrNotFound): // created before the index
			n.stop = StopOrigin
			continue
		case err != nil:
			return err
		case int(in.Prev.Index) < len(prev.Outputs):
			n.address, n.height, n.time = u.v.Address(prev.Outputs[in.Prev.Index].Script), prev.Height, prev.Time
		}
		if err := u.follow(ctx, in.Prev, n, false); err != nil {
			return err
		}
	}
	return nil
}

// noTaint is a clean piece of value to give a pool, which only reads it;
// never to be changed.
var noTaint = Clean()

// txItem orders transactions by chain position, ascending (forward) or
// descending (backward). t is nil until the transaction is read: its
// position in the block is then unknown, and it comes before the read
// transactions of its height.
type txItem struct {
	t      *UTXOTx
	id     chainhash.Hash
	height int64
	desc   bool
}

type txQueue []txItem

func (q txQueue) Len() int { return len(q) }
func (q txQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	c := cmp.Compare(a.height, b.height)
	if c == 0 {
		switch {
		case a.t == nil || b.t == nil:
			return a.t == nil && b.t != nil
		default:
			c = cmp.Compare(a.t.Index, b.t.Index)
		}
	}
	if a.desc {
		return c > 0
	}
	return c < 0
}
func (q txQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *txQueue) Push(x any)   { *q = append(*q, x.(txItem)) }
func (q *txQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
