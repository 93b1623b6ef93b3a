package screen

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
	"github.com/interdict/interdict/internal/sources/sanctions/un"
)

// The real lists the quality test and the benchmarks run on: the OFAC SDN list
// of 2025-11-19 and the UN consolidated list of 2026-02-27 from ../shared/data.
// Each is parsed once per test binary, from the uncompressed copies sharedtest
// caches.
var realLists struct {
	once     sync.Once
	ofac, un *sanctions.List
	err      error
}

func realDatasets(tb testing.TB) []Dataset {
	tb.Helper()
	ofacPath := sharedtest.Decompressed(tb, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
	unPath := sharedtest.Decompressed(tb, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	realLists.once.Do(func() {
		realLists.ofac, realLists.err = parseListFile(ofacPath, ofac.Parse)
		if realLists.err == nil {
			realLists.un, realLists.err = parseListFile(unPath, un.Parse)
		}
	})
	if realLists.err != nil {
		tb.Fatal(realLists.err)
	}
	return []Dataset{
		{Version: VersionRef{ID: "ofac-2025-11-19", Source: sanctions.SourceOFAC, Published: realLists.ofac.Published}, Entities: realLists.ofac.Entities},
		{Version: VersionRef{ID: "un-2026-02-27", Source: sanctions.SourceUN, Published: realLists.un.Published}, Entities: realLists.un.Entities},
	}
}

func parseListFile(path string, parse func(context.Context, io.Reader) (*sanctions.List, error)) (*sanctions.List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(context.Background(), f)
}

// realIndex returns the name index over both real lists, built once.
func realIndex(tb testing.TB) *nameIndex {
	tb.Helper()
	ds := realDatasets(tb)
	realNames.once.Do(func() { realNames.ix = newNameIndex(ds) })
	return realNames.ix
}

var realNames struct {
	once sync.Once
	ix   *nameIndex
}

// entitiesOf concatenates the datasets' entities.
func entitiesOf(ds []Dataset) []sanctions.Entity {
	var out []sanctions.Entity
	for _, d := range ds {
		out = append(out, d.Entities...)
	}
	return out
}
