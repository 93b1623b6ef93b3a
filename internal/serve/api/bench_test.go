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
			h := newHarness(&testing.T{})
			defer h.srv.Close()
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
