// Package memkv is an ordered in-memory key-value map: the content of the
// chain indexes' in-memory reference stores (bitcoin.MemStore,
// ethereum.MemStore), which the store contract suites compare every backend
// with. A Map is read concurrently; it is written only while private to one
// commit (Clone, write, then Replace), so a commit applies all or nothing.
package memkv

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
)

// Map is the ordered map.
type Map struct {
	mu       sync.RWMutex // guards kv for readers; writers hold a private Clone
	kv       map[string][]byte
	notFound error
}

// New returns an empty map whose Get wraps notFound for an absent key (each
// index has its own ErrNotFound).
func New(notFound error) *Map { return &Map{kv: map[string][]byte{}, notFound: notFound} }

// Clone returns a private copy to write a commit into.
func (m *Map) Clone() *Map {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := &Map{kv: make(map[string][]byte, len(m.kv)), notFound: m.notFound}
	for k, v := range m.kv {
		c.kv[k] = v
	}
	return c
}

// Replace makes next's content m's, at once for readers.
func (m *Map) Replace(next *Map) {
	m.mu.Lock()
	m.kv = next.kv
	m.mu.Unlock()
}

// Set writes a pair (only on a private Clone).
func (m *Map) Set(k, v []byte) error { m.kv[string(k)] = bytes.Clone(v); return nil }

// Delete removes a key (only on a private Clone).
func (m *Map) Delete(k []byte) error { delete(m.kv, string(k)); return nil }

// DeleteRange removes the keys in [a, b) (only on a private Clone).
func (m *Map) DeleteRange(a, b []byte) error {
	for k := range m.kv {
		if k >= string(a) && k < string(b) {
			delete(m.kv, k)
		}
	}
	return nil
}

// Get returns the value of k, or an error wrapping the map's notFound.
func (m *Map) Get(_ context.Context, k []byte) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.kv[string(k)]
	if !ok {
		return nil, fmt.Errorf("key %x: %w", k, m.notFound)
	}
	return v, nil
}

// Scan calls fn for every pair with lower <= key < upper in ascending key
// order. fn runs without the lock held, so it may call Get.
func (m *Map) Scan(ctx context.Context, lower, upper []byte, fn func(k, v []byte) error) error {
	m.mu.RLock()
	var keys []string
	for k := range m.kv {
		if k >= string(lower) && k < string(upper) {
			keys = append(keys, k)
		}
	}
	m.mu.RUnlock()
	slices.Sort(keys)
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.RLock()
		v, ok := m.kv[k]
		m.mu.RUnlock()
		if ok {
			if err := fn([]byte(k), v); err != nil {
				return err
			}
		}
	}
	return nil
}
