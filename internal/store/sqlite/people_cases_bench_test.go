package sqlite

import (
	"testing"

	"github.com/interdict/interdict/internal/store/storetest"
)

func BenchmarkRescreen(b *testing.B) {
	storetest.BenchRescreen(b, func(b *testing.B) storetest.PeopleCaseStore { return open(b) })
}
