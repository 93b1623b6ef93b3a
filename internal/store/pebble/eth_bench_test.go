package pebble_test

import (
	"testing"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/store/pebble"
	"github.com/interdict/interdict/internal/store/storetest"
)

// BenchmarkEth: go test -run XXX -bench BenchmarkEth -benchtime 3x ./internal/store/pebble/
func BenchmarkEth(b *testing.B) {
	storetest.BenchEth(b, func(b *testing.B) eth.Store {
		s, err := pebble.OpenEth(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}, storetest.EthBenchChain{Blocks: 100, TxsPerBlock: 150, Accounts: 5000})
}
