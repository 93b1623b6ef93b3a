package screen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// listDataset reads the per-asset community lists of ofac/lists_2025-12-04
// (the same 758 (currency, address) pairs as the 2025-11-19 SDN XML) into one
// dataset, one entity per asset file.
func listDataset(tb testing.TB) Dataset {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(sharedtest.Path(tb, "ofac", "lists_2025-12-04"), "sanctioned_addresses_*.txt"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no address lists: %v", err)
	}
	d := Dataset{Version: VersionRef{ID: "ofac-lists-2025-12-04", Source: sanctions.SourceOFAC}}
	for _, f := range files {
		asset := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "sanctioned_addresses_"), ".txt")
		e := sanctions.Entity{ID: asset, Names: []sanctions.Name{{Full: asset}}}
		r, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			e.Addresses = append(e.Addresses, sanctions.DigitalAddress{Currency: asset, Address: sc.Text()})
		}
		r.Close()
		d.Entities = append(d.Entities, e)
	}
	return d
}

// BenchmarkScreenAddress screens a mix of listed addresses (as published,
// upper- and lower-cased where the format allows) and clean ones of every
// format: about half hits, half misses.
func BenchmarkScreenAddress(b *testing.B) {
	d := listDataset(b)
	ix := NewIndex(d)
	var queries []string
	for _, e := range d.Entities {
		for _, a := range e.Addresses {
			queries = append(queries, a.Address)
			if strings.HasPrefix(a.Address, "0x") {
				queries = append(queries, strings.ToLower(a.Address))
			}
		}
	}
	hits := len(queries)
	for i := 0; len(queries) < 2*hits; i++ {
		queries = append(queries,
			fmt.Sprintf("0x%040x", i*7919),
			fmt.Sprintf("0x%040X", i*104729),
			fmt.Sprintf("1BoatSLRHtKNngkdXEeobR76b53LE%05d", i),
			fmt.Sprintf("TR7NHqjeKQxGTCi8q8ZY4pL8otSzg%05d", i),
			fmt.Sprintf("bc1qar0srrr7xfkvy5l643lydnw9re59gtzz%06d", i),
		)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		ix.ScreenAddress(queries[n%len(queries)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
}
