package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestPeopleCasesAPI runs a reviewer's workflow over HTTP: open a case,
// note, decide, read the trail, gate the privileged seats; every answer is
// checked against openapi.json.
func TestPeopleCasesAPI(t *testing.T) {
	h := newHarness(t, withPeople(t, "acme"))
	schemas, err := newDocSchemas()
	if err != nil {
		t.Fatal(err)
	}
	add := `{"people":[
 {"id":"signer-1","kind":"employee","privileges":["signer_seat"],"identifiers":[{"type":"email","value":"signer@example.org"}]},
 {"id":"dev-1","kind":"contractor","identifiers":[{"type":"email","value":"dev@example.org"}]}]}`
	if resp, got := h.do("POST", "/v1/people", "$ANALYST", nil, add); resp.StatusCode != 200 {
		t.Fatalf("add: %d %s", resp.StatusCode, got)
	}
	call := func(method, pattern, path, key, body string, status int) []byte {
		t.Helper()
		resp, got := h.do(method, path, key, nil, body)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d %s; want %d", method, path, resp.StatusCode, got, status)
		}
		if p := schemas.checkResponse(pattern, resp.StatusCode, resp.Header.Get("Content-Type"), got); len(p) > 0 {
			t.Errorf("%s %s: answer not as documented: %v\n%s", method, path, p, got)
		}
		return got
	}
	var gate GateResponse
	json.Unmarshal(call("GET", "GET /v1/people/gate", "/v1/people/gate", "$ANALYST", "", 200), &gate)
	if gate.Pass || len(gate.Violations) != 1 || gate.Violations[0].PersonID != "signer-1" || gate.Violations[0].Reason != "not_verified" {
		t.Errorf("gate before review: %+v", gate)
	}
	var c struct {
		ID     string `json:"id"`
		Events []struct {
			Actor string `json:"actor"`
		} `json:"events"`
	}
	json.Unmarshal(call("POST", "POST /v1/people/cases", "/v1/people/cases", "$ANALYST", `{"persons":["signer-1"],"reason":"signer onboarding"}`, 201), &c)
	if c.ID == "" || len(c.Events) != 1 || !strings.Contains(c.Events[0].Actor, "acme/") {
		t.Fatalf("opened: %+v", c)
	}
	call("POST", "POST /v1/people/cases/{id}/notes", "/v1/people/cases/"+c.ID+"/notes", "$ANALYST", `{"text":"video call done"}`, 201)
	call("POST", "POST /v1/people/cases/{id}/decisions", "/v1/people/cases/"+c.ID+"/decisions", "$ADMIN",
		`{"disposition":"verified_in_person","reason":"passport checked at the office"}`, 201)
	got := call("GET", "GET /v1/people/cases/{id}/trail", "/v1/people/cases/"+c.ID+"/trail", "$ANALYST", "", 200)
	for _, want := range []string{`"status":"closed"`, `"disposition":"verified_in_person"`, `"action":"note"`, `"action":"decide"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("case lacks %s: %s", want, got)
		}
	}
	json.Unmarshal(call("POST", "POST /v1/people/gate", "/v1/people/gate", "$ANALYST",
		`{"roles":[{"privilege":"signer_seat","resource":"safe:eth:0x1","account":"0x2","person_id":"signer-1"},{"privilege":"repo_admin","resource":"github:acme/wallet","account":"devone"}]}`, 200), &gate)
	if gate.Pass || len(gate.Violations) != 1 || gate.Violations[0].Reason != "unmapped" {
		t.Errorf("gate with roles: %+v", gate)
	}
	call("GET", "GET /v1/people/cases", "/v1/people/cases?person=signer-1&status=closed", "$ANALYST", "", 200)

	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          string
	}{
		{"an unknown case is 404", "GET", "/v1/people/cases/case-none/trail", "$ANALYST", "", http.StatusNotFound, "case not found"},
		{"a note on an unknown case is 404", "POST", "/v1/people/cases/case-none/notes", "$ANALYST", `{"text":"x"}`, http.StatusNotFound, "case not found"},
		{"an unknown disposition is 400", "POST", "/v1/people/cases/" + c.ID + "/decisions", "$ANALYST", `{"disposition":"fired","reason":"x"}`, http.StatusBadRequest, "unknown disposition"},
		{"a decision without a reason is 400", "POST", "/v1/people/cases/" + c.ID + "/decisions", "$ANALYST", `{"disposition":"cleared","reason":""}`, http.StatusBadRequest, "reason is required"},
		{"a case on an unknown person is 404", "POST", "/v1/people/cases", "$ANALYST", `{"persons":["nobody"],"reason":"x"}`, http.StatusNotFound, "person not found"},
		{"a bad status filter is 400", "GET", "/v1/people/cases?status=maybe", "$ANALYST", "", http.StatusBadRequest, "status"},
		{"an unknown privilege is 400", "POST", "/v1/people/gate", "$ANALYST", `{"roles":[{"privilege":"root","resource":"x"}]}`, http.StatusBadRequest, "roles[0]"},
		{"a screener key is 403", "GET", "/v1/people/cases", "$SCREENER", "", http.StatusForbidden, "forbidden"},
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
		if resp, got := h.do("GET", "/v1/people/cases", "$OTHER", nil, ""); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%d %s; want 403", resp.StatusCode, got)
		}
	})
	t.Run("decisions are in the audit log", func(t *testing.T) {
		entries, err := h.store.Audit(t.Context(), 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || e.Action == "POST /v1/people/cases/{id}/decisions" && strings.Contains(e.Target, "verified_in_person") && e.Status == 201
		}
		if !found {
			t.Errorf("no audit entry of the decision: %+v", entries)
		}
	})
}
