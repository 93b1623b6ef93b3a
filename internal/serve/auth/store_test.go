package auth_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

type memStore struct {
	mu   sync.Mutex
	keys []auth.Key
}

func newStore(t *testing.T) auth.Store { return &memStore{} }

func (m *memStore) CreateKey(_ context.Context, k auth.Key) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}
func (m *memStore) KeyByHash(_ context.Context, h []byte) (auth.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range m.keys {
		if bytes.Equal(k.Hash, h) {
			return k, nil
		}
	}
	return auth.Key{}, auth.ErrNotFound
}
func (m *memStore) Keys(context.Context) ([]auth.Key, error) { return m.keys, nil }
func (m *memStore) RevokeKey(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		if m.keys[i].ID == id {
			m.keys[i].RevokedAt = &at
			return nil
		}
	}
	return auth.ErrNotFound
}
func (m *memStore) AppendAudit(context.Context, auth.AuditEntry) error    { return nil }
func (m *memStore) Audit(context.Context, int) ([]auth.AuditEntry, error) { return nil, nil }
