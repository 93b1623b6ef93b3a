package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/inspect"
)

// withInspections serves /v1/inspections from the harness's SQLite store,
// holding one inspection of another member.
func withInspections(t *testing.T) harnessOption {
	return func(_ *Config, d *Deps) {
		st := d.Auth.(InspectionStore)
		if err := st.CreateInspection(context.Background(), inspect.Inspection{ID: "theirs", Org: "other", Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		d.Inspections = st
	}
}

func TestInspectionsAPI(t *testing.T) {
	h := newHarness(t, withInspections(t))
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		want                          string
	}{
		{"no key is 401", "GET", "/v1/inspections", "", "", http.StatusUnauthorized, "unauthenticated"},
		{"a screener key is 403", "POST", "/v1/inspections", "$SCREENER", `{"id":"q1"}`, http.StatusForbidden, "forbidden"},
		{"an inspection is created for the caller's member", "POST", "/v1/inspections", "$ANALYST", `{"id":"q1","title":"2026 Q3"}`, http.StatusCreated, `"org":"acme"`},
		{"a repeated id is 409", "POST", "/v1/inspections", "$ANALYST", `{"id":"q1"}`, http.StatusConflict, "conflict"},
		{"another member's inspection cannot be the previous one", "POST", "/v1/inspections", "$ANALYST", `{"id":"q2","previous":"theirs"}`, http.StatusNotFound, "not_found"},
		{"a second inspection follows the first", "POST", "/v1/inspections", "$ANALYST", `{"id":"q2","previous":"q1"}`, http.StatusCreated, `"previous":"q1"`},
		{"an id is required", "POST", "/v1/inspections", "$ANALYST", `{"title":"x"}`, http.StatusBadRequest, "invalid_request"},
		{"an answer in the first inspection", "POST", "/v1/inspections/q1/answers", "$ANALYST", `{"control":"fsa-2024-09-26:fsa-3","status":"not_implemented"}`, http.StatusCreated, `"by":"acme/analyst"`},
		{"an answer in the second", "POST", "/v1/inspections/q2/answers", "$ANALYST", `{"control":"fsa-2024-09-26:fsa-3","status":"implemented"}`, http.StatusCreated, `"status":"implemented"`},
		{"na without a justification is 400", "POST", "/v1/inspections/q2/answers", "$ANALYST", `{"control":"fsa-2024-09-26:fsa-1","status":"na"}`, http.StatusBadRequest, "invalid_request"},
		{"an unknown control is 400", "POST", "/v1/inspections/q2/answers", "$ANALYST", `{"control":"seal-sfc:nope","status":"implemented"}`, http.StatusBadRequest, "invalid_request"},
		{"an unknown status is 400", "POST", "/v1/inspections/q2/answers", "$ANALYST", `{"control":"fsa-2024-09-26:fsa-1","status":"maybe"}`, http.StatusBadRequest, "invalid_request"},
		{"answering another member's inspection is 404", "POST", "/v1/inspections/theirs/answers", "$ANALYST", `{"control":"fsa-2024-09-26:fsa-1","status":"implemented"}`, http.StatusNotFound, "not_found"},
		{"the second inspection shows the change since the first", "GET", "/v1/inspections/q2", "$ANALYST", "", http.StatusOK, `"changes":[{"control":"fsa-2024-09-26:fsa-3","from":"not_implemented","to":"implemented"}]`},
		{"another member's inspection is 404", "GET", "/v1/inspections/theirs", "$ANALYST", "", http.StatusNotFound, "not_found"},
		{"an admin sees another member's inspection", "GET", "/v1/inspections/theirs", "$ADMIN", "", http.StatusOK, `"org":"other"`},
		{"a member lists only its own inspections", "GET", "/v1/inspections", "$ANALYST", "", http.StatusOK, `{"inspections":[{"id":"q1"`},
		{"an unknown inspection is 404", "GET", "/v1/inspections/nope", "$ANALYST", "", http.StatusNotFound, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := h.do(tc.method, tc.path, tc.key, nil, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.want) {
				t.Fatalf("%d %s; want %d containing %s", resp.StatusCode, got, tc.status, tc.want)
			}
			h.checkDocumented(tc.method, tc.path, resp, got)
		})
	}
	t.Run("an admin lists every member's inspections", func(t *testing.T) {
		_, got := h.do("GET", "/v1/inspections", "$ADMIN", nil, "")
		if !strings.Contains(string(got), `"theirs"`) || !strings.Contains(string(got), `"q2"`) {
			t.Fatalf("%s", got)
		}
	})
}

func TestInspectionsOff(t *testing.T) {
	h := newHarness(t)
	resp, got := h.do("GET", "/v1/inspections", "$ANALYST", nil, "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%d %s; want 503 when no store is wired", resp.StatusCode, got)
	}
}

// signingStore is an InspectionStore that signs reports with key (nil: the
// instance has no identity yet).
type signingStore struct {
	InspectionStore
	key ed25519.PrivateKey
}

func (s signingStore) ReportKey(context.Context) (ed25519.PrivateKey, error) {
	if s.key == nil {
		return nil, fmt.Errorf("%w: no identity.pem in the data dir", ErrNoReportKey)
	}
	return s.key, nil
}

// withReportKey makes the inspection store sign reports with key; it
// follows withInspections.
func withReportKey(key ed25519.PrivateKey) harnessOption {
	return func(_ *Config, d *Deps) {
		d.Inspections = signingStore{InspectionStore: d.Inspections, key: key}
	}
}

func TestInspectionReportSigned(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withInspections(t), withReportKey(priv))
	for _, req := range [][3]string{
		{"/v1/inspections", `{"id":"q1"}`},
		{"/v1/inspections/q1/answers", `{"control":"fsa-2024-09-26:fsa-3","status":"not_implemented"}`},
		{"/v1/inspections", `{"id":"q2","previous":"q1"}`},
		{"/v1/inspections/q2/answers", `{"control":"fsa-2024-09-26:fsa-3","status":"implemented"}`},
		{"/v1/inspections/q2/answers", `{"control":"seal-sfc:ms-4.1.1","status":"partial"}`},
	} {
		if resp, got := h.do("POST", req[0], "$ANALYST", nil, req[1]); resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", req[0], resp.StatusCode, got)
		}
	}
	resp, got := h.do("GET", "/v1/inspections/q2/report", "$ANALYST", nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	h.checkDocumented("GET", "/v1/inspections/q2/report", resp, got)
	r, err := inspect.Verify(got, pub)
	if err != nil {
		t.Fatalf("the report does not verify against the instance key: %v\n%.500s", err, got)
	}
	if r.Inspection.ID != "q2" || r.Inspection.Org != "acme" || r.Diff == nil || len(r.Diff.Changes) != 2 || r.Summary.Implemented != 1 || r.Summary.Partial != 1 {
		t.Fatalf("report %+v, diff %+v", r.Inspection, r.Diff)
	}
	t.Run("a tampered report fails", func(t *testing.T) {
		bad := []byte(strings.Replace(string(got), `"acme"`, `"acmf"`, 1))
		if string(bad) == string(got) {
			t.Fatal("nothing to tamper with")
		}
		if _, err := inspect.Verify(bad, pub); !errors.Is(err, inspect.ErrSignature) {
			t.Fatalf("tampered: %v, want ErrSignature", err)
		}
	})
	t.Run("another key does not verify it", func(t *testing.T) {
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		if _, err := inspect.Verify(got, other); !errors.Is(err, inspect.ErrSignature) {
			t.Fatalf("%v, want ErrSignature", err)
		}
	})
	for _, tc := range []struct {
		name, path, key string
		status          int
		want            string
	}{
		{"no key is 401", "/v1/inspections/q2/report", "", http.StatusUnauthorized, "unauthenticated"},
		{"a screener key is 403", "/v1/inspections/q2/report", "$SCREENER", http.StatusForbidden, "forbidden"},
		{"another member's report is 404", "/v1/inspections/theirs/report", "$ANALYST", http.StatusNotFound, "not_found"},
		{"an unknown inspection is 404", "/v1/inspections/nope/report", "$ANALYST", http.StatusNotFound, "not_found"},
		{"an admin gets another member's report", "/v1/inspections/theirs/report", "$ADMIN", http.StatusOK, `"signature"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := h.do("GET", tc.path, tc.key, nil, "")
			if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.want) {
				t.Fatalf("%d %s; want %d containing %s", resp.StatusCode, got, tc.status, tc.want)
			}
			h.checkDocumented("GET", tc.path, resp, got)
		})
	}
}

func TestInspectionReportWithoutKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []harnessOption
	}{
		{"no signer", []harnessOption{withInspections(t)}},
		{"no identity yet", []harnessOption{withInspections(t), withReportKey(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts...)
			if resp, got := h.do("POST", "/v1/inspections", "$ANALYST", nil, `{"id":"q1"}`); resp.StatusCode != http.StatusCreated {
				t.Fatalf("%d %s", resp.StatusCode, got)
			}
			resp, got := h.do("GET", "/v1/inspections/q1/report", "$ANALYST", nil, "")
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(got), "not_ready") {
				t.Fatalf("%d %s; want 503 not_ready", resp.StatusCode, got)
			}
			h.checkDocumented("GET", "/v1/inspections/q1/report", resp, got)
		})
	}
}
