// Package api is Interdict's HTTP surface: the authenticated REST API under
// /v1 (screening, list versions and diffs, alerts, keys, audit log), health
// and readiness probes, Prometheus metrics and the OpenAPI 3.1 document.
//
// Every /v1 call needs an API key (see package auth) whose role allows it;
// every mutating call is written to the audit log after it ran. Errors are
// JSON {"error":{"code","message","request_id"}}, mapped from Go errors in
// one table (errors.go). Bodies are size-limited and decoded strictly.
package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
)

// Config tunes the API. The zero value of a field means its default.
type Config struct {
	// MaxBodyBytes caps a request body; beyond it the answer is 413.
	MaxBodyBytes int64
	// Screen bounds one screening request.
	Screen Limits
	// MaxPageSize caps the limit of the alerts and audit pages.
	MaxPageSize int
	// ReadyTimeout bounds one readiness check.
	ReadyTimeout time.Duration
	// RecordCacheSize bounds how many screened subjects the process
	// remembers having recorded, to skip writing them again.
	RecordCacheSize int
	// MetricsRole, when set, puts /metrics behind an API key of that role;
	// empty leaves it open for a scraper on a private network.
	MetricsRole auth.Role
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		MaxBodyBytes: 1 << 20,
		Screen:       DefaultLimits(),
		MaxPageSize:  1000,
		ReadyTimeout: 2 * time.Second,
		// About 10 MB: the working set of a busy exchange's deposit addresses.
		RecordCacheSize: 100_000,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.Screen == (Limits{}) {
		c.Screen = d.Screen
	}
	if c.MaxPageSize <= 0 {
		c.MaxPageSize = d.MaxPageSize
	}
	if c.ReadyTimeout <= 0 {
		c.ReadyTimeout = d.ReadyTimeout
	}
	if c.RecordCacheSize <= 0 {
		c.RecordCacheSize = d.RecordCacheSize
	}
	return c
}

// IndexSource hands out the screening index in use (screen.Live does).
type IndexSource interface {
	Current() *screen.Index
}

// SubjectRecorder remembers every screened address and name so later list
// versions re-screen them (alert.Store does). A store that also implements
// SubjectBatchRecorder is given each request's subjects in one call.
type SubjectRecorder interface {
	RecordScreened(ctx context.Context, kind, query string) error
}

// ListService lists stored list versions and diffs two of them. Diff returns
// an error wrapping lists.ErrNotFound for an unknown id.
type ListService interface {
	Versions(ctx context.Context) ([]lists.Version, error)
	Diff(ctx context.Context, from, to string) (*lists.Diff, error)
}

// AlertSource pages through alerts (alert.Store does).
type AlertSource interface {
	Alerts(ctx context.Context, f alert.Filter) ([]alert.Alert, error)
}

// Deps are the components the API calls. All but Logger, Registry and Ready
// are required.
type Deps struct {
	Screen   IndexSource
	Subjects SubjectRecorder
	Lists    ListService
	Alerts   AlertSource
	Auth     auth.Store
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Registry receives the API's metrics and is served at /metrics; nil
	// makes a private one.
	Registry *prometheus.Registry
	// Ready reports whether the process can serve (stores open, index
	// loaded); nil means always ready.
	Ready func(ctx context.Context) error
	// TAXII, when set, serves /taxii2/ (see taxii.go).
	TAXII http.Handler
	// Traces and Attribution, when set, serve /v1/traces and the freeze
	// packets (see traces.go); Exposure serves /v1/exposure (exposure.go).
	Traces      TraceService
	Attribution freeze.Attributor
	Exposure    ExposureService
	// IOCs, when set, serves POST /v1/iocs/match (iocs.go).
	IOCs IOCMatcher
	// People, when set, serves /v1/people (people.go) to admin keys and to
	// keys of PeopleMember, the member whose applicants this instance vets.
	People       PeopleService
	PeopleMember string
	// Inspections, when set, serves /v1/inspections (inspect.go).
	Inspections InspectionStore
	// Flags, when set, serves /v1/flags (flags.go).
	Flags FlagService
	// AlertStream, when set, serves GET /v1/alerts/stream (stream.go);
	// Filters serves the hub's GET /v1/filters/{chain}/{height} (filters.go).
	AlertStream AlertStreamer
	Filters     FilterSource
}

// server is the http.Handler New returns.
type server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	authn    *auth.Authenticator
	subjects *recorder
	mux      *http.ServeMux
	routes   map[string]auth.Role // pattern → required role ("" = public)
	metrics  *metrics
}

// New returns the API handler. It fails only on a missing dependency or an
// invalid Config.
func New(cfg Config, deps Deps) (http.Handler, error) {
	s, err := newServer(cfg, deps)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newServer(cfg Config, deps Deps) (*server, error) {
	switch {
	case deps.Screen == nil:
		return nil, errors.New("api: Deps.Screen is nil")
	case deps.Subjects == nil:
		return nil, errors.New("api: Deps.Subjects is nil")
	case deps.Lists == nil:
		return nil, errors.New("api: Deps.Lists is nil")
	case deps.Alerts == nil:
		return nil, errors.New("api: Deps.Alerts is nil")
	case deps.Auth == nil:
		return nil, errors.New("api: Deps.Auth is nil")
	case cfg.MetricsRole != "" && !cfg.MetricsRole.Valid():
		return nil, fmt.Errorf("api: MetricsRole: %w", auth.ErrInvalidRole)
	}
	cfg = cfg.withDefaults()
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	if deps.Ready == nil {
		deps.Ready = func(context.Context) error { return nil }
	}
	m, err := newMetrics(deps.Registry)
	if err != nil {
		return nil, err
	}
	s := &server{
		cfg: cfg, deps: deps, log: deps.Logger,
		authn:    auth.NewAuthenticator(deps.Auth),
		subjects: newRecorder(deps.Subjects, cfg.RecordCacheSize),
		mux:      http.NewServeMux(),
		routes:   map[string]auth.Role{},
		metrics:  m,
	}
	s.registerRoutes()
	return s, nil
}

// registerRoutes is the API at a glance; openapi.json describes the same
// routes (a test keeps them in step).
func (s *server) registerRoutes() {
	s.handle("GET /healthz", "", s.healthz)
	s.handle("GET /readyz", "", s.readyz)
	s.handle("GET /metrics", s.cfg.MetricsRole, s.metricsHandler())
	s.handle("GET /v1/openapi.json", "", s.openapi)

	s.handle("POST /v1/screen", auth.RoleScreener, s.screen)
	s.handle("GET /v1/lists", auth.RoleAnalyst, s.listVersions)
	s.handle("GET /v1/lists/{id}/diff/{other}", auth.RoleAnalyst, s.listDiff)
	s.handle("GET /v1/alerts", auth.RoleAnalyst, s.alerts)

	s.handle("GET /v1/keys", auth.RoleAdmin, s.listKeys)
	s.handle("POST /v1/keys", auth.RoleAdmin, s.createKey)
	s.handle("DELETE /v1/keys/{id}", auth.RoleAdmin, s.revokeKey)
	s.handle("GET /v1/audit", auth.RoleAdmin, s.auditLog)
	s.registerTraces()
	s.registerExposure()
	s.registerIOCs()
	s.registerPeople()
	s.registerPeopleCases()
	s.registerInspections()
	s.registerFlags()
	s.registerStream()
	s.registerFilters()
	s.mountTAXII()
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.ReadyTimeout)
	defer cancel()
	if err := s.deps.Ready(ctx); err != nil {
		// The cause goes to the log only: probes are unauthenticated.
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
