package pebble_test

import (
	"testing"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestEthContract(t *testing.T) {
	storetest.RunEth(t, func(t *testing.T) eth.Store {
		s, err := pebble.OpenEth(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
