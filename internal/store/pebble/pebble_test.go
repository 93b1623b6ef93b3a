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

func TestChainContract(t *testing.T) { storetest.RunChain(t, open) }
