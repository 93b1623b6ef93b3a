package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/serve/auth"
)

type openapiDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]openapiOp       `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

type openapiOp struct {
	OperationID  string                     `json:"operationId"`
	Security     []map[string][]string      `json:"security"`
	RequiredRole auth.Role                  `json:"x-required-role"`
	Responses    map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) (openapiDoc, any) {
	t.Helper()
	var doc openapiDoc
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	var raw any
	_ = json.Unmarshal(openapiJSON, &raw)
	return doc, raw
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	s, err := newServer(DefaultConfig(), newHarness(t).handler.deps)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("it is OpenAPI 3.1", func(t *testing.T) {
		if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
			t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
		}
	})

	documented := map[string]openapiOp{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = op
		}
	}
	t.Run("every served route is documented with its role", func(t *testing.T) {
		for pattern, role := range s.routes {
			op, ok := documented[pattern]
			if !ok {
				t.Errorf("%s is served but not in openapi.json", pattern)
				continue
			}
			if op.RequiredRole != role {
				t.Errorf("%s: x-required-role %q, served with %q", pattern, op.RequiredRole, role)
			}
			if (role == "") != (len(op.Security) == 0) {
				t.Errorf("%s: security %v does not match role %q", pattern, op.Security, role)
			}
			if role != "" && (op.Responses["401"] == nil || op.Responses["403"] == nil) {
				t.Errorf("%s: authenticated but 401/403 not documented", pattern)
			}
		}
	})
	t.Run("every documented route is served", func(t *testing.T) {
		for pattern := range documented {
			if _, ok := s.routes[pattern]; !ok {
				t.Errorf("%s is in openapi.json but not served", pattern)
			}
		}
	})
	t.Run("operation ids are unique", func(t *testing.T) {
		seen := map[string]bool{}
		for p, op := range documented {
			if op.OperationID == "" || seen[op.OperationID] {
				t.Errorf("%s: operationId %q missing or repeated", p, op.OperationID)
			}
			seen[op.OperationID] = true
		}
	})
	t.Run("every $ref resolves", func(t *testing.T) {
		var refs []string
		collectRefs(raw, &refs)
		sort.Strings(refs)
		if len(refs) == 0 {
			t.Fatal("no $ref found")
		}
		for _, ref := range refs {
			parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
			if !strings.HasPrefix(ref, "#/components/") || len(parts) != 2 || doc.Components[parts[0]][parts[1]] == nil {
				t.Errorf("unresolved $ref %s", ref)
			}
		}
	})
	t.Run("every error code the table can answer is in the Error schema", func(t *testing.T) {
		var errSchema struct {
			Properties struct {
				Error struct {
					Properties struct {
						Code struct {
							Enum []string `json:"enum"`
						} `json:"code"`
					} `json:"properties"`
				} `json:"error"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(doc.Components["schemas"]["Error"], &errSchema); err != nil {
			t.Fatal(err)
		}
		enum := strings.Join(errSchema.Properties.Error.Properties.Code.Enum, ",")
		for _, row := range append(errorTable, internalError) {
			if !strings.Contains(","+enum+",", ","+row.code+",") {
				t.Errorf("code %s missing from the Error schema", row.code)
			}
		}
	})
	t.Run("the documented limits are the defaults", func(t *testing.T) {
		l := DefaultLimits()
		for _, want := range []string{
			`"maxItems": 1000`, `"maxLength": 256`, `"maxLength": 512`, `"maximum": 100`,
		} {
			if !strings.Contains(string(openapiJSON), want) {
				t.Errorf("openapi.json lacks %s (defaults %+v)", want, l)
			}
		}
		if l.MaxBatch != 1000 || l.MaxAddressLen != 256 || l.MaxNameLen != 512 || l.MaxMatches != 100 || DefaultConfig().MaxBodyBytes != 1<<20 {
			t.Errorf("defaults changed (%+v): update openapi.json and this test together", l)
		}
	})
	t.Run("it is served at /v1/openapi.json without a key", func(t *testing.T) {
		h := newHarness(t)
		resp, body := h.do("GET", "/v1/openapi.json", "", http.Header{}, "")
		if resp.StatusCode != 200 || string(body) != string(openapiJSON) || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("status %d, %d bytes, %s", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
		}
	})
}

func collectRefs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			if s, ok := vv.(string); ok && k == "$ref" {
				*out = append(*out, s)
			}
			collectRefs(vv, out)
		}
	case []any:
		for _, vv := range x {
			collectRefs(vv, out)
		}
	}
}

func TestDocSchemasCatchDrift(t *testing.T) {
	d, err := newDocSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, pattern string
		status        int
		body          string
		ok            bool
	}{
		{"a documented answer passes", "GET /v1/lists", 200, `{"lists":[]}`, true},
		{"an undocumented property is caught", "GET /v1/lists", 200, `{"lists":[],"extra":1}`, false},
		{"a missing required property is caught", "GET /v1/alerts", 200, `{"alerts":[]}`, false},
		{"a wrong type deep inside is caught", "GET /v1/lists", 200, `{"lists":[{"id":1}]}`, false},
		{"a value outside an enum is caught", "GET /v1/keys", 200, `{"keys":[{"id":"a","name":"b","member":"c","role":"root","created_at":"x"}]}`, false},
		{"an undocumented status is caught", "GET /v1/lists", 418, `{}`, false},
		{"an error answer passes through the shared responses", "GET /v1/lists", 401, `{"error":{"code":"unauthenticated","message":"m"}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := d.checkResponse(tc.pattern, tc.status, "application/json", []byte(tc.body))
			if (len(problems) == 0) != tc.ok {
				t.Errorf("problems %v, want ok=%v", problems, tc.ok)
			}
		})
	}
}
