package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/serve/auth"
)

// The people workflows (cases, role gating) keep their records in the state
// store, which both backends make a vet.CaseStore and a people.Store: they
// are served when Deps.People is set and Deps.Auth (the state store) is both.
// A case is read at /v1/people/cases/{id}/trail: /v1/people/cases/{id}
// would collide with /v1/people/{id}/signals in the mux.

func (s *server) registerPeopleCases() {
	s.handle("GET /v1/people/cases", auth.RoleAnalyst, s.listCases)
	s.handle("POST /v1/people/cases", auth.RoleAnalyst, s.openCase)
	s.handle("GET /v1/people/cases/{id}/trail", auth.RoleAnalyst, s.getCase)
	s.handle("POST /v1/people/cases/{id}/notes", auth.RoleAnalyst, s.noteCase)
	s.handle("POST /v1/people/cases/{id}/decisions", auth.RoleAnalyst, s.decideCase)
	s.handle("GET /v1/people/gate", auth.RoleAnalyst, s.gate)
	s.handle("POST /v1/people/gate", auth.RoleAnalyst, s.gate)
}

// peopleStores returns the case workflow and the person store, after the
// same access check as /v1/people.
func (s *server) peopleStores(r *http.Request) (*vet.Cases, people.Store, error) {
	if err := s.peopleAllowed(r); err != nil {
		return nil, nil, err
	}
	cs, ok1 := s.deps.Auth.(vet.CaseStore)
	ps, ok2 := s.deps.Auth.(people.Store)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("%w: the state store keeps no people cases", errNotReady)
	}
	return vet.NewCases(cs), ps, nil
}

// actor names the caller in a case's trail: the key's member and name, and
// its id, so every note and decision is traceable to one key.
func actor(r *http.Request) string {
	k := stateOf(r).key
	if k == nil {
		return ""
	}
	return k.Member + "/" + k.Name + " (key " + k.ID + ")"
}

// caseErr turns the workflow's request errors into 400s.
func caseErr(err error) error {
	if errors.Is(err, vet.ErrCaseInvalid) || errors.Is(err, vet.ErrRoles) {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	return err
}

// CaseOpenRequest is the body of POST /v1/people/cases.
type CaseOpenRequest struct {
	Persons []string `json:"persons"`
	Reason  string   `json:"reason"`
}

// CaseNoteRequest is the body of POST /v1/people/cases/{id}/notes.
type CaseNoteRequest struct {
	Text string `json:"text"`
}

// CaseDecisionRequest is the body of POST /v1/people/cases/{id}/decisions.
type CaseDecisionRequest struct {
	Disposition vet.Disposition `json:"disposition"`
	Reason      string          `json:"reason"`
}

// CasesResponse lists cases, newest first.
type CasesResponse struct {
	Cases []vet.Case `json:"cases"`
}

// GateRequest is the body of POST /v1/people/gate: the seats a system
// lists (may be empty: the persons' own privileges are always checked).
type GateRequest struct {
	Roles []vet.RoleAssignment `json:"roles"`
}

// GateResponse lists the violations; Pass is true when there are none.
type GateResponse struct {
	Pass       bool            `json:"pass"`
	Violations []vet.Violation `json:"violations"`
}

const maxCasePersons = 1000

func (s *server) listCases(w http.ResponseWriter, r *http.Request) error {
	cs, _, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := vet.CaseFilter{PersonID: q.Get("person"), Status: vet.CaseStatus(q.Get("status")), Limit: 100}
	if f.Status != "" && f.Status != vet.CaseOpen && f.Status != vet.CaseClosed {
		return fmt.Errorf("%w: status: want open or closed", ErrInvalidRequest)
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("%w: limit: want 1 to 1000", ErrInvalidRequest)
		}
		f.Limit = n
	}
	list, err := cs.List(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []vet.Case{}
	}
	writeJSON(w, http.StatusOK, CasesResponse{Cases: list})
	return nil
}

func (s *server) openCase(w http.ResponseWriter, r *http.Request) error {
	cs, ps, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req CaseOpenRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	if n := len(req.Persons); n == 0 || n > maxCasePersons {
		return fmt.Errorf("%w: persons: give 1 to %d persons, not %d", ErrInvalidRequest, maxCasePersons, n)
	}
	for _, id := range req.Persons {
		if _, err := ps.Person(r.Context(), id); err != nil {
			return err
		}
	}
	c, err := cs.Open(r.Context(), req.Persons, actor(r), req.Reason, nil)
	if err != nil {
		return caseErr(err)
	}
	stateOf(r).target = "case=" + c.ID
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *server) getCase(w http.ResponseWriter, r *http.Request) error {
	cs, _, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	c, err := cs.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *server) noteCase(w http.ResponseWriter, r *http.Request) error {
	cs, _, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req CaseNoteRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	stateOf(r).target = "case=" + truncate(id, 64)
	ev, err := cs.Note(r.Context(), id, actor(r), req.Text)
	if err != nil {
		return caseErr(err)
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}

func (s *server) decideCase(w http.ResponseWriter, r *http.Request) error {
	cs, _, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req CaseDecisionRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	stateOf(r).target = "case=" + truncate(id, 64) + " disposition=" + truncate(string(req.Disposition), 32)
	ev, err := cs.Decide(r.Context(), id, actor(r), req.Disposition, req.Reason)
	if err != nil {
		return caseErr(err)
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}

func (s *server) gate(w http.ResponseWriter, r *http.Request) error {
	_, ps, err := s.peopleStores(r)
	if err != nil {
		return err
	}
	var req GateRequest
	if r.Method == http.MethodPost {
		if err := requireJSON(r); err != nil {
			return err
		}
		if err := decodeStrict(r.Body, &req); err != nil {
			return err
		}
	}
	if len(req.Roles) > 100_000 {
		return fmt.Errorf("%w: roles: at most 100000", ErrInvalidRequest)
	}
	for i, ra := range req.Roles {
		if !slices.Contains(people.Privileges, ra.Privilege) || ra.Resource == "" {
			return fmt.Errorf("%w: roles[%d]: a known privilege and a resource are required", ErrInvalidRequest, i)
		}
	}
	vs, err := vet.NewGate(ps, s.deps.Auth.(vet.CaseStore)).Check(r.Context(), req.Roles)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []vet.Violation{}
	}
	writeJSON(w, http.StatusOK, GateResponse{Pass: len(vs) == 0, Violations: vs})
	return nil
}
