package watch

import (
	"context"
	"errors"
	"math/big"
	"strconv"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// retro traces a flag the engine has not evaluated over the index (which
// ends at cur): watched addresses the trace reaches alert, and its unspent
// frontier becomes live taint the next blocks continue from. The alerts,
// the frontier and the evaluation commit together.
func (e *Engine) retro(ctx context.Context, c string, ix chainIndex, s *state, id string, cur Cursor) (int, error) {
	var starts []trace.Start
	for _, src := range s.flags[id] {
		st := trace.Start{Address: src.Address, Tx: src.Tx, Vout: src.Vout}
		if st.Address == "" && st.Tx == "" {
			continue
		}
		if st.Address != "" {
			st.Vout = -1
		}
		ok, err := ix.exists(ctx, st)
		if err != nil {
			return 0, err
		}
		if ok {
			starts = append(starts, st)
		}
	}
	bc := BlockCommit{Chain: c, Cursor: cur, Evaluated: []string{id}}
	if len(starts) > 0 {
		res, err := ix.trace(ctx, e.traceConfig(s), starts)
		if errors.Is(err, trace.ErrNotFound) {
			res, err = nil, nil
		}
		if err != nil {
			return 0, err
		}
		if res != nil {
			if res.Truncated {
				e.d.Log.Warn("watch: retro trace truncated", "chain", c, "flag", id, "by", res.TruncatedBy)
			}
			e.fromResult(s, id, res, cur, &bc)
		}
	}
	if err := e.d.Store.CommitWatchBlock(ctx, bc); err != nil {
		return 0, err
	}
	if err := e.published(ctx, bc.Alerts); err != nil {
		return 0, err
	}
	s.evaluated[id] = true
	for i := range bc.Put {
		s.put(&bc.Put[i])
	}
	if len(bc.Alerts) > 0 {
		e.d.Log.Info("watch retro alerts", "chain", c, "flag", id, "alerts", len(bc.Alerts))
	}
	return len(bc.Alerts), nil
}

// fromResult turns a retro trace into alerts (tainted nodes at watched
// addresses) and live taint (the unspent frontier).
func (e *Engine) fromResult(s *state, id string, res *trace.Result, cur Cursor, bc *BlockCommit) {
	byID := make(map[string]*trace.Node, len(res.Nodes))
	for i := range res.Nodes {
		byID[res.Nodes[i].ID] = &res.Nodes[i]
	}
	into := map[string]*trace.Edge{} // node → the first edge reaching it
	for i := range res.Edges {
		ed := &res.Edges[i]
		if _, ok := into[ed.To]; !ok && ed.From != ed.To {
			into[ed.To] = ed
		}
	}
	// One alert per (address, tx, asset), the exact taint summed; on
	// Bitcoin it names the tx's lowest output to the address, on Ethereum
	// the assets of one tx are numbered, as block by block.
	type hit struct {
		i   int
		sum *big.Rat
	}
	hits := map[string]*hit{}
	assets := map[string]int{}
	for i := range res.Nodes {
		n := &res.Nodes[i]
		if n.Kind == "tx" || n.Address == "" {
			continue
		}
		amt := exactAmount(n)
		if !s.settings.enough(trace.Taint{Amount: amt}) {
			continue
		}
		path, tx, vout := e.pathTo(s.chain, n, into)
		height := n.Height
		if ed := into[n.ID]; height == 0 && ed != nil {
			height = ed.Height // account nodes: the transfer that brought the taint
		}
		if en, ok := s.watched(n.Address); ok && tx != "" {
			k := n.Address + "\x00" + tx + "\x00" + n.Asset
			if h := hits[k]; h != nil {
				h.sum.Add(h.sum, amt)
				if a := &bc.Alerts[h.i]; s.chain == BTC && vout < a.Vout {
					a.Vout, a.ID = vout, AlertID(id, s.chain, a.Address, tx, vout)
				}
			} else {
				if s.chain == ETH {
					at := n.Address + "\x00" + tx
					vout = assets[at]
					assets[at]++
				}
				a := s.alert(id, en, n.Address, n.Asset, tx, vout, height, "", n.Hop, path)
				a.Retro = true
				hits[k] = &hit{i: len(bc.Alerts), sum: new(big.Rat).Set(amt)}
				bc.Alerts = append(bc.Alerts, a)
			}
		}
		if n.Stop != trace.StopUnspent {
			continue
		}
		row := TaintRow{Chain: s.chain, Flag: id, Address: n.Address, Asset: n.Asset, Hop: n.Hop, Path: path,
			Height: n.Height, Taint: trace.Taint{Amount: amt}}
		if s.chain == BTC {
			row.Ref = n.ID
			row.Value, _ = new(big.Int).SetString(n.Value, 10)
		} else {
			row.Ref = n.Address + "/" + n.Asset
			row.Value = floor(amt) // the clean balance beside the taint is not known
			row.Height = cur.Height
		}
		if row.Value == nil {
			row.Value = floor(amt)
		}
		if s.settings.Model == trace.FIFO && amt.IsInt() {
			// The trace result gives no spans: the tainted units are
			// taken to be the first ones of the piece.
			row.Taint.Spans = []trace.Span{{Lo: new(big.Int), Hi: new(big.Int).Set(amt.Num())}}
		}
		if row.Height <= 0 {
			row.Height = cur.Height
		}
		bc.Put = append(bc.Put, row)
	}
	for _, h := range hits {
		bc.Alerts[h.i].Amount = floor(h.sum)
	}
}

// exactAmount is a node's taint, exact.
func exactAmount(n *trace.Node) *big.Rat {
	if n.TaintedExact != "" {
		if r, ok := new(big.Rat).SetString(n.TaintedExact); ok {
			return r
		}
	}
	r, ok := new(big.Rat).SetString(n.Tainted)
	if !ok {
		return new(big.Rat)
	}
	return r
}

// pathTo walks the edges back from n to a seed and returns the tx ids hop
// by hop (oldest first), the tx that brought the taint to n and, on
// Bitcoin, n's output index.
func (e *Engine) pathTo(c string, n *trace.Node, into map[string]*trace.Edge) ([]string, string, int) {
	var rev []string
	last, at := "", n.ID
	for steps := 0; steps < 10_000; steps++ {
		ed := into[at]
		if ed == nil {
			break
		}
		if ed.Tx != "" && (len(rev) == 0 || rev[len(rev)-1] != ed.Tx) {
			rev = append(rev, ed.Tx)
		}
		if last == "" {
			last = ed.Tx
		}
		at = ed.From
	}
	vout := 0
	if c == BTC {
		// Output ids are txid:vout: n's tx is the last hop, and the seed
		// output's tx the first.
		if txid, v, ok := strings.Cut(n.ID, ":"); ok {
			vout, _ = strconv.Atoi(v)
			last = txid
			if len(rev) == 0 || rev[0] != txid {
				rev = append([]string{txid}, rev...)
			}
		}
		if txid, _, ok := strings.Cut(at, ":"); ok && !strings.HasPrefix(at, "tx:") && rev[len(rev)-1] != txid {
			rev = append(rev, txid)
		}
	}
	path := make([]string, len(rev))
	for i := range rev {
		path[i] = rev[len(rev)-1-i]
	}
	return path, last, vout
}
