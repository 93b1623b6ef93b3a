package taxii_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// medallionData is the OASIS reference server's data file.
func medallionData(t testing.TB) []byte {
	t.Helper()
	return sharedtest.ReadAll(t, "stix", "medallion", "default_data.json")
}

// fixture is a TAXII server on a real SQLite store, with keys by name:
// admin (member hub), alice, bob and carol (analysts of their own
// members), screener and revoked.
type fixture struct {
	store *sqlite.Store
	srv   *httptest.Server
	keys  map[string]string // name → secret
	ids   map[string]string // name → key id
}

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newFixture(t testing.TB, cfg taxii.Config) *fixture {
	t.Helper()
	f := &fixture{store: openStore(t), keys: map[string]string{}, ids: map[string]string{}}
	ctx := context.Background()
	for _, k := range []struct {
		name, member string
		role         auth.Role
	}{
		{"admin", "hub", auth.RoleAdmin}, {"alice", "alice", auth.RoleAnalyst}, {"bob", "bob", auth.RoleAnalyst},
		{"carol", "carol", auth.RoleAnalyst}, {"screener", "alice", auth.RoleScreener}, {"revoked", "alice", auth.RoleAdmin},
	} {
		secret, key, err := auth.NewKey(k.member, k.name, k.role)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.CreateKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		f.keys[k.name], f.ids[k.name] = secret, key.ID
		if k.name == "revoked" {
			if err := f.store.RevokeKey(ctx, key.ID, key.CreatedAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.srv = httptest.NewServer(taxii.NewServer(cfg, f.store, f.store, f.store, nil))
	t.Cleanup(f.srv.Close)
	return f
}

// result is one HTTP exchange.
type result struct {
	code   int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r result) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// list returns body[field] as a list (nil if absent).
func (r result) list(t *testing.T, field string) []any {
	t.Helper()
	l, _ := r.obj(t)[field].([]any)
	return l
}

// call makes a request. as names the key ("" for none); basic sends it as
// the Basic password. accept "" means the TAXII media type, "-" none.
type call struct {
	method, path string
	as           string
	basic        bool
	accept       string
	ctype        string
	body         string
}

func (f *fixture) do(t testing.TB, c call) result {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), c.method, f.srv.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch c.accept {
	case "":
		req.Header.Set("Accept", taxii.MediaType)
	case "-":
	default:
		req.Header.Set("Accept", c.accept)
	}
	if c.body != "" {
		ct := c.ctype
		if ct == "" {
			ct = taxii.MediaType
		}
		req.Header.Set("Content-Type", ct)
	}
	if c.as != "" {
		secret, ok := f.keys[c.as]
		if !ok {
			secret = c.as
		}
		if c.basic {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("anyone:"+secret)))
		} else {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{code: resp.StatusCode, header: resp.Header, body: b}
}
