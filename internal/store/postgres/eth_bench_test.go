package postgres

import (
	"testing"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/store/storetest"
)

// BenchmarkEth: go test -run XXX -bench BenchmarkEth -benchtime 3x ./internal/store/postgres/
// (with INTERDICT_TEST_POSTGRES_URL set).
func BenchmarkEth(b *testing.B) {
	serverURL(b)
	storetest.BenchEth(b, func(b *testing.B) eth.Store { return openEth(b) },
		storetest.EthBenchChain{Blocks: 100, TxsPerBlock: 150, Accounts: 5000})
}
