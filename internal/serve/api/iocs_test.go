package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/ioc"
	"github.com/interdict/interdict/internal/action/share/taxii"
)

// withIOCs wires the matcher over the harness's SQLite store, with one
// readable collection holding a domain indicator.
func withIOCs(t *testing.T) harnessOption {
	return func(_ *Config, d *Deps) {
		st := d.Auth.(ioc.Source)
		full := d.Auth.(taxii.Store)
		ctx := context.Background()
		if err := full.PutAPIRoot(ctx, taxii.APIRoot{Name: "isac", Title: "ISAC"}); err != nil {
			t.Fatal(err)
		}
		if err := full.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "iocs", Title: "IOCs", CanRead: true}); err != nil {
			t.Fatal(err)
		}
		body := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` +
			`"created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"TraderTraitor lure domain",` +
			`"pattern":"[domain-name:value LIKE '%.jobs-example.com']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`
		vt, _ := time.Parse(time.RFC3339, "2026-01-01T00:00:00Z")
		if _, err := full.AddObjects(ctx, "isac", "iocs", []taxii.Object{{ID: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
			Type: "indicator", SpecVersion: "2.1", Version: "2026-01-01T00:00:00.000Z", VersionTime: vt,
			MediaType: "application/stix+json;version=2.1", TLP: taxii.TLPGreen, Body: json.RawMessage(body)}}); err != nil {
			t.Fatal(err)
		}
		d.IOCs = ioc.New(st, ioc.DefaultConfig())
	}
}

func TestIOCMatchAPI(t *testing.T) {
	h := newHarness(t, withIOCs(t))
	body := `{"observables":[{"kind":"domain","value":"apply.jobs-example.com"},{"kind":"ipv4","value":"192.0.2.1"}]}`
	for _, tc := range []struct {
		name, key, body string
		status          int
		want            string
	}{
		{"no key is 401", "", body, http.StatusUnauthorized, "unauthenticated"},
		{"a screener key is 403", "$SCREENER", body, http.StatusForbidden, "forbidden"},
		{"an unknown kind is 400", "$ANALYST", `{"observables":[{"kind":"ssn","value":"1"}]}`, http.StatusBadRequest, "invalid_request"},
		{"no observables is 400", "$ANALYST", `{"observables":[]}`, http.StatusBadRequest, "invalid_request"},
		{"an unknown field is 400", "$ANALYST", `{"observables":[],"x":1}`, http.StatusBadRequest, ""},
		{"a pattern match names the indicator", "$ANALYST", body, http.StatusOK, `"indicator_id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, got := h.do("POST", "/v1/iocs/match", tc.key, nil, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(string(got), tc.want) {
				t.Fatalf("%d %s; want %d containing %s", resp.StatusCode, got, tc.status, tc.want)
			}
		})
	}
	_, got := h.do("POST", "/v1/iocs/match", "$ANALYST", nil, body)
	var r IOCMatchResponse
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Hits) != 1 || r.Hits[0].Observable != 0 || r.Hits[0].TLP != taxii.TLPGreen || r.Stats.Indicators != 1 {
		t.Fatalf("answer %+v: want one GREEN hit for observable 0 of 1 indicator", r)
	}
}
