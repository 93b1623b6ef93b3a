package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/action/notify/federate"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestFederateContract(t *testing.T) {
	storetest.RunFederate(t, func(t *testing.T) federate.Store { return open(t) })
}
