package hubfilter

import (
	"context"
	"fmt"
	"sync"
)

// TaintedSource gives the addresses a block newly tainted (the watch
// engine's per-block sets). For a block it has not processed it returns an
// error wrapping ErrNotFound.
type TaintedSource interface {
	TaintedAddresses(ctx context.Context, chain string, height int64) ([]string, error)
}

// Progress tells how far a TaintedSource has processed a chain (the watch
// engine's cursor). A source that does not implement it must itself answer
// ErrNotFound for heights it has not processed.
type Progress interface {
	ProcessedHeight(ctx context.Context, chain string) (int64, error)
}

// CacheDepth is how far below the processed height a block must be for its
// filter to be cached: a reorg rewrites the sets of the blocks it replaces,
// and filters of recent blocks are cheap to build again.
const CacheDepth = 6

// Hub builds and caches the encoded filters the API serves. When its source
// implements Progress, heights above the processed one are ErrNotFound and
// only blocks CacheDepth below it are cached; otherwise nothing is cached.
type Hub struct {
	src  TaintedSource
	bits int

	mu    sync.Mutex // guards cache and order
	cache map[hubKey]*Encoded
	order []hubKey // oldest first
	max   int
}

type hubKey struct {
	chain  string
	height int64
}

// Encoded is a built filter with its wire bytes.
type Encoded struct {
	*Filter
	Bytes []byte
}

// NewHub returns a hub over src keeping up to cacheSize encoded filters
// (<= 0 means 1,024); bits is the fingerprint width (0 = DefaultBits).
func NewHub(src TaintedSource, bits, cacheSize int) *Hub {
	if cacheSize <= 0 {
		cacheSize = 1024
	}
	return &Hub{src: src, bits: bits, cache: map[hubKey]*Encoded{}, max: cacheSize}
}

// Filter returns the encoded filter of a block, building it unless cached.
// Forget drops cached blocks after a reorg deeper than CacheDepth.
func (h *Hub) Filter(ctx context.Context, chainName string, height int64) (*Encoded, error) {
	if err := CheckChain(chainName); err != nil {
		return nil, err
	}
	if height < 0 {
		return nil, fmt.Errorf("%w: height %d", ErrInvalid, height)
	}
	k := hubKey{chainName, height}
	h.mu.Lock()
	e, ok := h.cache[k]
	h.mu.Unlock()
	if ok {
		return e, nil
	}
	cacheable := false
	if p, ok := h.src.(Progress); ok {
		done, err := p.ProcessedHeight(ctx, chainName)
		if err != nil {
			return nil, fmt.Errorf("hub filter %s/%d: processed height: %w", chainName, height, err)
		}
		if height > done {
			return nil, fmt.Errorf("hub filter %s/%d: processed up to %d: %w", chainName, height, done, ErrNotFound)
		}
		cacheable = height <= done-CacheDepth
	}
	addrs, err := h.src.TaintedAddresses(ctx, chainName, height)
	if err != nil {
		return nil, fmt.Errorf("hub filter %s/%d: %w", chainName, height, err)
	}
	f, err := Build(chainName, height, addrs, h.bits)
	if err != nil {
		return nil, err
	}
	b, err := f.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e = &Encoded{Filter: f, Bytes: b}
	if !cacheable {
		return e, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.cache[k]; !ok {
		h.cache[k] = e
		h.order = append(h.order, k)
		if len(h.order) > h.max {
			delete(h.cache, h.order[0])
			h.order = h.order[1:]
		}
	}
	return e, nil
}

// Forget drops the cached filters of chain at and above height (after a
// reorg).
func (h *Hub) Forget(chainName string, height int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.order[:0]
	for _, k := range h.order {
		if k.chain == chainName && k.height >= height {
			delete(h.cache, k)
			continue
		}
		kept = append(kept, k)
	}
	h.order = kept
}
