package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
)

// ScreenResponse is the body of a POST /v1/screen answer: one result per
// query, addresses first then names, each in request order, and the list
// versions the index was built from.
type ScreenResponse struct {
	Results  []screen.Result     `json:"results"`
	Lists    []screen.VersionRef `json:"lists"`
	Exposure []ScreenExposure    `json:"exposure,omitempty"` // when asked for
}

func (s *server) screen(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	req, err := DecodeScreenRequest(r.Body, s.cfg.Screen)
	if err != nil {
		return err
	}
	stateOf(r).target = fmt.Sprintf("addresses=%d names=%d", len(req.Addresses), len(req.Names))

	// Record before answering: a subject that was screened but not recorded
	// would silently miss the alert when a later list version names it, so a
	// failure here fails the call.
	subjects := make([]subject, 0, req.Len())
	for _, a := range req.Addresses {
		subjects = append(subjects, subject{"address", a})
	}
	for _, n := range req.Names {
		subjects = append(subjects, subject{"name", n.Name})
	}
	if err := s.subjects.record(r.Context(), subjects); err != nil {
		return err
	}

	// One index for the whole batch, so every result and the reported
	// versions agree even if a list load swaps the index meanwhile.
	ix := s.deps.Screen.Current()
	if ix == nil {
		return fmt.Errorf("%w: no screening index loaded", errNotReady)
	}
	resp := ScreenResponse{Results: make([]screen.Result, 0, req.Len()), Lists: ix.Versions()}
	if resp.Lists == nil {
		resp.Lists = []screen.VersionRef{}
	}
	for _, a := range req.Addresses {
		resp.Results = append(resp.Results, s.count(ix.ScreenAddress(a)))
	}
	for _, n := range req.Names {
		resp.Results = append(resp.Results, s.count(ix.ScreenName(n.Query())))
	}
	if req.Exposure {
		if resp.Exposure, err = s.screenExposure(r.Context(), req.Addresses); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *server) count(res screen.Result) screen.Result {
	outcome := "miss"
	if res.Hit {
		outcome = "hit"
	}
	s.metrics.screened.WithLabelValues(res.Kind, outcome).Inc()
	return res
}

func (s *server) listVersions(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r.URL.Query()); err != nil {
		return err
	}
	vs, err := s.deps.Lists.Versions(r.Context())
	if err != nil {
		return fmt.Errorf("list versions: %w", err)
	}
	if vs == nil {
		vs = []lists.Version{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": vs})
	return nil
}

// maxIDLen bounds a path id; real ones are under 40 characters.
const maxIDLen = 128

func (s *server) listDiff(w http.ResponseWriter, r *http.Request) error {
	if err := queryParams(r.URL.Query()); err != nil {
		return err
	}
	from, to := r.PathValue("id"), r.PathValue("other")
	for _, id := range []string{from, to} {
		if err := checkID(id); err != nil {
			return err
		}
	}
	d, err := s.deps.Lists.Diff(r.Context(), from, to)
	if err != nil {
		return fmt.Errorf("diff %s..%s: %w", from, to, err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func checkID(id string) error {
	if id == "" || len(id) > maxIDLen || !utf8.ValidString(id) || strings.ContainsFunc(id, func(r rune) bool { return r < ' ' }) {
		return fmt.Errorf("%w: id %q is empty, longer than %d bytes or not text", ErrInvalidRequest, truncate(id, 40), maxIDLen)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// AlertsResponse is the body of GET /v1/alerts. NextAfter is the "after" for
// the next page (the last ID returned, or the one asked for when empty).
type AlertsResponse struct {
	Alerts    []alert.Alert `json:"alerts"`
	NextAfter int64         `json:"next_after"`
}

func (s *server) alerts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := queryParams(q, "after", "limit"); err != nil {
		return err
	}
	after, err := intParam(q, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", 100, 1, int64(s.cfg.MaxPageSize))
	if err != nil {
		return err
	}
	as, err := s.deps.Alerts.Alerts(r.Context(), alert.Filter{AfterID: after, Limit: int(limit)})
	if err != nil {
		return fmt.Errorf("read alerts: %w", err)
	}
	resp := AlertsResponse{Alerts: as, NextAfter: after}
	if len(as) > 0 {
		resp.NextAfter = as[len(as)-1].ID
	} else {
		resp.Alerts = []alert.Alert{}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// queryParams refuses parameters the endpoint does not take (a typo such as
// "limt" would otherwise be ignored silently) and repeated ones.
func queryParams(q url.Values, allowed ...string) error {
	for k, vs := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return fmt.Errorf("%w: unknown query parameter %q", ErrInvalidRequest, truncate(k, 40))
		}
		if len(vs) > 1 {
			return fmt.Errorf("%w: query parameter %q given %d times", ErrInvalidRequest, k, len(vs))
		}
	}
	return nil
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int64) (int64, error) {
	v := q.Get(name)
	if v == "" && !q.Has(name) {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %s=%q, want an integer in [%d, %d]", ErrInvalidRequest, name, truncate(v, 40), lo, hi)
	}
	return n, nil
}
