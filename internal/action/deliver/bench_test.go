package deliver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/interdict/interdict/internal/action/deliver"
)

// BenchmarkDeliver queues and delivers 1,000 alerts per iteration to a
// local receiver that verifies each signature, on SQLite.
func BenchmarkDeliver(b *testing.B) {
	rc := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(rc)
	defer srv.Close()
	f := newBenchFixture(b)
	if err := f.store.AddEndpoint(b.Context(), deliver.Endpoint{ID: "b", URL: srv.URL, Secret: secret}); err != nil {
		b.Fatal(err)
	}
	d := deliver.NewDispatcher(fastConfig(), f.store, f.src, nil, nil)
	const perOp = 1000
	b.ReportAllocs()
	for b.Loop() {
		f.src.add("", perOp)
		if err := d.Round(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "deliveries/s")
}
