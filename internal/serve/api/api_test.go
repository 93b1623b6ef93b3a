package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/alert"
	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/serve/auth"
)

// errorCode decodes a JSON error body and returns its code.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not a JSON error body (%v): %s", err, body)
	}
	return e.Error.Code
}

// samplePath fills a route pattern's wildcards.
func samplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{id}", ofacOld.ID, "{other}", ofacNew.ID).Replace(path)
	return method, path
}

func TestEveryAuthenticatedRouteRefusesBadKeysAndLowRoles(t *testing.T) {
	h := newHarness(t)
	roles := []struct {
		key  string
		role auth.Role
	}{{"$SCREENER", auth.RoleScreener}, {"$ANALYST", auth.RoleAnalyst}, {"$ADMIN", auth.RoleAdmin}}
	for pattern, required := range h.handler.routes {
		if required == "" {
			continue
		}
		method, path := samplePath(pattern)
		for _, tc := range []struct {
			name, authz, wantCode string
			wantStatus            int
		}{
			{"with no key is 401", "", "unauthenticated", 401},
			{"with an unknown key is 401", "Bearer itd_" + strings.Repeat("A", 43), "unauthenticated", 401},
			{"with a revoked key is 401", "Bearer " + h.secrets["$REVOKED"], "unauthenticated", 401},
			{"with a malformed header is 401", "Bearer", "unauthenticated", 401},
		} {
			t.Run(pattern+" "+tc.name, func(t *testing.T) {
				hdr := http.Header{}
				if tc.authz != "" {
					hdr.Set("Authorization", tc.authz)
				}
				resp, body := h.do(method, path, "", hdr, "")
				if resp.StatusCode != tc.wantStatus || errorCode(t, body) != tc.wantCode {
					t.Fatalf("status %d body %s", resp.StatusCode, body)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="interdict"`) {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
		for _, r := range roles {
			allowed := r.role.Allows(required)
			t.Run(fmt.Sprintf("%s with a %s key is %s", pattern, r.role, map[bool]string{true: "let through", false: "403"}[allowed]), func(t *testing.T) {
				resp, body := h.do(method, path, r.key, http.Header{}, "")
				switch {
				case !allowed && (resp.StatusCode != 403 || errorCode(t, body) != "forbidden"):
					t.Errorf("status %d body %s, want 403 forbidden", resp.StatusCode, body)
				case allowed && (resp.StatusCode == 401 || resp.StatusCode == 403):
					t.Errorf("status %d body %s, want the call let through", resp.StatusCode, body)
				}
			})
		}
	}
}

func TestBodyAndBatchLimits(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *Deps) {
		c.MaxBodyBytes = 4 << 10
		c.Screen.MaxBatch = 3
	})
	addrs := func(n int) string {
		q := make([]string, n)
		for i := range q {
			q[i] = fmt.Sprintf("%q", fmt.Sprintf("0x%040x", i))
		}
		return `{"addresses":[` + strings.Join(q, ",") + `]}`
	}
	for _, tc := range []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"a batch at the limit is screened", addrs(3), 200, ""},
		{"a batch over the limit is 413 batch_too_large", addrs(4), 413, "batch_too_large"},
		{"addresses and names count together", `{"addresses":["a","b"],"names":[{"name":"x"},{"name":"y"}]}`, 413, "batch_too_large"},
		{"a body over MaxBodyBytes is 413 body_too_large", `{"addresses":["` + strings.Repeat("a", 5<<10) + `"]}`, 413, "body_too_large"},
		{"trailing bytes past the limit are still caught", addrs(1) + strings.Repeat(" ", 5<<10), 413, "body_too_large"},
		{"an address over 256 characters is 400", `{"addresses":["` + strings.Repeat("a", 257) + `"]}`, 400, "invalid_request"},
		{"an address of 256 characters is screened", `{"addresses":["` + strings.Repeat("a", 256) + `"]}`, 200, ""},
		{"a name over 512 characters is 400", `{"names":[{"name":"` + strings.Repeat("é", 513) + `"}]}`, 400, "invalid_request"},
		{"a name of 512 multi-byte characters is screened", `{"names":[{"name":"` + strings.Repeat("é", 512) + `"}]}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do("POST", "/v1/screen", "$SCREENER", nil, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantCode != "" && errorCode(t, body) != tc.wantCode {
				t.Errorf("code %s, want %s", errorCode(t, body), tc.wantCode)
			}
		})
	}
}

func TestScreenRecordsEverySubjectOnce(t *testing.T) {
	h := newHarness(t)
	body := `{"addresses":["` + lazarusAddress + `","` + lazarusAddress + `"," 0x1111111111111111111111111111111111111111"],"names":[{"name":"Lazarus Group"},{"name":"Lazarus Group","types":["entity"]}]}`
	resp, b := h.do("POST", "/v1/screen", "$SCREENER", nil, body)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var sr ScreenResponse
	if err := json.Unmarshal(b, &sr); err != nil {
		t.Fatal(err)
	}
	t.Run("one result per query, addresses first, in request order", func(t *testing.T) {
		var got []string
		for _, r := range sr.Results {
			got = append(got, r.Kind+":"+r.Query)
		}
		want := []string{"address:" + lazarusAddress, "address:" + lazarusAddress, "address:0x1111111111111111111111111111111111111111", "name:Lazarus Group", "name:Lazarus Group"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("results %v, want %v", got, want)
		}
		if !sr.Results[0].Hit || sr.Results[0].Matches[0].EntityID != "27307" || sr.Results[2].Hit {
			t.Errorf("the Lazarus address must hit 27307 and the other miss: %+v", sr.Results[:3])
		}
		if len(sr.Lists) != 1 || sr.Lists[0].ID != ofacNew.ID {
			t.Errorf("lists %+v, want the index's one version", sr.Lists)
		}
	})
	t.Run("each distinct subject is recorded for re-screening", func(t *testing.T) {
		subs, err := h.store.ScreenedSubjects(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range subs {
			got = append(got, s.Kind+":"+s.Query)
		}
		if len(got) != 3 {
			t.Errorf("recorded %v, want the 2 distinct addresses and 1 name", got)
		}
	})
}

// failingSubjects cannot record: screening must then fail rather than answer
// without the subject being remembered.
type failingSubjects struct{}

func (failingSubjects) RecordScreened(context.Context, string, string) error {
	return errors.New("disk full")
}

func TestScreenFailsClosedWhenSubjectsCannotBeRecorded(t *testing.T) {
	h := newHarness(t, func(_ *Config, d *Deps) { d.Subjects = failingSubjects{} })
	resp, body := h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["`+lazarusAddress+`"]}`)
	if resp.StatusCode != 500 || errorCode(t, body) != "internal" {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "disk full") {
		t.Error("the internal cause reached the client")
	}
	if !strings.Contains(h.logs.String(), "disk full") {
		t.Error("the internal cause is not in the log")
	}
}

// panickingLists stands for a component with a bug.
type panickingLists struct{ fixedLists }

func (panickingLists) Versions(context.Context) ([]lists.Version, error) { panic("boom") }

type panickingSubjects struct{}

func (panickingSubjects) RecordScreened(context.Context, string, string) error { panic("boom") }

func TestPanicsBecome500sAndAreAudited(t *testing.T) {
	h := newHarness(t, func(_ *Config, d *Deps) {
		d.Lists = panickingLists{}
		d.Subjects = panickingSubjects{}
	})
	t.Run("a read that panics answers a JSON 500 and the server lives on", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/lists", "$ANALYST", http.Header{}, "")
		if resp.StatusCode != 500 || errorCode(t, body) != "internal" {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if !strings.Contains(h.logs.String(), "handler panicked") {
			t.Error("the panic is not logged")
		}
		if resp, _ := h.do("GET", "/healthz", "", http.Header{}, ""); resp.StatusCode != 200 {
			t.Error("server down after a panic")
		}
	})
	t.Run("a mutating call that panics is audited as a 500", func(t *testing.T) {
		resp, _ := h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["x"]}`)
		if resp.StatusCode != 500 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		es, err := h.store.Audit(context.Background(), 1)
		if err != nil || len(es) != 1 || es[0].Status != 500 || es[0].Action != "POST /v1/screen" {
			t.Fatalf("audit %+v, %v", es, err)
		}
	})
}

func TestAuditRecordsMutatingCallsOnly(t *testing.T) {
	h := newHarness(t)
	calls := []struct {
		method, path, key, body string
	}{
		{"GET", "/v1/lists", "$ANALYST", ""},
		{"GET", "/v1/alerts", "$ANALYST", ""},
		{"POST", "/v1/screen", "", `{"addresses":["x"]}`},                // no key: 401, not audited
		{"POST", "/v1/keys", "$SCREENER", `{"name":"x","role":"admin"}`}, // 403, audited
		{"POST", "/v1/screen", "$SCREENER", `{"addresses":["x"]}`},
		{"POST", "/v1/keys", "$ADMIN", `{"name":"ci","role":"analyst"}`},
	}
	for _, c := range calls {
		var hdr http.Header
		if c.body == "" {
			hdr = http.Header{}
		}
		h.do(c.method, c.path, c.key, hdr, c.body)
	}
	es, err := h.store.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(es) - 1; i >= 0; i-- {
		got = append(got, fmt.Sprintf("%s %s %d", h.ids[es[i].KeyID], es[i].Action, es[i].Status))
	}
	want := []string{
		"$SCREENER_ID POST /v1/keys 403",
		"$SCREENER_ID POST /v1/screen 200",
		"$ADMIN_ID POST /v1/keys 201",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMetricsAreExposed(t *testing.T) {
	h := newHarness(t)
	h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["`+lazarusAddress+`","0x1111111111111111111111111111111111111111"],"names":[{"name":"nobody at all"}]}`)
	h.do("GET", "/v1/lists", "", http.Header{}, "")
	h.do("GET", "/no/such/path/42", "", http.Header{}, "")
	resp, body := h.do("GET", "/metrics", "", http.Header{}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	text := string(body)
	for _, want := range []string{
		`interdict_http_requests_total{code="200",route="POST /v1/screen"} 1`,
		`interdict_http_requests_total{code="401",route="GET /v1/lists"} 1`,
		`interdict_http_requests_total{code="404",route="unmatched"} 1`,
		`interdict_http_request_duration_seconds_count{code="200",route="POST /v1/screen"} 1`,
		`interdict_screen_queries_total{kind="address",outcome="hit"} 1`,
		`interdict_screen_queries_total{kind="address",outcome="miss"} 1`,
		`interdict_screen_queries_total{kind="name",outcome="miss"} 1`,
		`interdict_audit_append_failures_total 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "/no/such/path") {
		t.Error("a raw path became a metric label")
	}
}

func TestMetricsCanRequireAKey(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *Deps) { c.MetricsRole = auth.RoleAdmin })
	if resp, _ := h.do("GET", "/metrics", "", http.Header{}, ""); resp.StatusCode != 401 {
		t.Errorf("no key: status %d, want 401", resp.StatusCode)
	}
	if resp, _ := h.do("GET", "/metrics", "$ADMIN", http.Header{}, ""); resp.StatusCode != 200 {
		t.Errorf("admin: status %d, want 200", resp.StatusCode)
	}
}

func TestLogsNeverHoldSecrets(t *testing.T) {
	h := newHarness(t)
	h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["`+lazarusAddress+`"]}`)
	h.do("GET", "/v1/lists", "$REVOKED", http.Header{}, "")
	h.do("GET", "/v1/keys", "", http.Header{"X-Api-Key": {h.secrets["$ANALYST"]}}, "")
	_, body := h.do("POST", "/v1/keys", "$ADMIN", nil, `{"name":"ci","role":"analyst"}`)
	var created CreateKeyResponse
	if err := json.Unmarshal(body, &created); err != nil || created.Secret == "" {
		t.Fatalf("create key: %v %s", err, body)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"http request"`) || !strings.Contains(logs, `"key_id":`) {
		t.Fatalf("no request log lines with key ids:\n%s", logs)
	}
	secrets := []string{created.Secret}
	for _, s := range h.secrets {
		secrets = append(secrets, s)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) || strings.Contains(logs, s[4:20]) {
			t.Errorf("the log holds a secret")
		}
	}
	for _, s := range []string{"Authorization", "Bearer", "X-Api-Key"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log mentions %s", s)
		}
	}
}

func TestReadiness(t *testing.T) {
	h := newHarness(t, func(_ *Config, d *Deps) {
		d.Ready = func(context.Context) error { return errors.New("index not loaded from /secret/path") }
	})
	resp, body := h.do("GET", "/readyz", "", http.Header{}, "")
	if resp.StatusCode != 503 || errorCode(t, body) != "not_ready" {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "secret") {
		t.Error("readiness cause reached an unauthenticated client")
	}
	if resp, _ := h.do("GET", "/healthz", "", http.Header{}, ""); resp.StatusCode != 200 {
		t.Error("liveness must not depend on readiness")
	}
}

func TestRequestIDs(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, in string
		kept     bool
	}{
		{"a plain caller id is kept", "abc-123_X.y", true},
		{"none gets a fresh one", "", false},
		{"one with spaces is replaced", "a b", false},
		{"an overlong one is replaced", strings.Repeat("a", 65), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.in != "" {
				hdr.Set("X-Request-ID", tc.in)
			}
			resp, _ := h.do("GET", "/healthz", "", hdr, "")
			got := resp.Header.Get("X-Request-ID")
			if tc.kept != (got == tc.in) || got == "" {
				t.Errorf("X-Request-ID %q for %q", got, tc.in)
			}
		})
	}
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	full := func() Deps {
		return Deps{Screen: screen.NewLive(nil), Subjects: failingSubjects{}, Lists: fixedLists{}, Alerts: noAlerts{}, Auth: nil}
	}
	for _, tc := range []struct {
		name string
		edit func(*Deps)
	}{
		{"no Screen", func(d *Deps) { d.Screen = nil }},
		{"no Subjects", func(d *Deps) { d.Subjects = nil }},
		{"no Lists", func(d *Deps) { d.Lists = nil }},
		{"no Alerts", func(d *Deps) { d.Alerts = nil }},
		{"no Auth", func(d *Deps) {}},
	} {
		t.Run("New fails with "+tc.name, func(t *testing.T) {
			d := full()
			tc.edit(&d)
			if _, err := New(Config{}, d); err == nil {
				t.Error("New succeeded")
			}
		})
	}
	t.Run("New fails with an unknown metrics role", func(t *testing.T) {
		h := newHarness(t)
		d := h.handler.deps
		if _, err := New(Config{MetricsRole: "root"}, d); !errors.Is(err, auth.ErrInvalidRole) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("two handlers may share one registry", func(t *testing.T) {
		h := newHarness(t)
		if _, err := New(Config{}, h.handler.deps); err != nil {
			t.Error(err)
		}
	})
}

type noAlerts struct{}

func (noAlerts) Alerts(context.Context, alert.Filter) ([]alert.Alert, error) { return nil, nil }

func TestErrorTableMapsEverySentinel(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("x: %w", auth.ErrUnauthenticated), 401, "unauthenticated"},
		{fmt.Errorf("x: %w", auth.ErrForbidden), 403, "forbidden"},
		{fmt.Errorf("x: %w", lists.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("x: %w", auth.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("x: %w", auth.ErrExists), 409, "conflict"},
		{fmt.Errorf("x: %w", ErrBatchTooLarge), 413, "batch_too_large"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), 503, "timeout"},
		{errors.New("database is locked"), 500, "internal"},
	} {
		t.Run(fmt.Sprintf("%v is %d %s", tc.err, tc.status, tc.code), func(t *testing.T) {
			status, code, msg := mapError(tc.err)
			if status != tc.status || code != tc.code {
				t.Errorf("got %d %s", status, code)
			}
			if status >= 500 && strings.Contains(msg, tc.err.Error()) {
				t.Errorf("a 5xx message shows the cause: %q", msg)
			}
		})
	}
}

func TestMuxAnswersAreJSONOrPassThrough(t *testing.T) {
	h := newHarness(t)
	h.srv.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Run("an unclean path is redirected to the clean one", func(t *testing.T) {
		resp, _ := h.do("GET", "/v1//lists", "", http.Header{}, "")
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "/v1/lists" {
			t.Errorf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("an unknown path is a JSON 404", func(t *testing.T) {
		resp, body := h.do("DELETE", "/v2/anything", "", http.Header{}, "")
		if resp.StatusCode != 404 || errorCode(t, body) != "not_found" {
			t.Errorf("status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("a wrong method is a JSON 405 naming the allowed ones", func(t *testing.T) {
		resp, body := h.do("PUT", "/v1/keys", "", http.Header{}, "")
		if resp.StatusCode != 405 || errorCode(t, body) != "method_not_allowed" || !strings.Contains(resp.Header.Get("Allow"), "POST") {
			t.Errorf("status %d Allow %q: %s", resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	})
}
