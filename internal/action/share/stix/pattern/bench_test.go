package pattern

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchIndicators builds n indicators shaped like an ISAC's feed: mostly
// crypto addresses, then domains, URLs, file hashes and IPs, a few
// multi-value and AND patterns, and ~0.2% that cannot be filed (CIDR ranges,
// LIKE) and are evaluated for every observation.
func benchIndicators(n int) []*Pattern {
	out := make([]*Pattern, 0, n)
	for i := range n {
		var s string
		switch r := i % 1000; {
		case r < 550:
			s = fmt.Sprintf("[cryptocurrency-wallet:address = '0x%040x']", i)
		case r < 700:
			s = fmt.Sprintf("[domain-name:value = 'd%d.example']", i)
		case r < 800:
			s = fmt.Sprintf("[url:value = 'https://d%d.example/payload']", i)
		case r < 900:
			s = fmt.Sprintf("[file:hashes.'SHA-256' = '%064x']", i)
		case r < 950:
			s = fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", i>>16&255, i>>8&255, i&255)
		case r < 990:
			s = fmt.Sprintf("[cryptocurrency-wallet:address IN ('bc1q%038x', 'bc1r%038x')]", i, i)
		case r < 998:
			s = fmt.Sprintf("[file:name = 'f%d.exe' AND file:size > 1000]", i)
		case r == 998:
			s = fmt.Sprintf("[ipv4-addr:value ISSUBSET '172.%d.0.0/16']", i%256)
		default:
			s = fmt.Sprintf("[domain-name:value LIKE '%%.evil%d.example']", i)
		}
		out = append(out, MustParse(s))
	}
	return out
}

// benchStream returns observations of one SCO each, about one in fifty
// hitting an indicator.
func benchStream(n, indicators int) []Observation {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]Observation, n)
	for i := range out {
		j := rng.IntN(indicators)
		if i%50 != 0 {
			j += indicators // a value no indicator holds
		}
		var obj map[string]any
		switch i % 5 {
		case 0, 1:
			obj = map[string]any{"type": "cryptocurrency-wallet", "address": fmt.Sprintf("0x%040x", j)}
		case 2:
			obj = map[string]any{"type": "domain-name", "value": fmt.Sprintf("d%d.example", j)}
		case 3:
			obj = map[string]any{"type": "file", "name": "x.exe", "size": float64(4096), "hashes": map[string]any{"SHA-256": fmt.Sprintf("%064x", j)}}
		default:
			obj = map[string]any{"type": "ipv4-addr", "value": fmt.Sprintf("10.%d.%d.%d", j>>16&255, j>>8&255, j&255)}
		}
		out[i] = Observation{Objects: []map[string]any{obj}}
	}
	return out
}

// BenchmarkIndex100k: one op is one observation checked against 100k
// indicators through the index.
func BenchmarkIndex100k(b *testing.B) {
	const n = 100_000
	ix := NewIndex()
	for i, p := range benchIndicators(n) {
		ix.Add(fmt.Sprintf("indicator--%d", i), p)
	}
	stream := benchStream(10_000, n)
	hits := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		hits += len(ix.Match(stream[i%len(stream)]))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "observations/s")
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "indicator-checks/s")
	b.ReportMetric(float64(ix.Scanned()), "scanned-patterns")
	_ = hits
}

// BenchmarkScan100k is the baseline: every indicator evaluated for each
// observation.
func BenchmarkScan100k(b *testing.B) {
	const n = 100_000
	ps := benchIndicators(n)
	stream := benchStream(1000, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		o := stream[i%len(stream)]
		for _, p := range ps {
			p.Match(o)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "observations/s")
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "pattern-evals/s")
}

// BenchmarkParse measures Parse of a typical indicator pattern.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MustParse("[cryptocurrency-wallet:address = '0x098b716b8aaf21512996dc57eb0615e2383e2f96' OR domain-name:value = 'celasllc.com']")
	}
}
