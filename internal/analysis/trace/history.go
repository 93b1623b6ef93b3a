package trace

import (
	"context"
	"fmt"
	"math/big"
	"slices"

	"github.com/interdict/interdict/internal/index/ethereum"
)

// history reads an address's entries of one asset. Forward it pages through
// them (Config.Page at a time, at most Config.MaxHistory in all), so memory
// per address is one page however busy the address is; backward it loads
// them, up to MaxHistory, and hands them out last first. Past MaxHistory the
// history is capped: the rest is never read, and the trace says so.
type history struct {
	v              AccountView
	address, asset string
	page, max      int
	reverse        bool

	buf       []ethereum.AddressTransfer
	i         int
	last      *entryKey
	from      int64
	exhausted bool
	read      int
	capped    bool
	reads     *int
}

func (a *acctTrace) openHistory(ctx context.Context, ac *account) (*history, error) {
	h := &history{v: a.v, address: ac.address, asset: ac.asset, page: a.cfg.Page, max: a.cfg.MaxHistory,
		reverse: a.backward(), reads: &a.g.stats.Reads}
	if !h.reverse {
		return h, nil
	}
	var all []ethereum.AddressTransfer
	for !h.exhausted {
		if err := h.fetch(ctx); err != nil {
			return nil, err
		}
		all = append(all, h.buf...)
	}
	// The reversed ledger starts with what the address holds at the end of
	// its (read) history, clean: funds not yet spent funded nothing traced.
	bal := new(big.Int)
	for _, e := range all {
		if e.Dir == ethereum.In {
			bal.Add(bal, e.Transfer.Amount)
		} else {
			bal.Sub(bal, e.Transfer.Amount)
		}
	}
	if bal.Sign() > 0 {
		ac.pool.Receive(bal, Clean())
	}
	slices.Reverse(all)
	h.buf, h.i = all, 0
	return h, nil
}

// fetch reads the next page after the last entry read.
func (h *history) fetch(ctx context.Context) error {
	limit := h.page
	for {
		*h.reads++
		got, err := h.v.AddressTransfers(ctx, h.address, h.asset, h.from, limit)
		if err != nil {
			return fmt.Errorf("transfers of %s: %w", h.address, err)
		}
		keep := got
		if h.last != nil {
			keep = keep[:0:0]
			for _, e := range got {
				if keyOf(e).compare(*h.last) > 0 {
					keep = append(keep, e)
				}
			}
		}
		full := len(got) >= limit
		if len(keep) == 0 && full && limit < h.max+h.page {
			limit *= 2 // one height holds more than a page: read more of it
			continue
		}
		if !full {
			h.exhausted = true
		}
		if h.read+len(keep) >= h.max && (full || h.read+len(keep) > h.max) {
			keep = keep[:h.max-h.read]
			h.capped, h.exhausted = true, true
		}
		h.read += len(keep)
		h.buf, h.i = keep, 0
		if len(keep) > 0 {
			k := keyOf(keep[len(keep)-1])
			h.last, h.from = &k, k.id.Height
		} else {
			h.exhausted = true
		}
		return nil
	}
}

// peek returns the next entry (nil at the end) without consuming it.
func (h *history) peek(ctx context.Context) (*ethereum.AddressTransfer, error) {
	for h.i >= len(h.buf) {
		if h.reverse || h.exhausted {
			return nil, nil
		}
		if err := h.fetch(ctx); err != nil {
			return nil, err
		}
	}
	return &h.buf[h.i], nil
}

func (h *history) pop() { h.i++ }
