package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/interdict/interdict/internal/action/freeze"
	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/serve/auth"
)

// stepTracer answers every trace with the same deposits, one more reached
// address per run, at a tip one block higher each time: the chain grew.
type stepTracer struct {
	mu      sync.Mutex
	runs    int
	lastCfg trace.Config
}

func (s *stepTracer) Trace(_ context.Context, chain string, cfg trace.Config, starts []trace.Start) (*trace.Result, freeze.Tip, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	s.lastCfg = cfg
	if starts[0].Tx == "missing" {
		return nil, freeze.Tip{}, fmt.Errorf("tx missing: %w", trace.ErrNotFound)
	}
	ex := []trace.Tag{{Label: "Exchange <A>", Category: "exchange", Confidence: 50}}
	r := &trace.Result{Chain: chain, Model: cfg.Model, Direction: cfg.Direction, Reached: []trace.Reached{},
		Nodes: []trace.Node{{ID: "t0", Kind: "tx", Asset: "btc", Tainted: "100"},
			{ID: "t0:0", Kind: "output", Address: "bc1qdeposit", Asset: "btc", Value: "100", Tainted: "100", Share: "1", Hop: 1, Stop: "tagged:exchange", Tags: ex}},
		Edges: []trace.Edge{{From: "t0", To: "t0:0", Tx: "t0", Asset: "btc", Rule: string(cfg.Model), Hop: 1, Height: 7, Amount: "100", Tainted: "100", Share: "1"}}}
	r.Reached = append(r.Reached, trace.Reached{Address: "bc1qdeposit", Asset: "btc", Tainted: fmt.Sprint(100 * s.runs), Hop: 1, Stop: "tagged:exchange", Tags: ex})
	for i := 1; i < s.runs; i++ {
		r.Reached = append(r.Reached, trace.Reached{Address: fmt.Sprintf("bc1qlater%d", i), Asset: "btc", Tainted: "5", Hop: 2, Stop: "unspent"})
	}
	return r, freeze.Tip{Height: int64(100 + s.runs), Hash: "00ab"}, nil
}

// withTraces wires the saved-trace service over the harness's SQLite store.
func withTraces(tr *stepTracer) harnessOption {
	return func(_ *Config, d *Deps) {
		store := d.Auth.(freeze.TraceStore)
		n := 0
		d.Traces = &freeze.Service{Store: store, Tracer: tr, Limits: freeze.Limits{MaxNodes: 500},
			NewID: func() string { n++; return fmt.Sprintf("tr_%d", n) }}
	}
}

// addMemberKey adds an analyst key of another member as $OTHER.
func addMemberKey(t *testing.T, h *harness, member, name string) {
	secret, key, err := auth.NewKey(member, strings.ToLower(name), auth.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	h.secrets["$"+name] = secret
}

func TestTracesAPI(t *testing.T) {
	tr := &stepTracer{}
	h := newHarness(t, withTraces(tr))
	addMemberKey(t, h, "globex", "OTHER")
	schemas, err := newDocSchemas()
	if err != nil {
		t.Fatal(err)
	}
	check := func(pattern string, resp *http.Response, body []byte) {
		t.Helper()
		if p := schemas.checkResponse(pattern, resp.StatusCode, resp.Header.Get("Content-Type"), body); len(p) > 0 {
			t.Errorf("%s %d: body does not match openapi.json: %v\n%s", pattern, resp.StatusCode, p, body)
		}
	}
	const req = `{"chain":"btc","txs":["t0"],"direction":"forward","model":"fifo","max_hops":4,"max_nodes":100000}`

	resp, body := h.do("POST", "/v1/traces", "$ANALYST", nil, req)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	check("POST /v1/traces", resp, body)
	var created TraceCreated
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if created.ID != "tr_1" || created.Owner != "acme" || created.Run.Tip != 101 || len(created.Run.Result.Reached) != 1 ||
		resp.Header.Get("Location") != "/v1/traces/tr_1" {
		t.Fatalf("created %+v", created)
	}
	t.Run("the request's node budget is capped by the server's", func(t *testing.T) {
		if tr.lastCfg.MaxNodes != 500 || tr.lastCfg.MaxHops != 4 || tr.lastCfg.Model != trace.FIFO {
			t.Fatalf("config %+v", tr.lastCfg)
		}
	})
	t.Run("the owner reads it back with its run", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/traces/tr_1", "$ANALYST", nil, "")
		check("GET /v1/traces/{id}", resp, body)
		var st freeze.SavedTrace
		if err := json.Unmarshal(body, &st); resp.StatusCode != 200 || err != nil || len(st.Runs) != 1 || st.Request.Model != "fifo" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("another member cannot read, re-run or get packets of it: 404", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{{"GET", "/v1/traces/tr_1"}, {"POST", "/v1/traces/tr_1/rerun"}, {"GET", "/v1/traces/tr_1/freeze"}} {
			resp, body := h.do(c.method, c.path, "$OTHER", nil, "")
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"not_found"`) {
				t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
			}
		}
		resp, body := h.do("GET", "/v1/traces", "$OTHER", nil, "")
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"traces":[]`) {
			t.Errorf("other's list: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("admin reads every member's", func(t *testing.T) {
		resp, _ := h.do("GET", "/v1/traces/tr_1", "$ADMIN", nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("admin: %d", resp.StatusCode)
		}
		resp, body := h.do("GET", "/v1/traces", "$ADMIN", nil, "")
		check("GET /v1/traces", resp, body)
		if !strings.Contains(string(body), `"id":"tr_1"`) {
			t.Fatalf("admin list: %s", body)
		}
	})
	t.Run("a re-run records a new run and says what changed", func(t *testing.T) {
		resp, body := h.do("POST", "/v1/traces/tr_1/rerun", "$ANALYST", nil, "")
		check("POST /v1/traces/{id}/rerun", resp, body)
		var got struct {
			Run freeze.Run `json:"run"`
		}
		if err := json.Unmarshal(body, &got); resp.StatusCode != 200 || err != nil {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		c := got.Run.Changes
		if got.Run.Seq != 2 || got.Run.Tip != 102 || c == nil || len(c.NewReached) != 1 || c.NewReached[0].Address != "bc1qlater1" ||
			len(c.ChangedAmounts) != 1 || c.ChangedAmounts[0].Delta != "100" {
			t.Fatalf("run %+v changes %+v", got.Run, c)
		}
	})
	t.Run("freeze packets in JSON, Markdown and escaped HTML", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/traces/tr_1/freeze", "$ANALYST", nil, "")
		check("GET /v1/traces/{id}/freeze", resp, body)
		var fr struct {
			Run     int             `json:"run"`
			Packets []freeze.Packet `json:"packets"`
		}
		if err := json.Unmarshal(body, &fr); err != nil || fr.Run != 2 || len(fr.Packets) != 1 || fr.Packets[0].Tainted[0].Amount != "200" || fr.Packets[0].TraceID != "tr_1" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		resp, body = h.do("GET", "/v1/traces/tr_1/freeze?format=md&run=1", "$ANALYST", nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(body), "| `bc1qdeposit` | btc | 100 |") {
			t.Fatalf("md: %d %s", resp.StatusCode, body)
		}
		resp, body = h.do("GET", "/v1/traces/tr_1/freeze?format=html", "$ANALYST", nil, "")
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Exchange &lt;A&gt;") || strings.Contains(string(body), "Exchange <A>") {
			t.Fatalf("html: %d %s", resp.StatusCode, body)
		}
		resp, _ = h.do("GET", "/v1/traces/tr_1/freeze?format=pdf", "$ANALYST", nil, "")
		if resp.StatusCode != 400 {
			t.Fatalf("format=pdf: %d", resp.StatusCode)
		}
		resp, _ = h.do("GET", "/v1/traces/tr_1/freeze?run=9", "$ANALYST", nil, "")
		if resp.StatusCode != 400 {
			t.Fatalf("run=9: %d", resp.StatusCode)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct {
			name, method, path, key, body string
			header                        http.Header
			status                        int
			code                          string
		}{
			{"no key is 401", "POST", "/v1/traces", "", req, nil, 401, "unauthenticated"},
			{"a revoked key is 401", "GET", "/v1/traces/tr_1", "$REVOKED", "", nil, 401, "unauthenticated"},
			{"a screener is 403", "POST", "/v1/traces", "$SCREENER", req, nil, 403, "forbidden"},
			{"a screener cannot read packets: 403", "GET", "/v1/traces/tr_1/freeze", "$SCREENER", "", nil, 403, "forbidden"},
			{"bad JSON is 400", "POST", "/v1/traces", "$ANALYST", `{"chain":`, nil, 400, "malformed_json"},
			{"an unknown field is 400", "POST", "/v1/traces", "$ANALYST", `{"chain":"btc","txs":["a"],"colour":1}`, nil, 400, "malformed_json"},
			{"a bad model is 400", "POST", "/v1/traces", "$ANALYST", `{"chain":"btc","txs":["a"],"model":"lifo"}`, nil, 400, "invalid_request"},
			{"no start is 400", "POST", "/v1/traces", "$ANALYST", `{"chain":"btc"}`, nil, 400, "invalid_request"},
			{"a bad chain is 400", "POST", "/v1/traces", "$ANALYST", `{"chain":"doge","txs":["a"]}`, nil, 400, "invalid_request"},
			{"a start not in the index is 404", "POST", "/v1/traces", "$ANALYST", `{"chain":"btc","txs":["missing"]}`, nil, 404, "not_found"},
			{"a huge body is 413", "POST", "/v1/traces", "$ANALYST", `{"chain":"btc","txs":["` + strings.Repeat("a", 2<<20) + `"]}`, nil, 413, "body_too_large"},
			{"a form post is 415", "POST", "/v1/traces", "$ANALYST", req, http.Header{"Content-Type": {"text/plain"}}, 415, "unsupported_media_type"},
			{"an unknown id is 404", "GET", "/v1/traces/tr_404", "$ANALYST", "", nil, 404, "not_found"},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp, body := h.do(c.method, c.path, c.key, c.header, c.body)
				if resp.StatusCode != c.status || !strings.Contains(string(body), `"code":"`+c.code+`"`) {
					t.Fatalf("%d %s, want %d %s", resp.StatusCode, truncate(string(body), 300), c.status, c.code)
				}
			})
		}
	})
	t.Run("creating and re-running are audited with the trace id", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/audit", "$ADMIN", nil, "")
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"action":"POST /v1/traces","target":"tr_1"`) ||
			!strings.Contains(string(body), `"action":"POST /v1/traces/{id}/rerun","target":"tr_1"`) {
			t.Fatalf("audit: %s", truncate(string(body), 2000))
		}
	})
}

func TestTracesAPIWithoutIndex(t *testing.T) {
	h := newHarness(t)
	resp, body := h.do("POST", "/v1/traces", "$ANALYST", nil, `{"chain":"btc","txs":["a"]}`)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "not_ready") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, _ = h.do("POST", "/v1/exposure", "$SCREENER", nil, `{"chain":"btc","address":"a"}`)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("exposure: %d", resp.StatusCode)
	}
	resp, body = h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["bc1qx"]}`)
	if resp.StatusCode != 200 || strings.Contains(string(body), `"exposure"`) {
		t.Fatalf("a screening without exposure changed: %d %s", resp.StatusCode, body)
	}
}

// fixedExposure scores with a real exposure.Scorer over a canned trace.
type fixedExposure struct{}

func (fixedExposure) Exposure(ctx context.Context, chain string, req exposure.Request) (*exposure.Report, error) {
	s := &exposure.Scorer{Chain: chain, Config: exposure.DefaultConfig(),
		Trace: func(_ context.Context, cfg trace.Config, starts []trace.Start) (*trace.Result, error) {
			if starts[0].Address == "bc1qunknown" {
				return nil, trace.ErrNotFound
			}
			return &trace.Result{Reached: []trace.Reached{
				{Address: "bc1qsdn", Asset: "btc", Tainted: "30", Hop: 2, Tags: []trace.Tag{{Label: "SDN", Category: "sanction", Confidence: 100}}},
				{Address: "bc1qother", Asset: "btc", Tainted: "70", Hop: 1}}}, nil
		}}
	return s.Score(ctx, req)
}

func TestExposureAPI(t *testing.T) {
	h := newHarness(t, func(_ *Config, d *Deps) { d.Exposure = fixedExposure{} })
	schemas, err := newDocSchemas()
	if err != nil {
		t.Fatal(err)
	}
	resp, body := h.do("POST", "/v1/exposure", "$SCREENER", nil, `{"chain":"btc","address":"bc1qsubject","direction":"receiving","model":"haircut","max_hops":4}`)
	if p := schemas.checkResponse("POST /v1/exposure", resp.StatusCode, resp.Header.Get("Content-Type"), body); len(p) > 0 {
		t.Errorf("schema: %v", p)
	}
	var rep exposure.Report
	if err := json.Unmarshal(body, &rep); resp.StatusCode != 200 || err != nil || rep.Severity != exposure.High || rep.MaxHops != 4 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, c := range []struct {
		name, key, body string
		status          int
	}{
		{"no key is 401", "", `{"chain":"btc","address":"x"}`, 401},
		{"bad JSON is 400", "$SCREENER", `{"chain"`, 400},
		{"a bad chain is 400", "$SCREENER", `{"chain":"ltc","address":"x"}`, 400},
		{"a bad direction is 400", "$SCREENER", `{"chain":"btc","address":"x","direction":"up"}`, 400},
		{"an unknown untagged address is 404", "$SCREENER", `{"chain":"btc","address":"bc1qunknown"}`, 404},
		{"a huge body is 413", "$SCREENER", `{"chain":"btc","address":"` + strings.Repeat("x", 2<<20) + `"}`, 413},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := h.do("POST", "/v1/exposure", c.key, nil, c.body)
			if resp.StatusCode != c.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, truncate(string(body), 300), c.status)
			}
		})
	}
	t.Run("screening with exposure true gains the section; without, it is unchanged", func(t *testing.T) {
		resp, body := h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["bc1qsubject","bc1qunknown"],"exposure":true}`)
		if p := schemas.checkResponse("POST /v1/screen", resp.StatusCode, resp.Header.Get("Content-Type"), body); len(p) > 0 {
			t.Errorf("schema: %v", p)
		}
		var sr ScreenResponse
		if err := json.Unmarshal(body, &sr); resp.StatusCode != 200 || err != nil || len(sr.Exposure) != 2 ||
			sr.Exposure[0].Report == nil || sr.Exposure[0].Report.Severity != exposure.High || sr.Exposure[1].Error == "" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		resp, body = h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["bc1qsubject"]}`)
		if resp.StatusCode != 200 || strings.Contains(string(body), "exposure") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}
