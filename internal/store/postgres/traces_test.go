package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestTracesContract(t *testing.T) {
	serverURL(t)
	storetest.RunTraces(t, func(t *testing.T) freeze.TraceStore { return open(t) })
}
