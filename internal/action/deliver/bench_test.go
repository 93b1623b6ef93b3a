package deliver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

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

// BenchmarkPublishToWebhook is the delivery leg of block-to-alert latency:
// an alert published into the state store's log (as the watch commit does)
// until a loopback receiver has it, with the dispatcher running and woken,
// on SQLite. It reports p50 and p99.
func BenchmarkPublishToWebhook(b *testing.B) {
	got := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		got <- struct{}{}
	}))
	defer srv.Close()
	st := openSQLite(b)
	outbox := st.(deliver.Outbox)
	if err := st.AddEndpoint(b.Context(), deliver.Endpoint{ID: "b", URL: srv.URL, Secret: secret}); err != nil {
		b.Fatal(err)
	}
	cfg := deliver.DefaultConfig()
	cfg.Poll = time.Second // only Notify should make it fast
	d := deliver.NewDispatcher(cfg, st, outbox, nil, nil)
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	go func() { _ = d.Run(ctx) }()
	var lat []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := outbox.Publish(ctx, []deliver.Published{{Key: fmt.Sprint("k", i), Payload: json.RawMessage(`{"alert":1}`)}}); err != nil {
			b.Fatal(err)
		}
		d.Notify()
		<-got
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
