package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestTAXIIContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunTAXII(t, func(t *testing.T) taxii.Store { return open(t) })
}

func BenchmarkTAXII(b *testing.B) {
	serverURL(b)
	storetest.BenchTAXII(b, func(b *testing.B) storetest.TAXIIBackend { return open(b) })
}
