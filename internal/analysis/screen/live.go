package screen

import "sync/atomic"

// Live holds the index in use. Loading a new list version builds a new Index
// and swaps it in; readers never block and never see a half-built index.
type Live struct {
	p atomic.Pointer[Index]
}

// NewLive returns a Live holding ix (or an empty index if ix is nil).
func NewLive(ix *Index) *Live {
	l := &Live{}
	if ix == nil {
		ix = NewIndex()
	}
	l.p.Store(ix)
	return l
}

// Current returns the index in use.
func (l *Live) Current() *Index { return l.p.Load() }

// Swap installs ix and returns the previous index.
func (l *Live) Swap(ix *Index) *Index { return l.p.Swap(ix) }
