package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// peopleAPI adapts a vet.Service to PeopleService (as cmd/interdict does).
type peopleAPI struct{ svc *vet.Service }

func (p peopleAPI) Add(ctx context.Context, ps []people.Person) ([]vet.Assessment, error) {
	return p.svc.AddBatch(ctx, ps)
}

func (p peopleAPI) Assess(ctx context.Context, id string) (vet.Assessment, error) {
	a, _, err := p.svc.Assess(ctx, id)
	return a, err
}

// withPeople wires a people service over the harness's SQLite store, for
// member "acme" (the harness's keys) unless member says otherwise.
func withPeople(t *testing.T, member string) harnessOption {
	return func(_ *Config, d *Deps) {
		vault, err := people.NewVault(make([]byte, people.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		svc, err := vet.NewService(context.Background(), d.Auth.(people.Store), vault, vet.NewRules(vet.DefaultConfig(), nil))
		if err != nil {
			t.Fatal(err)
		}
		d.People, d.PeopleMember = peopleAPI{svc}, member
	}
}

func TestPeopleAPI(t *testing.T) {
	h := newHarness(t, withPeople(t, "acme"))
	// Two applicants sharing one payout wallet: one persona cluster.
	add := `{"people":[
 {"id":"app-1","kind":"applicant","identifiers":[{"type":"legal_name","value":"Alex Example"},{"type":"wallet","value":"0x1111111111111111111111111111111111111111","extra":"eth"}]},
 {"id":"app-2","kind":"applicant","identifiers":[{"type":"legal_name","value":"Sam Sample"},{"type":"wallet","value":"0x1111111111111111111111111111111111111111","extra":"eth"}]}]}`
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          string
	}{
		{"no key is 401", "POST", "/v1/people", "", add, http.StatusUnauthorized, "unauthenticated"},
		{"a screener key is 403", "POST", "/v1/people", "$SCREENER", add, http.StatusForbidden, "forbidden"},
		{"an empty batch is 400", "POST", "/v1/people", "$ANALYST", `{"people":[]}`, http.StatusBadRequest, "invalid_request"},
		{"an invalid person is 400", "POST", "/v1/people", "$ANALYST", `{"people":[{"id":"","kind":"alien","identifiers":[]}]}`, http.StatusBadRequest, "invalid_request"},
		{"adding two persons sharing a wallet flags both", "POST", "/v1/people", "$ANALYST", add, http.StatusOK, `"flagged":2`},
		{"their signals name the shared wallet", "GET", "/v1/people/app-2/signals", "$ANALYST", "", http.StatusOK, `app-1`},
		{"an unknown person is 404", "GET", "/v1/people/nobody/signals", "$ANALYST", "", http.StatusNotFound, "not_found"},
		{"screening again by id", "POST", "/v1/people/screen", "$ADMIN", `{"ids":["app-1"]}`, http.StatusOK, `"person_id":"app-1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := h.do(tc.method, tc.path, tc.key, nil, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.want) {
				t.Fatalf("%d %s; want %d containing %s", resp.StatusCode, got, tc.status, tc.want)
			}
		})
	}
	t.Run("another member's key is 403", func(t *testing.T) {
		addMemberKey(t, h, "other-member", "OTHER")
		if resp, got := h.do("GET", "/v1/people/app-1/signals", "$OTHER", nil, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%d %s; want 403", resp.StatusCode, got)
		}
	})
	t.Run("the answer decodes as documented", func(t *testing.T) {
		_, got := h.do("POST", "/v1/people/screen", "$ANALYST", nil, `{"ids":["app-1","app-2"]}`)
		var r PeopleResponse
		if err := json.Unmarshal(got, &r); err != nil || len(r.Assessments) != 2 || r.Flagged != 2 {
			t.Fatalf("%s (%v): want two flagged assessments", got, err)
		}
	})
}
