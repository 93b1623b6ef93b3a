package postgres

import (
	"testing"

	"github.com/interdict/interdict/internal/store/storetest"
)

func BenchmarkRescreen(b *testing.B) {
	serverURL(b)
	storetest.BenchRescreen(b, func(b *testing.B) storetest.PeopleCaseStore { return open(b) })
}
