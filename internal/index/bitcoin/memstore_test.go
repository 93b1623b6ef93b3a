package bitcoin_test

import (
	"testing"

	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestMemStoreContract(t *testing.T) {
	storetest.RunChain(t, func(t *testing.T) bitcoin.Store { return bitcoin.NewMemStore() })
}
