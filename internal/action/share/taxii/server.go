package taxii

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

// Prefix is where the server is mounted.
const Prefix = "/taxii2/"

// Config tunes the server. The zero value of a field means its default.
type Config struct {
	// MaxContentLength caps a POST body; an API root may set a lower cap.
	MaxContentLength int64
	// MaxPageSize caps limit; it is also the page size when none is asked.
	MaxPageSize int
	// PublicURL, when set, is the base URL discovery gives for the roots
	// (e.g. https://isac.example/); otherwise the request's host is used.
	PublicURL string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{MaxContentLength: 1 << 20, MaxPageSize: 1000}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxContentLength <= 0 {
		c.MaxContentLength = d.MaxContentLength
	}
	if c.MaxPageSize <= 0 {
		c.MaxPageSize = d.MaxPageSize
	}
	return c
}

// Auditor records mutating calls (auth.Store does).
type Auditor interface {
	AppendAudit(ctx context.Context, e auth.AuditEntry) error
}

// Server is the TAXII 2.1 http.Handler.
type Server struct {
	cfg   Config
	store Store
	authn *auth.Authenticator
	audit Auditor
	log   *slog.Logger
	now   func() time.Time
}

// NewServer returns a server over store, authenticating keys with keys. A
// nil audit skips the audit log; a nil logger discards.
func NewServer(cfg Config, store Store, keys auth.KeyLookup, audit Auditor, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg.withDefaults(), store: store, authn: auth.NewAuthenticator(keys), audit: audit,
		log: logger, now: func() time.Time { return time.Now().UTC() }}
}

// request is one authenticated call.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	key  auth.Key
	path []string // unescaped segments after /taxii2/
}

// route is one endpoint: the number of path segments, the fixed segments
// (by index, "" for a variable) and the handler per method.
type route struct {
	shape    []string
	handlers map[string]func(*request) error
}

func (s *Server) routes() []route {
	return []route{
		{[]string{}, map[string]func(*request) error{http.MethodGet: s.discovery}},
		{[]string{""}, map[string]func(*request) error{http.MethodGet: s.apiRoot}},
		{[]string{"", "status", ""}, map[string]func(*request) error{http.MethodGet: s.status}},
		{[]string{"", "collections"}, map[string]func(*request) error{http.MethodGet: s.collections}},
		{[]string{"", "collections", ""}, map[string]func(*request) error{http.MethodGet: s.collection}},
		{[]string{"", "collections", "", "manifest"}, map[string]func(*request) error{http.MethodGet: s.manifest}},
		{[]string{"", "collections", "", "objects"}, map[string]func(*request) error{http.MethodGet: s.getObjects, http.MethodPost: s.addObjects}},
		{[]string{"", "collections", "", "objects", ""}, map[string]func(*request) error{http.MethodGet: s.getObject, http.MethodDelete: s.deleteObject}},
		{[]string{"", "collections", "", "objects", "", "versions"}, map[string]func(*request) error{http.MethodGet: s.versions}},
	}
}

func (rt route) match(p []string) bool {
	if len(p) != len(rt.shape) {
		return false
	}
	for i, f := range rt.shape {
		if f != "" && p[i] != f || f == "" && p[i] == "" {
			return false
		}
	}
	return true
}

// ServeHTTP authenticates, routes, negotiates the media type and runs the
// endpoint. Checks run in the order a client can fix them: credentials
// (401), endpoint (404), method (405), Accept (406).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	segs, err := splitPath(r.URL.EscapedPath())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, rt := range s.routes() {
		if !rt.match(segs) {
			continue
		}
		h, ok := rt.handlers[r.Method]
		if !ok {
			allow := make([]string, 0, len(rt.handlers))
			for m := range rt.handlers {
				allow = append(allow, m)
			}
			w.Header().Set("Allow", strings.Join(slices.Sorted(slices.Values(allow)), ", "))
			s.writeError(w, r, fmt.Errorf("%w: %s", errMethod, r.Method))
			return
		}
		if err := acceptable(r.Header.Get("Accept")); err != nil {
			s.writeError(w, r, err)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		req := &request{w: sw, r: r, key: key, path: segs}
		err := h(req)
		if err != nil {
			s.writeError(sw, r, err)
		}
		if r.Method != http.MethodGet {
			s.auditCall(r, key, sw.status)
		}
		return
	}
	s.writeError(w, r, fmt.Errorf("%w: %s", errNoRoute, r.URL.Path))
}

// splitPath returns the unescaped segments of path after the prefix.
func splitPath(p string) ([]string, error) {
	rest, ok := strings.CutPrefix(p, strings.TrimSuffix(Prefix, "/"))
	if !ok {
		return nil, fmt.Errorf("%w: %s", errNoRoute, p)
	}
	rest = strings.Trim(rest, "/")
	if rest == "" {
		return []string{}, nil
	}
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, fmt.Errorf("%w: bad escape in path", errNoRoute)
		}
		parts[i] = u
	}
	return parts, nil
}

// authenticate reads the key from HTTP Basic (the password; any user name),
// a Bearer token or X-API-Key.
func (s *Server) authenticate(r *http.Request) (auth.Key, error) {
	h := r.Header.Get("Authorization")
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return auth.Key{}, fmt.Errorf("%w: Basic credentials are not base64", auth.ErrUnauthenticated)
		}
		_, pass, ok := strings.Cut(string(raw), ":")
		if !ok || pass == "" {
			return auth.Key{}, fmt.Errorf("%w: Basic credentials have no password", auth.ErrUnauthenticated)
		}
		if x := r.Header.Get("X-API-Key"); x != "" && x != pass {
			return auth.Key{}, fmt.Errorf("%w: Authorization and X-API-Key disagree", auth.ErrUnauthenticated)
		}
		return s.authn.Resolve(r.Context(), pass)
	}
	return s.authn.Authenticate(r.Context(), r.Header)
}

// acceptable checks the Accept header allows the TAXII 2.1 media type
// (section 1.6.8.1: version-less application/taxii+json means the latest).
func acceptable(accept string) error {
	if accept == "" {
		return fmt.Errorf("%w: no Accept header", errNotAcceptable)
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "application/taxii+json" {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		if v, ok := params["version"]; !ok || v == "2.1" {
			return nil
		}
	}
	return fmt.Errorf("%w: got %q", errNotAcceptable, accept)
}

// contentTypeOK checks a POST body's Content-Type.
func contentTypeOK(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/taxii+json" || params["version"] != "2.1" {
		return fmt.Errorf("%w: got %q", errUnsupportedMedia, ct)
	}
	return nil
}

// statusWriter remembers the status answered, for the audit log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// auditCall appends a mutating call, with the status it got, to the audit
// log. The caller hanging up must not erase the record.
func (s *Server) auditCall(r *http.Request, k auth.Key, status int) {
	if s.audit == nil {
		return
	}
	e := auth.AuditEntry{At: s.now(), KeyID: k.ID, Member: k.Member, Action: "TAXII " + r.Method, Target: r.URL.Path, Status: status}
	if aerr := s.audit.AppendAudit(context.WithoutCancel(r.Context()), e); aerr != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "audit append failed", slog.String("action", e.Action), slog.Any("error", aerr))
	}
}

func slogErr(r *http.Request, err error) []slog.Attr {
	return []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error())}
}
