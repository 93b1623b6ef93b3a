package api

import (
	"context"
	"fmt"
	"net/http"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
	"github.com/interdict/interdict/internal/serve/auth"
)

// PeopleService stores and assesses persons (a vet.Service behind a lock
// does). Errors wrap people.ErrInvalid for a bad record and people.ErrNotFound
// for an unknown id.
type PeopleService interface {
	Add(ctx context.Context, ps []people.Person) ([]vet.Assessment, error)
	Assess(ctx context.Context, id string) (vet.Assessment, error)
}

// maxPeoplePerRequest bounds one POST /v1/people or /v1/people/screen.
const maxPeoplePerRequest = 1000

var errPeopleOff = fmt.Errorf("%w: people vetting is not configured on this server (no people key)", errNotReady)

func (s *server) registerPeople() {
	s.handle("POST /v1/people", auth.RoleAnalyst, s.addPeople)
	s.handle("POST /v1/people/screen", auth.RoleAnalyst, s.screenPeople)
	s.handle("GET /v1/people/{id}/signals", auth.RoleAnalyst, s.personSignals)
}

// peopleAllowed: the persons of an instance belong to its operator; only
// admin keys and keys of the member named by Deps.PeopleMember may read or
// add them (a hub's other members keep their applicants on their own
// instances).
func (s *server) peopleAllowed(r *http.Request) error {
	if s.deps.People == nil {
		return errPeopleOff
	}
	k := stateOf(r).key
	if k.Role == auth.RoleAdmin || (s.deps.PeopleMember != "" && k.Member == s.deps.PeopleMember) {
		return nil
	}
	return fmt.Errorf("%w: the persons of this instance belong to member %q", auth.ErrForbidden, s.deps.PeopleMember)
}

// PeopleRequest is the body of POST /v1/people.
type PeopleRequest struct {
	People []people.Person `json:"people"`
}

// PeopleScreenRequest is the body of POST /v1/people/screen.
type PeopleScreenRequest struct {
	IDs []string `json:"ids"`
}

// PeopleResponse lists one assessment per person, in request order.
type PeopleResponse struct {
	Assessments []vet.Assessment `json:"assessments"`
	Flagged     int              `json:"flagged"`
}

func (s *server) addPeople(w http.ResponseWriter, r *http.Request) error {
	if err := s.peopleAllowed(r); err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req PeopleRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	if n := len(req.People); n == 0 || n > maxPeoplePerRequest {
		return fmt.Errorf("%w: people: give 1 to %d persons, not %d", ErrInvalidRequest, maxPeoplePerRequest, n)
	}
	stateOf(r).target = fmt.Sprintf("people=%d", len(req.People))
	as, err := s.deps.People.Add(r.Context(), req.People)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, peopleResponse(as))
	return nil
}

func (s *server) screenPeople(w http.ResponseWriter, r *http.Request) error {
	if err := s.peopleAllowed(r); err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req PeopleScreenRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	if n := len(req.IDs); n == 0 || n > maxPeoplePerRequest {
		return fmt.Errorf("%w: ids: give 1 to %d ids, not %d", ErrInvalidRequest, maxPeoplePerRequest, n)
	}
	stateOf(r).target = fmt.Sprintf("ids=%d", len(req.IDs))
	as := make([]vet.Assessment, 0, len(req.IDs))
	for _, id := range req.IDs {
		a, err := s.deps.People.Assess(r.Context(), id)
		if err != nil {
			return err
		}
		as = append(as, a)
	}
	writeJSON(w, http.StatusOK, peopleResponse(as))
	return nil
}

func (s *server) personSignals(w http.ResponseWriter, r *http.Request) error {
	if err := s.peopleAllowed(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	stateOf(r).target = "person=" + truncate(id, 64)
	a, err := s.deps.People.Assess(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func peopleResponse(as []vet.Assessment) PeopleResponse {
	out := PeopleResponse{Assessments: as}
	for _, a := range as {
		if a.Flagged {
			out.Flagged++
		}
	}
	return out
}
