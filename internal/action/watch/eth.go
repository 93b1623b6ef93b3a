package watch

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/ethereum"
)

// ethIndex is the Ethereum side of the engine: every (address, asset)
// holding a flag's taint is a pool of the model, carried from block to
// block as a taint row (its balance and taint as one piece of value) and
// fed the block's transfers in order.
//
// An address's pool starts at the first tainted receipt holding the clean
// balance the address had just before it (read from the index's balance
// flows, as the retro trace reads the history), so haircut dilutes the
// taint with it and FIFO spends it first.
type ethIndex struct {
	e *Engine
	r ethereum.Reader
}

func (x *ethIndex) tip(ctx context.Context) (Cursor, bool, error) {
	t, err := x.r.Tip(ctx)
	if errors.Is(err, ethereum.ErrNotFound) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, err
	}
	return Cursor{Height: t.Height, Hash: t.Hash.Hex()}, true, nil
}

func (x *ethIndex) hashAt(ctx context.Context, h int64) (string, bool, error) {
	b, err := x.r.BlockByNumber(ctx, h)
	if errors.Is(err, ethereum.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return b.Hash.Hex(), true, nil
}

// ethPool is one flag's pool at one (address, asset) during a block.
type ethPool struct {
	row     *TaintRow // the live row it was loaded from (nil: new)
	pool    trace.Pool
	balance *big.Int
	hop     int
	path    []string
	addr    string
	asset   string
}

type ethHit struct {
	alert Alert
	sum   *big.Rat
}

func ethRef(addr, asset string) string { return addr + "/" + asset }

func (x *ethIndex) block(ctx context.Context, s *state, h int64) (BlockCommit, int, error) {
	b, err := x.r.BlockByNumber(ctx, h)
	if err != nil {
		return BlockCommit{}, 0, err
	}
	bc := BlockCommit{Chain: ETH, Cursor: Cursor{Height: h, Hash: b.Hash.Hex()}}
	if len(s.live) == 0 && len(s.byAddr)+len(s.byTx) == 0 {
		return bc, 0, nil
	}
	ts, err := x.r.Transfers(ctx, h)
	if err != nil {
		return bc, 0, err
	}
	pools := map[string]map[string]*ethPool{} // ref → flag → pool
	get := func(ref string) map[string]*ethPool {
		m := pools[ref]
		if m == nil {
			m = map[string]*ethPool{}
			for flag, r := range s.live[ref] {
				p := s.settings.Model.NewPool()
				p.Receive(r.Value, r.Taint)
				m[flag] = &ethPool{row: r, pool: p, balance: new(big.Int).Set(r.Value), hop: r.Hop, path: r.Path,
					addr: r.Address, asset: r.Asset}
			}
			pools[ref] = m
		}
		return m
	}
	var hits []*ethHit
	hitBy := map[string]*ethHit{}
	priors := map[string]*big.Int{} // clean balances before the first tainted receipt
	vouts := map[string]int{}
	tainted := map[string]bool{}
	for _, t := range ts {
		if t.Amount == nil || t.Amount.Sign() <= 0 {
			continue
		}
		tx := t.TxHash.Hex()
		follow := t.Kind != ethereum.KindFee && t.From != "" && t.To != ""
		type gift struct {
			taint trace.Taint
			hop   int
			path  []string
		}
		gifts := map[string]gift{}
		stop, err := s.stopped(ctx, t.From)
		if err != nil {
			return bc, 0, err
		}
		if t.From != "" && !stop { // a tagged service's outgoing transfers are not followed
			if _, any := s.live[ethRef(t.From, t.Asset)]; any || pools[ethRef(t.From, t.Asset)] != nil {
				for flag, p := range get(ethRef(t.From, t.Asset)) {
					taint := p.pool.Spend(t.Amount)
					p.balance.Sub(p.balance, t.Amount)
					if p.balance.Sign() < 0 {
						p.balance.SetInt64(0)
					}
					if follow && s.hopOK(p.hop) && s.settings.enough(taint) {
						gifts[flag] = gift{taint, p.hop + 1, append(slices.Clone(p.path), tx)}
					}
				}
			}
		}
		if follow {
			for _, f := range s.seeds(s.byAddr[t.From]) {
				gifts[f] = gift{trace.Full(t.Amount), 1, []string{tx}}
			}
			for _, f := range s.seeds(s.byTx[strings.ToLower(tx)]) {
				gifts[f] = gift{trace.Full(t.Amount), 0, []string{tx}}
			}
		}
		if !follow {
			continue
		}
		dst := ethRef(t.To, t.Asset)
		var m map[string]*ethPool
		if _, any := s.live[dst]; any || pools[dst] != nil || len(gifts) > 0 {
			m = get(dst)
		}
		for flag, p := range m {
			if _, ok := gifts[flag]; !ok {
				p.pool.Receive(t.Amount, trace.Clean())
				p.balance.Add(p.balance, t.Amount)
			}
		}
		flags := make([]string, 0, len(gifts))
		for f := range gifts {
			flags = append(flags, f)
		}
		slices.Sort(flags)
		for _, flag := range flags {
			g := gifts[flag]
			p := m[flag]
			if p == nil {
				prior, ok := priors[dst]
				if !ok {
					if prior, err = x.prior(ctx, t); err != nil {
						return bc, 0, err
					}
					priors[dst] = prior
				}
				p = &ethPool{pool: s.settings.Model.NewPool(), balance: new(big.Int).Set(prior), hop: g.hop, path: g.path,
					addr: t.To, asset: t.Asset}
				p.pool.Receive(prior, trace.Clean())
				m[flag] = p
			}
			p.pool.Receive(t.Amount, g.taint)
			p.balance.Add(p.balance, t.Amount)
			if g.hop < p.hop || len(p.path) == 0 {
				p.hop, p.path = g.hop, g.path
			}
			if !tainted[t.To] {
				tainted[t.To] = true
				bc.Tainted = append(bc.Tainted, t.To)
			}
			en, ok := s.watched(t.To)
			if !ok {
				continue
			}
			k := flag + "\x00" + t.To + "\x00" + tx + "\x00" + t.Asset
			if hit := hitBy[k]; hit != nil {
				hit.sum.Add(hit.sum, g.taint.Amount)
				continue
			}
			vk := flag + "\x00" + t.To + "\x00" + tx
			hit := &ethHit{alert: s.alert(flag, en, t.To, t.Asset, tx, vouts[vk], h, bc.Cursor.Hash, g.hop, g.path),
				sum: new(big.Rat).Set(g.taint.Amount)}
			vouts[vk]++
			hitBy[k] = hit
			hits = append(hits, hit)
		}
	}
	// Carry every pool the block touched to the next block as a row.
	refs := make([]string, 0, len(pools))
	for ref := range pools {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	for _, ref := range refs {
		for flag, p := range pools[ref] {
			if p.row != nil {
				bc.Spend = append(bc.Spend, Key{flag, ref})
				delete(s.live[ref], flag)
			}
			held := p.pool.Spend(p.balance)
			if !s.settings.enough(held) || !s.hopOK(p.hop) {
				continue
			}
			row := TaintRow{Chain: ETH, Flag: flag, Ref: ref, Address: p.addr, Asset: p.asset, Value: new(big.Int).Set(p.balance),
				Taint: held, Hop: p.hop, Path: p.path, Height: h}
			bc.Put = append(bc.Put, row)
			s.put(&bc.Put[len(bc.Put)-1])
		}
		if len(s.live[ref]) == 0 {
			delete(s.live, ref)
		}
	}
	for _, hit := range hits {
		hit.alert.Amount = floor(hit.sum)
		bc.Alerts = append(bc.Alerts, hit.alert)
	}
	return bc, len(bc.Alerts), nil
}

// maxPrior is how many balance entries of an address are read to find
// what it held before taint first reached it; past that (a supernode) the
// pool starts empty.
const maxPrior = 100_000

// prior is the clean balance of t's receiver in t's asset just before t,
// as trace's account pools count it: the pool holds it before the taint
// comes, so haircut dilutes the taint with it and FIFO spends it first.
func (x *ethIndex) prior(ctx context.Context, t *ethereum.Transfer) (*big.Int, error) {
	flows, err := x.r.BalanceFlows(ctx, t.To, t.Asset, 0, maxPrior+1)
	if err != nil {
		return nil, fmt.Errorf("balance of %s: %w", t.To, err)
	}
	sum := new(big.Int)
	if len(flows) > maxPrior {
		x.e.d.Log.Debug("watch: balance history too long; the pool starts empty", "address", t.To, "asset", t.Asset)
		return sum, nil
	}
	for _, f := range flows {
		if c := f.ID.Compare(t.ID); c > 0 || (c == 0 && f.Dir >= ethereum.In) {
			break
		}
		if f.Dir == ethereum.In {
			sum.Add(sum, f.Amount)
		} else {
			sum.Sub(sum, f.Amount)
		}
	}
	if sum.Sign() < 0 {
		sum.SetInt64(0) // history before the index
	}
	return sum, nil
}

func (x *ethIndex) trace(ctx context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
	return trace.TraceAccount(ctx, trace.EthereumView{R: x.r}, x.e.d.Tags, cfg, starts)
}

func (x *ethIndex) exists(ctx context.Context, st trace.Start) (bool, error) {
	if st.Address != "" {
		got, err := x.r.AddressTransfers(ctx, st.Address, "", 0, 1)
		return len(got) > 0, err
	}
	if len(st.Tx) != 66 {
		return false, nil
	}
	_, err := x.r.TxLocation(ctx, common.HexToHash(st.Tx))
	if errors.Is(err, ethereum.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
