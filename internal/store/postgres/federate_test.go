package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/notify/federate"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestFederateContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunFederate(t, func(t *testing.T) federate.Store { return open(t) })
}
