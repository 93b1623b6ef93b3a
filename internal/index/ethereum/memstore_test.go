package ethereum_test

import (
	"testing"

	eth "github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestMemStoreContract(t *testing.T) {
	storetest.RunEth(t, func(t *testing.T) eth.Store { return eth.NewMemStore() })
}
