package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestNotifyContract(t *testing.T) {
	storetest.RunNotify(t, func(t *testing.T) notify.Store { return open(t) })
}

func BenchmarkNotify(b *testing.B) {
	storetest.BenchNotify(b, func(b *testing.B) notify.Store { return open(b) })
}
