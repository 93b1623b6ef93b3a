package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/interdict/interdict/internal/action/share/ioc"
	"github.com/interdict/interdict/internal/serve/auth"
)

// IOCMatcher matches observables against the STIX indicators a key may read
// (ioc.Matcher does). Errors wrap ioc.ErrInvalid for a bad observable.
type IOCMatcher interface {
	Match(ctx context.Context, k auth.Key, obs []ioc.Observable) ([]ioc.Hit, ioc.Stats, error)
}

var errIOCsOff = fmt.Errorf("%w: IOC matching is not configured on this server", errNotReady)

func (s *server) registerIOCs() {
	s.handle("POST /v1/iocs/match", auth.RoleAnalyst, s.matchIOCs)
}

// IOCMatchRequest is the body of POST /v1/iocs/match.
type IOCMatchRequest struct {
	Observables []ioc.Observable `json:"observables"`
}

// IOCMatchResponse lists every indicator each observable matched (by its
// index in the request) and what was looked at.
type IOCMatchResponse struct {
	Hits  []ioc.Hit `json:"hits"`
	Stats ioc.Stats `json:"stats"`
}

func (s *server) matchIOCs(w http.ResponseWriter, r *http.Request) error {
	if s.deps.IOCs == nil {
		return errIOCsOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req IOCMatchRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	if len(req.Observables) == 0 {
		return fmt.Errorf("%w: observables: give at least one", ErrInvalidRequest)
	}
	st := stateOf(r)
	st.target = fmt.Sprintf("observables=%d", len(req.Observables))
	hits, stats, err := s.deps.IOCs.Match(r.Context(), *st.key, req.Observables)
	if err != nil {
		return err
	}
	if hits == nil {
		hits = []ioc.Hit{}
	}
	writeJSON(w, http.StatusOK, IOCMatchResponse{Hits: hits, Stats: stats})
	return nil
}
