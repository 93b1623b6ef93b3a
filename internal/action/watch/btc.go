package watch

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
)

// btcIndex is the Bitcoin side of the engine: a block's transactions in
// order, each one pool per origin flag fed its inputs.
type btcIndex struct {
	e *Engine
	r bitcoin.ChainReader
}

func (b *btcIndex) tip(ctx context.Context) (Cursor, bool, error) {
	t, err := b.r.Tip(ctx)
	if errors.Is(err, bitcoin.ErrNotFound) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, err
	}
	return Cursor{Height: t.Height, Hash: t.Hash.String()}, true, nil
}

func (b *btcIndex) hashAt(ctx context.Context, h int64) (string, bool, error) {
	blk, err := b.r.BlockByHeight(ctx, h)
	if errors.Is(err, bitcoin.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return blk.Hash.String(), true, nil
}

// txs reads a block's transactions, in one batch where the store has one.
func (b *btcIndex) txs(ctx context.Context, blk *bitcoin.Block) ([]*bitcoin.Tx, error) {
	if br, ok := b.r.(bitcoin.BatchReader); ok {
		got, _, _, err := br.ReadBatch(ctx, blk.Txids, nil)
		if err != nil {
			return nil, err
		}
		by := make(map[chainhash.Hash]*bitcoin.Tx, len(got))
		for _, t := range got {
			by[t.Txid] = t
		}
		out := make([]*bitcoin.Tx, len(blk.Txids))
		for i, id := range blk.Txids {
			if out[i] = by[id]; out[i] == nil {
				return nil, fmt.Errorf("tx %s: %w", id, bitcoin.ErrNotFound)
			}
		}
		return out, nil
	}
	out := make([]*bitcoin.Tx, len(blk.Txids))
	for i, id := range blk.Txids {
		t, err := b.r.Tx(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("tx %s: %w", id, err)
		}
		out[i] = t
	}
	return out, nil
}

func (b *btcIndex) address(script []byte) string {
	_, addrs, _ := bitcoin.Classify(script, b.e.d.BTCParams)
	if len(addrs) == 0 {
		return ""
	}
	return addrs[0]
}

// inTaint is what one input carries for one flag.
type inTaint struct {
	taint trace.Taint
	hop   int
	path  []string
}

// btcHit aggregates a flag's taint reaching a watched address in one tx.
type btcHit struct {
	alert Alert
	sum   *big.Rat
}

func (b *btcIndex) block(ctx context.Context, s *state, h int64) (BlockCommit, int, error) {
	blk, err := b.r.BlockByHeight(ctx, h)
	if err != nil {
		return BlockCommit{}, 0, err
	}
	bc := BlockCommit{Chain: BTC, Cursor: Cursor{Height: h, Hash: blk.Hash.String()}}
	seeding := len(s.byAddr)+len(s.byTx)+len(s.byOut) > 0
	if len(s.live) == 0 && !seeding {
		return bc, 0, nil // nothing tainted, nothing flagged: nothing to read
	}
	txs, err := b.txs(ctx, blk)
	if err != nil {
		return bc, 0, err
	}
	created := map[Key]int{} // rows put in this block → index in bc.Put
	tainted := map[string]bool{}
	var hits []*btcHit
	hitBy := map[string]*btcHit{}
	for _, tx := range txs {
		txid := tx.Txid.String()
		per := map[string][]inTaint{} // flag → one entry per input (zero: clean)
		values := make([]*big.Int, len(tx.Msg.TxIn))
		if !tx.Coinbase() {
			for i, in := range tx.Msg.TxIn {
				values[i] = new(big.Int)
				if i < len(tx.Prev) && tx.Prev[i].Known {
					values[i].SetInt64(tx.Prev[i].Value)
				}
				ref := in.PreviousOutPoint.String()
				set := func(flag string, t inTaint) {
					if per[flag] == nil {
						per[flag] = make([]inTaint, len(tx.Msg.TxIn))
					}
					per[flag][i] = t
				}
				for flag, r := range s.live[ref] {
					k := Key{flag, ref}
					if j, ok := created[k]; ok {
						bc.Put[j].Height = -1 // created and spent in this block: never stored
					} else {
						bc.Spend = append(bc.Spend, k)
					}
					if s.hopOK(r.Hop) {
						set(flag, inTaint{r.Taint, r.Hop, r.Path})
					}
				}
				delete(s.live, ref)
				if !seeding {
					continue
				}
				seed := func(flags []string) {
					for _, f := range s.seeds(flags) {
						set(f, inTaint{trace.Full(values[i]), 0, []string{in.PreviousOutPoint.Hash.String()}})
					}
				}
				if i < len(tx.Prev) && tx.Prev[i].Known && len(s.byAddr) > 0 {
					seed(s.byAddr[b.address(tx.Prev[i].PkScript)])
				}
				seed(s.byTx[in.PreviousOutPoint.Hash.String()])
				seed(s.byOut[ref])
			}
		}
		// A flagged transaction's outputs are tainted whole, at hop 0.
		outFlags := map[string]bool{}
		for _, f := range s.seeds(s.byTx[txid]) {
			outFlags[f] = true
		}
		for f := range per {
			outFlags[f] = true
		}
		for i := range tx.Msg.TxOut {
			for _, f := range s.seeds(s.byOut[fmt.Sprintf("%s:%d", txid, i)]) {
				outFlags[f] = true
			}
		}
		flags := make([]string, 0, len(outFlags))
		for f := range outFlags {
			flags = append(flags, f)
		}
		slices.Sort(flags)
		for _, f := range flags {
			taints, hop, path := b.mix(s, per[f], values, tx)
			whole := slices.Contains(s.byTx[txid], f)
			for i, o := range tx.Msg.TxOut {
				v := big.NewInt(o.Value)
				t, oh, op := taints[i], hop, path
				if whole || slices.Contains(s.byOut[fmt.Sprintf("%s:%d", txid, i)], f) {
					t, oh, op = trace.Full(v), 0, []string{txid}
				}
				if !s.settings.enough(t) {
					continue
				}
				addr := b.address(o.PkScript)
				ref := wire.OutPoint{Hash: tx.Txid, Index: uint32(i)}.String()
				row := &TaintRow{Chain: BTC, Flag: f, Ref: ref, Address: addr, Asset: "btc", Value: v, Taint: t,
					Hop: oh, Path: op, Height: h}
				stop, err := s.stopped(ctx, addr)
				if err != nil {
					return bc, 0, err
				}
				if s.hopOK(oh) && !stop { // at the hop limit or a tagged service: reached, never followed
					s.put(row)
					created[Key{f, ref}] = len(bc.Put)
					bc.Put = append(bc.Put, *row)
				}
				if addr != "" && !tainted[addr] {
					tainted[addr] = true
					bc.Tainted = append(bc.Tainted, addr)
				}
				if en, ok := s.watched(addr); ok {
					k := f + "\x00" + addr + "\x00" + txid
					if hit := hitBy[k]; hit != nil {
						hit.sum.Add(hit.sum, t.Amount)
						continue
					}
					hit := &btcHit{alert: s.alert(f, en, addr, "btc", txid, i, h, bc.Cursor.Hash, oh, op),
						sum: new(big.Rat).Set(t.Amount)}
					hitBy[k] = hit
					hits = append(hits, hit)
				}
			}
		}
	}
	bc.Put = slices.DeleteFunc(bc.Put, func(r TaintRow) bool { return r.Height < 0 })
	for _, hit := range hits {
		hit.alert.Amount = floor(hit.sum)
		bc.Alerts = append(bc.Alerts, hit.alert)
	}
	return bc, len(bc.Alerts), nil
}

// mix runs one flag's pool over a transaction: inputs received in order
// (tainted or clean), outputs spent in order. It returns each output's
// taint and the hop and path of the outputs: one more than the nearest
// tainted input's, through that input's path.
func (b *btcIndex) mix(s *state, ins []inTaint, values []*big.Int, tx *bitcoin.Tx) ([]trace.Taint, int, []string) {
	taints := make([]trace.Taint, len(tx.Msg.TxOut))
	if ins == nil {
		for i := range taints {
			taints[i] = trace.Clean()
		}
		return taints, 0, nil
	}
	pool := s.settings.Model.NewPool()
	hop, src := -1, -1
	for i, in := range ins {
		t := in.taint
		if t.Amount == nil {
			t = trace.Clean()
		}
		pool.Receive(values[i], t)
		if t.Tainted() && (hop < 0 || in.hop+1 < hop) {
			hop, src = in.hop+1, i
		}
	}
	for i, o := range tx.Msg.TxOut {
		taints[i] = pool.Spend(big.NewInt(o.Value))
	}
	if src < 0 {
		return taints, 0, nil
	}
	path := append(slices.Clone(ins[src].path), tx.Txid.String())
	return taints, hop, path
}

func (b *btcIndex) trace(ctx context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
	return trace.TraceUTXO(ctx, trace.NewBitcoinView(b.r, b.e.d.BTCParams), b.e.d.Tags, cfg, starts)
}

func (b *btcIndex) exists(ctx context.Context, st trace.Start) (bool, error) {
	if st.Address != "" {
		got, err := b.r.AddressOutputs(ctx, st.Address, 0, 1)
		return len(got) > 0, err
	}
	id, err := chainhash.NewHashFromStr(st.Tx)
	if err != nil {
		return false, nil
	}
	t, err := b.r.Tx(ctx, *id)
	if errors.Is(err, bitcoin.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return st.Vout < len(t.Msg.TxOut), nil
}
