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

func BenchmarkNotify(b *testing.B) {
	serverURL(b)
	storetest.BenchNotify(b, func(b *testing.B) notify.Store { return open(b) })
}
