package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/store/storetest"
)

func TestWatchContract(t *testing.T) {
	serverURL(t)
	storetest.RunWatch(t, func(t *testing.T) watch.Store { return open(t) })
}
