package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/serve/auth"
)

// TraceService saves, shows and re-runs traces (freeze.Service does). Get
// answers an error wrapping freeze.ErrTraceNotFound for a trace the member
// may not see, as for one that does not exist.
type TraceService interface {
	Create(ctx context.Context, owner string, req freeze.Request) (freeze.SavedTrace, error)
	Get(ctx context.Context, id, member string, admin bool) (freeze.SavedTrace, error)
	Rerun(ctx context.Context, t freeze.SavedTrace) (freeze.Run, error)
	List(ctx context.Context, owner string, limit int) ([]freeze.Summary, error)
}

// errTracesOff: the server runs without a chain index to trace on.
var errTracesOff = fmt.Errorf("%w: tracing is not configured on this server (no chain index)", errNotReady)

// registerTraces serves /v1/traces. A member sees and re-runs only its own
// traces (admin: everyone's); another member's trace is answered 404, so its
// existence does not leak.
func (s *server) registerTraces() {
	s.handle("POST /v1/traces", auth.RoleAnalyst, s.createTrace)
	s.handle("GET /v1/traces", auth.RoleAnalyst, s.listTraces)
	s.handle("GET /v1/traces/{id}", auth.RoleAnalyst, s.getTrace)
	s.handle("GET /v1/traces/{id}/freeze", auth.RoleAnalyst, s.freezePackets)
	s.handle("POST /v1/traces/{id}/rerun", auth.RoleAnalyst, s.rerunTrace)
}

// TraceCreated is the answer to POST /v1/traces.
type TraceCreated struct {
	ID      string     `json:"id"`
	Owner   string     `json:"owner"`
	Created string     `json:"created"`
	Request any        `json:"request"`
	Run     freeze.Run `json:"run"`
}

func (s *server) createTrace(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Traces == nil {
		return errTracesOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req freeze.Request
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	k := stateOf(r).key
	t, err := s.deps.Traces.Create(r.Context(), k.Member, req)
	if err != nil {
		return err
	}
	stateOf(r).target = t.ID
	w.Header().Set("Location", "/v1/traces/"+t.ID)
	writeJSON(w, http.StatusCreated, TraceCreated{ID: t.ID, Owner: t.Owner, Created: t.Created.Format("2006-01-02T15:04:05.999999Z07:00"),
		Request: t.Request, Run: *t.Latest()})
	return nil
}

func (s *server) listTraces(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Traces == nil {
		return errTracesOff
	}
	q := r.URL.Query()
	if err := queryParams(q, "limit"); err != nil {
		return err
	}
	limit, err := intParam(q, "limit", 100, 1, int64(s.cfg.MaxPageSize))
	if err != nil {
		return err
	}
	k := stateOf(r).key
	owner := k.Member
	if k.Role == auth.RoleAdmin {
		owner = ""
	}
	ts, err := s.deps.Traces.List(r.Context(), owner, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"traces": ts})
	return nil
}

// savedTrace returns the {id} trace if the caller may see it.
func (s *server) savedTrace(r *http.Request) (freeze.SavedTrace, error) {
	if s.deps.Traces == nil {
		return freeze.SavedTrace{}, errTracesOff
	}
	id := r.PathValue("id")
	if id == "" || len(id) > 128 {
		return freeze.SavedTrace{}, fmt.Errorf("%w: trace id", ErrInvalidRequest)
	}
	k := stateOf(r).key
	return s.deps.Traces.Get(r.Context(), id, k.Member, k.Role == auth.RoleAdmin)
}

func (s *server) getTrace(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r.URL.Query()); err != nil {
		return err
	}
	t, err := s.savedTrace(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *server) rerunTrace(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r.URL.Query()); err != nil {
		return err
	}
	t, err := s.savedTrace(r)
	if err != nil {
		return err
	}
	stateOf(r).target = t.ID
	run, err := s.deps.Traces.Rerun(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": t.ID, "run": run})
	return nil
}

// freezePackets answers the packets of the trace's latest run (or ?run=N):
// JSON by default, ?format=md or html for the readable pages.
func (s *server) freezePackets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := queryParams(q, "format", "run"); err != nil {
		return err
	}
	format := q.Get("format")
	switch format {
	case "", "json", "md", "html":
	default:
		return fmt.Errorf("%w: format=%q, want json, md or html", ErrInvalidRequest, truncate(format, 20))
	}
	t, err := s.savedTrace(r)
	if err != nil {
		return err
	}
	seq, err := intParam(q, "run", int64(len(t.Runs)), 1, int64(max(1, len(t.Runs))))
	if err != nil {
		return err
	}
	if len(t.Runs) == 0 {
		return fmt.Errorf("trace %s has no run: %w", t.ID, freeze.ErrTraceNotFound)
	}
	run := t.Runs[seq-1]
	opt := freeze.DefaultOptions()
	opt.Now = run.At
	ps, err := freeze.Build(r.Context(), run.Result, s.deps.Attribution, opt)
	if errors.Is(err, freeze.ErrNoServices) {
		ps = []freeze.Packet{}
	} else if err != nil {
		return err
	}
	for i := range ps {
		ps[i].TraceID = t.ID
	}
	var b bytes.Buffer
	switch format {
	case "md":
		if len(ps) == 0 {
			b.WriteString("# Freeze requests\n\nThe trace reached no tagged service.\n")
		} else if err := freeze.WriteMarkdown(&b, ps); err != nil {
			return err
		}
		writeBody(w, "text/markdown; charset=utf-8", b.Bytes())
	case "html":
		if len(ps) == 0 {
			b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Freeze requests</title></head><body><p>The trace reached no tagged service.</p></body></html>\n")
		} else if err := freeze.WriteHTML(&b, ps); err != nil {
			return err
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		writeBody(w, "text/html; charset=utf-8", b.Bytes())
	default:
		writeJSON(w, http.StatusOK, map[string]any{"trace_id": t.ID, "run": run.Seq, "packets": ps})
	}
	return nil
}

func writeBody(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the status is sent; a write error means the client left
}
