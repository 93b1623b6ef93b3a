package api

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
	"github.com/interdict/interdict/internal/serve/auth"
)

// InspectionStore keeps self-inspections (inspect.Store does).
type InspectionStore interface {
	CreateInspection(ctx context.Context, in inspect.Inspection) error
	Inspection(ctx context.Context, id string) (inspect.Inspection, error)
	Inspections(ctx context.Context, org string) ([]inspect.Inspection, error)
	PutAnswer(ctx context.Context, inspection string, a inspect.Answer) error
	Answers(ctx context.Context, inspection string) ([]inspect.Answer, error)
	Evidence(ctx context.Context, inspection string) ([]inspect.Evidence, error)
}

// ReportSigner gives the key the server signs inspection reports with (the
// instance identity). An InspectionStore that is also a ReportSigner serves
// GET /v1/inspections/{id}/report; the key is asked for on each request, so
// an identity created after the server started is used at once.
type ReportSigner interface {
	ReportKey(ctx context.Context) (ed25519.PrivateKey, error)
}

// ErrNoReportKey: the server has no key to sign reports with (a ReportSigner
// wraps it when the instance has no identity yet); answered 503.
var ErrNoReportKey = errors.New("no report-signing key")

// errInspectOff: the server runs without an inspection store.
var errInspectOff = fmt.Errorf("%w: self-inspection is not configured on this server", errNotReady)

// catalogue is loaded once, on the first inspection call.
var catalogue = sync.OnceValues(inspect.Load)

// registerInspections serves /v1/inspections. An inspection belongs to the
// caller's member (its organisation); another member's is answered 404
// unless the caller is an admin.
func (s *server) registerInspections() {
	s.handle("GET /v1/inspections", auth.RoleAnalyst, s.listInspections)
	s.handle("POST /v1/inspections", auth.RoleAnalyst, s.createInspection)
	s.handle("GET /v1/inspections/{id}", auth.RoleAnalyst, s.getInspection)
	s.handle("POST /v1/inspections/{id}/answers", auth.RoleAnalyst, s.answerInspection)
	s.handle("GET /v1/inspections/{id}/report", auth.RoleAnalyst, s.inspectionReport)
}

// InspectionsResponse is the answer to GET /v1/inspections.
type InspectionsResponse struct {
	Inspections []inspect.Inspection `json:"inspections"`
}

// InspectionDetail is the answer to GET /v1/inspections/{id}: the
// inspection, its current answers, its evidence, and the changes since the
// previous inspection.
type InspectionDetail struct {
	Inspection inspect.Inspection `json:"inspection"`
	Answers    []inspect.Answer   `json:"answers"`
	Evidence   []inspect.Evidence `json:"evidence"`
	Changes    []inspect.Change   `json:"changes"`
}

type createInspectionRequest struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Previous string `json:"previous"`
}

type answerRequest struct {
	Control       string `json:"control"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
	Note          string `json:"note"`
}

func (s *server) listInspections(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Inspections == nil {
		return errInspectOff
	}
	k := stateOf(r).key
	org := k.Member
	if k.Role == auth.RoleAdmin {
		org = ""
	}
	all, err := s.deps.Inspections.Inspections(r.Context(), org)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, InspectionsResponse{Inspections: nonNil(all)})
	return nil
}

func (s *server) createInspection(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Inspections == nil {
		return errInspectOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req createInspectionRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	if req.ID == "" || len(req.ID) > 128 {
		return fmt.Errorf("%w: id is required (at most 128 characters)", ErrInvalidRequest)
	}
	k := stateOf(r).key
	if req.Previous != "" {
		if _, err := s.ownInspection(r, req.Previous); err != nil {
			return err
		}
	}
	in := inspect.Inspection{ID: req.ID, Org: k.Member, Title: req.Title, Previous: req.Previous,
		Created: time.Now().UTC().Truncate(time.Microsecond)}
	if err := s.deps.Inspections.CreateInspection(r.Context(), in); err != nil {
		return err
	}
	stateOf(r).target = in.ID
	w.Header().Set("Location", "/v1/inspections/"+in.ID)
	writeJSON(w, http.StatusCreated, in)
	return nil
}

// ownInspection returns an inspection the caller may see, or ErrNotFound.
func (s *server) ownInspection(r *http.Request, id string) (inspect.Inspection, error) {
	in, err := s.deps.Inspections.Inspection(r.Context(), id)
	if err != nil {
		return inspect.Inspection{}, err
	}
	if k := stateOf(r).key; in.Org != k.Member && k.Role != auth.RoleAdmin {
		return inspect.Inspection{}, fmt.Errorf("%w: inspection %s", inspect.ErrNotFound, id)
	}
	return in, nil
}

// inspectionState is what an inspection's detail and report are made of.
type inspectionState struct {
	answers, previous []inspect.Answer
	evidence          []inspect.Evidence
}

func (s *server) loadInspection(ctx context.Context, in inspect.Inspection) (inspectionState, error) {
	var st inspectionState
	var err error
	if st.answers, err = s.deps.Inspections.Answers(ctx, in.ID); err != nil {
		return st, err
	}
	if st.evidence, err = s.deps.Inspections.Evidence(ctx, in.ID); err != nil {
		return st, err
	}
	if in.Previous != "" {
		if st.previous, err = s.deps.Inspections.Answers(ctx, in.Previous); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (s *server) getInspection(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Inspections == nil {
		return errInspectOff
	}
	in, err := s.ownInspection(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	st, err := s.loadInspection(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, InspectionDetail{Inspection: in, Answers: nonNil(st.answers), Evidence: nonNil(st.evidence),
		Changes: nonNil(inspect.Diff(st.previous, st.answers))})
	return nil
}

// inspectionReport answers the inspection's report signed with the
// instance's key: the same signed JSON `interdict inspect report --json`
// writes, which `interdict inspect verify` checks.
func (s *server) inspectionReport(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Inspections == nil {
		return errInspectOff
	}
	signer, ok := s.deps.Inspections.(ReportSigner)
	if !ok {
		return fmt.Errorf("%w: report signing is not configured on this server", errNotReady)
	}
	in, err := s.ownInspection(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	key, err := signer.ReportKey(ctx)
	if errors.Is(err, ErrNoReportKey) {
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	if err != nil {
		return fmt.Errorf("report-signing key: %w", err)
	}
	c, err := catalogue()
	if err != nil {
		return err
	}
	st, err := s.loadInspection(ctx, in)
	if err != nil {
		return err
	}
	rep := c.BuildReport(in, st.answers, st.evidence, st.previous, nil, time.Now().UTC())
	signed, err := inspect.Sign(rep, key)
	if err != nil {
		return err
	}
	stateOf(r).target = in.ID
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(signed, '\n'))
	return nil
}

func (s *server) answerInspection(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Inspections == nil {
		return errInspectOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req answerRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	in, err := s.ownInspection(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := catalogue()
	if err != nil {
		return err
	}
	st, err := inspect.ParseStatus(req.Status)
	if err != nil || req.Status == "" {
		return fmt.Errorf("%w: status %q: implemented, partial, not_implemented, na or unknown", inspect.ErrInvalid, req.Status)
	}
	k := stateOf(r).key
	a := inspect.Answer{Control: req.Control, Status: st, Justification: req.Justification, Note: req.Note,
		By: k.Member + "/" + k.Name, At: time.Now().UTC().Truncate(time.Microsecond)}
	if err := a.Validate(c); err != nil {
		return err
	}
	if err := s.deps.Inspections.PutAnswer(r.Context(), in.ID, a); err != nil {
		return err
	}
	stateOf(r).target = in.ID
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
