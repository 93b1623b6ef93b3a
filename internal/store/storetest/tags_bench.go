package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/sharedtest"
)

// tagBenchLabelSets are the label sets BenchTags imports after every
// GraphSense pack.
var tagBenchLabelSets = [][]string{
	{"etherscan-labels-brianleect", "etherscan_combinedAllLabels.json.gz"},
	{"forta-labelled-datasets", "labels", "1", "etherscan_malicious_labels.csv.gz"},
	{"forta-labelled-datasets", "labels", "1", "phishing_scams.csv.gz"},
	{"cryptoscamdb-blacklist", "urls.yaml.gz"},
	{"mew-ethereum-lists", "addresses-darklist.json"},
}

type benchFile struct {
	name string
	data []byte
}

func tagBenchInputs(b *testing.B) []benchFile {
	dir := sharedtest.Path(b, "tags", "graphsense-tagpacks", "packs")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.yaml*"))
	sub, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml*"))
	var files []benchFile
	for _, p := range append(paths, sub...) {
		rel, _ := filepath.Rel(filepath.Dir(dir), p)
		elem := append([]string{"tags", "graphsense-tagpacks"}, strings.Split(filepath.ToSlash(rel), "/")...)
		files = append(files, benchFile{rel, sharedtest.ReadAll(b, elem...)})
	}
	for _, l := range tagBenchLabelSets {
		files = append(files, benchFile{strings.Join(l, "/"), sharedtest.ReadAll(b, append([]string{"tags"}, l...)...)})
	}
	return files
}

// BenchTags measures, on real data, the import rate (decode, check,
// normalise and store; tags/s) of every GraphSense pack and the large label
// sets (about 76k tags), then lookups by address on the result: 90% tagged
// addresses, 10% misses, with p50 and p99 latency. open must return a fresh,
// empty store.
func BenchTags(b *testing.B, open func(b *testing.B) tags.Store) {
	files := tagBenchInputs(b)
	var addrs []string
	b.Run("Import", func(b *testing.B) {
		b.ReportAllocs()
		total := 0
		for b.Loop() {
			st := open(b)
			im, err := tags.NewImporter(st, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			total = 0
			for _, f := range files {
				r, err := im.ImportFile(b.Context(), f.name, bytes.NewReader(f.data), tags.Options{AllowMerge: true})
				if err != nil {
					b.Fatal(err)
				}
				total += r.Tags
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "tags/s")
		b.ReportMetric(float64(total), "tags")
	})
	b.Run("ByAddress", func(b *testing.B) {
		st := open(b)
		im, err := tags.NewImporter(st, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			r, err := im.ImportFile(b.Context(), f.name, bytes.NewReader(f.data), tags.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ts, err := st.TagsByDataset(b.Context(), r.Dataset)
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range ts {
				addrs = append(addrs, t.Address)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		var lat []time.Duration
		b.ReportAllocs()
		for b.Loop() {
			a := addrs[rng.IntN(len(addrs))]
			if rng.IntN(10) == 0 {
				a = fmt.Sprintf("0x%040x", rng.Uint64())
			}
			start := time.Now()
			if _, err := st.TagsByAddress(b.Context(), a); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
}
