package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i))
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := pct(ds, tc.p); got != tc.want {
			t.Errorf("pct(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := pct([]time.Duration{7}, 0.99); got != 7 {
		t.Errorf("one sample: %v", got)
	}
}

func testDatasets() []screen.Dataset {
	ents := []sanctions.Entity{
		{ID: "1", Type: sanctions.TypeOrganization, Names: []sanctions.Name{{Full: "Lazarus Group"}, {Full: "Hidden Cobra"}}},
		{ID: "2", Type: sanctions.TypeIndividual, Names: []sanctions.Name{{Full: "Park Jin Hyok"}, {Full: "박진혁"}}},
		{ID: "3", Type: sanctions.TypeOrganization, Names: []sanctions.Name{{Full: "Reconnaissance General Bureau"}}},
	}
	return []screen.Dataset{{Version: screen.VersionRef{ID: "t", Source: sanctions.SourceOFAC}, Entities: ents}}
}

func TestQueryMixIsReproducibleAndMixed(t *testing.T) {
	a, b := queryMix(testDatasets(), 300, 5), queryMix(testDatasets(), 300, 5)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave two mixes")
	}
	kinds := map[string]int{}
	for _, q := range a {
		kinds[q.kind]++
		if q.kind == "listed" && q.name == "박진혁" {
			t.Errorf("listed queries are Latin-script names: %q", q.name)
		}
	}
	for _, k := range []string{"listed", "misspelt", "unlisted"} {
		if kinds[k] < 50 {
			t.Errorf("%d %s queries of 300, want a real share", kinds[k], k)
		}
	}
}

func TestRunInProcessReportsEveryKind(t *testing.T) {
	var out bytes.Buffer
	qs := queryMix(testDatasets(), 60, 1)
	rep, err := runInProcess(testDatasets(), qs[:10], qs[10:], 3, &out)
	if err != nil {
		t.Fatal(err)
	}
	rep.print(&out)
	for _, want := range []string{"index built", "GOMAXPROCS=1", "listed", "misspelt", "unlisted", "all", "p99", "slow:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunHTTPFollowsTheScreenContract runs the HTTP mode against a stand-in
// for POST /v1/screen that checks the request the way the server does.
func TestRunHTTPFollowsTheScreenContract(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/v1/screen" {
			http.Error(w, "wrong route", http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer itd_test" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var req screenRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Names) == 0 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		type result struct {
			Query string `json:"query"`
			Hit   bool   `json:"hit"`
		}
		var resp struct {
			Results []result `json:"results"`
		}
		for _, n := range req.Names {
			resp.Results = append(resp.Results, result{n.Name, strings.Contains(n.Name, "Lazarus")})
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	defer srv.Close()

	qs := queryMix(testDatasets(), 25, 2)
	var out bytes.Buffer
	c := config{url: srv.URL + "/", key: "itd_test", batch: 4, timeout: 5 * time.Second}
	rep, err := runHTTP(context.Background(), c, qs[:5], qs[5:], &out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.queries != 20 || len(rep.all) != 5 || calls != 2+5 {
		t.Errorf("screened %d names in %d measured calls (%d in all), want 20 in 5 (7)", rep.queries, len(rep.all), calls)
	}

	c.key = "wrong"
	if _, err := runHTTP(context.Background(), c, nil, qs[:1], &out); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a refused key gave %v, want a 401 error", err)
	}
}
