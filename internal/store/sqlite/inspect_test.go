package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestInspectContract(t *testing.T) {
	storetest.RunInspect(t, func(t *testing.T) inspect.Store { return open(t) })
}
