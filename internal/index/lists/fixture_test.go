package lists_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// The two OFAC SDN advanced XML dates take ~1 s each to parse (~10 s under
// the race detector), so the package loads them once, into one SQLite store,
// in the order a user would: 2025-03-04, then 2025-11-19, then the UN list.
type ofacFixture struct {
	svc          *lists.Service
	v0304, v1119 lists.Version
	vUN          lists.Version
	firstDiff    *lists.Diff // from loading 2025-03-04 into an empty store
	diff         *lists.Diff // from loading 2025-11-19 after it
	unDiff       *lists.Diff // from loading the UN list after them
}

var (
	fixtureOnce sync.Once
	fixture     *ofacFixture
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func openStore(tb testing.TB, dir string) *sqlite.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "state.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func loadedOFAC(t *testing.T) *ofacFixture {
	t.Helper()
	x0304 := sharedtest.Open(t, "ofac", "sdn_advanced_2025-03-04.xml.bz2")
	x1119 := sharedtest.Open(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
	xUN := sharedtest.Open(t, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "lists-test-")
		if fixtureErr != nil {
			return
		}
		st, err := sqlite.Open(context.Background(), filepath.Join(fixtureDir, "state.db"), nil)
		if err != nil {
			fixtureErr = err
			return
		}
		fx := &ofacFixture{svc: lists.NewService(st, nil)}
		ctx := context.Background()
		if fx.v0304, fx.firstDiff, fixtureErr = fx.svc.Load(ctx, sanctions.SourceOFAC, x0304); fixtureErr != nil {
			return
		}
		if fx.v1119, fx.diff, fixtureErr = fx.svc.Load(ctx, sanctions.SourceOFAC, x1119); fixtureErr != nil {
			return
		}
		if fx.vUN, fx.unDiff, fixtureErr = fx.svc.Load(ctx, sanctions.SourceUN, xUN); fixtureErr != nil {
			return
		}
		fixture = fx
	})
	if fixtureErr != nil {
		t.Fatalf("loading the OFAC fixture: %v", fixtureErr)
	}
	return fixture
}
