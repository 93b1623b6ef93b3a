package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestInspectContract(t *testing.T) {
	serverURL(t) // once here rather than in every case
	storetest.RunInspect(t, func(t *testing.T) inspect.Store { return open(t) })
}
