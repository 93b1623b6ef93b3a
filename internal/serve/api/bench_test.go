package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkScreenHTTP measures POST /v1/screen end to end over loopback
// HTTP: auth lookup, decoding, recording the subjects in SQLite, screening,
// the audit append and encoding. ns/op is per request of batch queries.
func BenchmarkScreenHTTP(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("addresses=%d", batch), func(b *testing.B) {
			h := newHarness(b)
			q := make([]string, batch)
			for i := range q {
				q[i] = fmt.Sprintf(`"0x%040x"`, i%10) // few distinct subjects: recording is an upsert
			}
			q[0] = `"` + lazarusAddress + `"`
			body := `{"addresses":[` + strings.Join(q, ",") + `]}`
			b.ReportAllocs()
			for b.Loop() {
				resp, _ := h.do("POST", "/v1/screen", "$SCREENER", nil, body)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
		})
	}
}

// BenchmarkScreenHTTPParallel is BenchmarkScreenHTTP with concurrent
// clients (GOMAXPROCS × -cpu goroutines): what one node sustains when the
// audit appends queue on SQLite's single writer.
func BenchmarkScreenHTTPParallel(b *testing.B) {
	const batch = 100
	h := newHarness(b)
	q := make([]string, batch)
	for i := range q {
		q[i] = fmt.Sprintf(`"0x%040x"`, i)
	}
	body := `{"addresses":[` + strings.Join(q, ",") + `]}`
	// Steady state: the subjects are recorded once, before timing.
	if resp, _ := h.do("POST", "/v1/screen", "$SCREENER", nil, body); resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
	b.ResetTimer()
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, _ := h.do("POST", "/v1/screen", "$SCREENER", nil, body)
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}
