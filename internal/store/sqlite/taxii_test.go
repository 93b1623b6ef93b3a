package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestTAXIIContract(t *testing.T) {
	storetest.RunTAXII(t, func(t *testing.T) taxii.Store { return open(t) })
}

func BenchmarkTAXII(b *testing.B) {
	storetest.BenchTAXII(b, func(b *testing.B) storetest.TAXIIBackend { return open(b) })
}
