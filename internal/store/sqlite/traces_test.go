package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestTracesContract(t *testing.T) {
	storetest.RunTraces(t, func(t *testing.T) freeze.TraceStore { return open(t) })
}
