package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the API's Prometheus collectors. Labels are bounded: route is
// a registered pattern or "unmatched", never a raw path.
type metrics struct {
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	screened      *prometheus.CounterVec
	auditFailures prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "interdict_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "interdict_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "code"}),
		screened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "interdict_screen_queries_total",
			Help: "Screened queries by kind (address, name) and outcome (hit, miss).",
		}, []string{"kind", "outcome"}),
		auditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "interdict_audit_append_failures_total",
			Help: "Mutating calls whose audit entry could not be written.",
		}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.screened, err = register(reg, m.screened); err != nil {
		return nil, err
	}
	if m.auditFailures, err = register(reg, m.auditFailures); err != nil {
		return nil, err
	}
	return m, nil
}

// register adds c to reg, or returns the collector already registered under
// its name, so two handlers built on one registry (tests, a restart of the
// API within the process) share their counters.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
		return c, nil
	case errors.As(err, &are):
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("api: register metrics: %w", err)
}

func (s *server) metricsHandler() handlerFunc {
	h := promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      s.deps.Registry, // counts scrape errors
	})
	return func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	}
}
