package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestDeliverContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunDeliver(t, func(t *testing.T) deliver.Store { return open(t) })
}

func TestOutboxContract(t *testing.T) {
	serverURL(t)
	storetest.RunOutbox(t, func(t *testing.T) deliver.Outbox { return open(t) })
}
