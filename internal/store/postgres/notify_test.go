package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestNotifyContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunNotify(t, func(t *testing.T) notify.Store { return open(t) })
}
