package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/interdict/interdict/internal/serve/auth"
)

// requestState is what the layers of one request tell each other: the outer
// layer logs and counts what the route layer and the handler filled in.
type requestState struct {
	id           string
	route        string // the mux pattern, or "unmatched": a bounded label
	status       int    // 0 until the header is written
	bytes        int64
	key          *auth.Key // the authenticated caller, if any
	presentedKey bool      // a key was sent, valid or not
	target       string    // what a mutating call acted on, for the audit log
	cause        error     // the error behind an error response, for the log
}

type stateKey struct{}

// stateOf returns the request's state; a zero state for requests that did
// not come through the server (handlers called directly).
func stateOf(r *http.Request) *requestState {
	if st, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{}
}

// statusWriter records the status and size of the response.
type statusWriter struct {
	http.ResponseWriter
	st *requestState
}

func (w *statusWriter) WriteHeader(code int) {
	if w.st.status == 0 {
		w.st.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.st.status == 0 {
		w.st.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.st.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// muxErrorWriter turns the mux's own plain-text 404 and 405 answers into
// JSON errors, keeping its headers (Allow); anything else (a redirect to the
// clean path) passes through.
type muxErrorWriter struct {
	http.ResponseWriter
	r     *http.Request
	state muxWriteState
}

type muxWriteState int

const (
	muxUnwritten muxWriteState = iota
	muxReplaced                // our JSON error was sent; drop the mux's body
	muxPassed                  // the mux's answer goes out as is
)

func (w *muxErrorWriter) WriteHeader(code int) {
	if w.state != muxUnwritten {
		return
	}
	switch code {
	case http.StatusNotFound:
		w.state = muxReplaced
		writeError(w.ResponseWriter, w.r, errNoRoute)
	case http.StatusMethodNotAllowed:
		w.state = muxReplaced
		writeError(w.ResponseWriter, w.r, errMethodNotAllowed)
	default:
		w.state = muxPassed
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *muxErrorWriter) Write(b []byte) (int, error) {
	if w.state == muxUnwritten {
		w.WriteHeader(http.StatusOK)
	}
	if w.state == muxReplaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP is the outermost layer: request id, body limit, panic recovery,
// the request log and the request metrics.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	st := &requestState{id: requestID(r.Header.Get("X-Request-ID")), route: "unmatched"}
	w.Header().Set("X-Request-ID", st.id)
	sw := &statusWriter{ResponseWriter: w, st: st}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	if r.Body != nil {
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
	}

	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			st.cause = fmt.Errorf("panic: %v", p)
			s.log.LogAttrs(r.Context(), slog.LevelError, "handler panicked",
				slog.String("request_id", st.id), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			if st.status == 0 {
				writeError(sw, r, st.cause)
			}
		}
		s.finish(r, st, time.Since(start))
	}()

	_, pattern := s.mux.Handler(r)
	if _, ok := s.routes[pattern]; ok {
		st.route = pattern
		s.mux.ServeHTTP(sw, r)
		return
	}
	s.mux.ServeHTTP(&muxErrorWriter{ResponseWriter: sw, r: r}, r)
}

// finish logs the request and counts it. The log never holds the secret, the
// Authorization header or the body: only what identifies the call.
func (s *server) finish(r *http.Request, st *requestState, d time.Duration) {
	status := st.status
	if status == 0 {
		status = http.StatusOK
	}
	code := strconv.Itoa(status)
	s.metrics.requests.WithLabelValues(st.route, code).Inc()
	s.metrics.duration.WithLabelValues(st.route, code).Observe(d.Seconds())

	attrs := []slog.Attr{
		slog.String("request_id", st.id),
		slog.String("method", r.Method),
		slog.String("route", st.route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Int64("bytes", st.bytes),
	}
	if st.key != nil {
		attrs = append(attrs, slog.String("key_id", st.key.ID), slog.String("member", st.key.Member))
	}
	level := slog.LevelInfo
	if probeRoutes[st.route] && status < 400 {
		level = slog.LevelDebug // a scraper every few seconds would drown the log
	}
	if st.cause != nil {
		attrs = append(attrs, slog.String("error", st.cause.Error()))
		if status >= 500 {
			level = slog.LevelError
		}
	}
	s.log.LogAttrs(r.Context(), level, "http request", attrs...)
}

// probeRoutes are polled by machines; their successes are logged at debug.
var probeRoutes = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true}

// handlerFunc is a route handler; an error it returns is answered through
// the error table.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers h for pattern, behind authentication when role is set.
func (s *server) handle(pattern string, role auth.Role, h handlerFunc) {
	s.routes[pattern] = role
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if role != "" {
			// Answers to authenticated calls are per caller and may hold
			// secrets (a new key): no cache may keep them.
			w.Header().Set("Cache-Control", "no-store")
			if !s.authorize(w, r, pattern, role) {
				return
			}
			if isMutating(r.Method) {
				// completed stays false if h panics: the deferred audit then
				// records the 500 the outer layer will answer.
				completed := false
				defer func() { s.audit(r, pattern, completed) }()
				if err := h(w, r); err != nil {
					writeError(w, r, err)
				}
				completed = true
				return
			}
		}
		if err := h(w, r); err != nil {
			writeError(w, r, err)
		}
	})
}

// authorize authenticates the caller and checks its role, answering 401 or
// 403 itself. A refused role is audited on mutating calls: the caller is
// known, and an attempt beyond one's role is worth a record.
func (s *server) authorize(w http.ResponseWriter, r *http.Request, pattern string, role auth.Role) bool {
	st := stateOf(r)
	// RFC 6750: the challenge says invalid_token only when a token was
	// sent, not for no credentials or another scheme.
	_, err := auth.SecretFromHeader(r.Header)
	st.presentedKey = err == nil
	k, err := s.authn.Authenticate(r.Context(), r.Header)
	if err != nil {
		writeError(w, r, err)
		return false
	}
	st.key = &k
	if err := auth.Require(k, role); err != nil {
		writeError(w, r, err)
		if isMutating(r.Method) {
			s.audit(r, pattern, true)
		}
		return false
	}
	return true
}

func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// audit appends the finished call to the audit log. It runs after the
// handler so the entry holds the real status; a call that panicked is
// recorded as the 500 it becomes. A failed append cannot change the answer
// already sent, so it is logged and counted for alerting.
func (s *server) audit(r *http.Request, pattern string, completed bool) {
	st := stateOf(r)
	status := st.status
	if !completed {
		status = http.StatusInternalServerError
	} else if status == 0 {
		status = http.StatusOK
	}
	e := auth.AuditEntry{
		At:     time.Now().UTC(),
		KeyID:  st.key.ID,
		Member: st.key.Member,
		Action: pattern,
		Target: st.target,
		Status: status,
	}
	// The caller hanging up must not erase the record of what it did.
	ctx := context.WithoutCancel(r.Context())
	if err := s.deps.Auth.AppendAudit(ctx, e); err != nil {
		s.metrics.auditFailures.Inc()
		s.log.LogAttrs(ctx, slog.LevelError, "audit append failed",
			slog.String("request_id", st.id), slog.String("action", e.Action), slog.String("key_id", e.KeyID), slog.Any("error", err))
	}
}

// requestID keeps a caller's X-Request-ID when it is short and plain, so
// logs can be joined across services, and makes one otherwise.
func requestID(in string) string {
	if len(in) > 0 && len(in) <= 64 {
		ok := true
		for _, c := range []byte(in) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			return in
		}
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the status is sent; a write error means the client left
}
