package pebble_test

import (
	"testing"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/storetest"
)

func open(t *testing.T) bitcoin.Store {
	s, err := pebble.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestChainContract(t *testing.T) {
	t.Run("with the default sync interval", func(t *testing.T) { storetest.RunChain(t, open) })
	t.Run("with every commit synced", func(t *testing.T) {
		storetest.RunChain(t, func(t *testing.T) bitcoin.Store {
			s, err := pebble.OpenWithOptions(t.TempDir(), pebble.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}
