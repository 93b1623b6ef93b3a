package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// breaker cuts the connection of every request for objects once armed
// requests have passed, as a network that goes away mid-sync.
type breaker struct {
	next    http.Handler
	passes  atomic.Int64 // object pages still allowed; < 0: never break
	dropped atomic.Int64
	first   atomic.Value // the first objects query seen after a reset
}

func (b *breaker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/objects/") && r.Method == http.MethodGet {
		b.first.CompareAndSwap(nil, r.URL.RawQuery)
		if b.passes.Load() == 0 {
			b.dropped.Add(1)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		b.passes.Add(-1)
	}
	b.next.ServeHTTP(w, r)
}

func indicators(n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range n {
		out[i] = json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-000000000000","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.%d.%d.%d']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`, i, i>>16&255, i>>8&255, i&255))
	}
	return out
}

func versionSet(t *testing.T, st taxii.Store, root, coll string) []string {
	t.Helper()
	metas, err := st.ObjectMetas(t.Context(), root, coll, taxii.MetaQuery{Viewer: taxii.Viewer{Amber: true}})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(metas))
	for i, m := range metas {
		out[i] = m.ID + "@" + m.Version
	}
	slices.Sort(out)
	return out
}

// TestSyncTenThousandWithResume pushes 10,000 objects to our server, then
// syncs the collection into another store with pages of 500; the
// connection drops for good after 7 pages, the client gives up after its
// retries, and a second sync resumes from the saved added_after and ends
// with exactly the server's objects.
func TestSyncTenThousandWithResume(t *testing.T) {
	const total, pageSize, pagesBeforeDrop = 10_000, 500, 7
	f := newFixture(t, taxii.Config{})
	ctx := t.Context()
	if err := f.store.PutAPIRoot(ctx, taxii.APIRoot{Name: "isac", Title: "ISAC"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "feed", Title: "Feed", CanRead: true, CanWrite: true}); err != nil {
		t.Fatal(err)
	}
	br := &breaker{next: f.srv.Config.Handler}
	br.passes.Store(-1)
	f.srv.Config.Handler = br

	pusher := &taxii.Client{Key: f.keys["alice"], User: "alice"}
	// Discovery with a single API root leads the client to it.
	root, err := pusher.Root(ctx, f.srv.URL+"/taxii2/")
	if err != nil || root.URL != f.srv.URL+"/taxii2/isac/" {
		t.Fatalf("root from discovery: %+v, %v", root, err)
	}
	coll := taxii.CollectionURL(root, "feed")
	st, err := pusher.Push(ctx, coll, indicators(total), 500, root.MaxContentLength)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != total || st.Successes != total || st.Failures != 0 {
		t.Fatalf("push status %+v", st)
	}

	local := openStore(t)
	c := &taxii.Client{Key: f.keys["bob"], PageSize: pageSize, Retries: 2, Backoff: 5 * time.Millisecond}
	br.passes.Store(pagesBeforeDrop)
	rep, err := taxii.Sync(ctx, c, coll, local, "mirror", "feed", "bob")
	if err == nil {
		t.Fatal("sync survived a connection that never came back")
	}
	// net/http itself retries a GET once on a reused connection that closes.
	if br.dropped.Load() < 3 || rep.Objects != pagesBeforeDrop*pageSize {
		t.Fatalf("first run: %d drops, %d objects; want at least 3 (1 + 2 retries) and %d", br.dropped.Load(), rep.Objects, pagesBeforeDrop*pageSize)
	}
	if got := len(versionSet(t, local, "mirror", "feed")); got != pagesBeforeDrop*pageSize {
		t.Fatalf("local store holds %d versions after the drop", got)
	}

	br.passes.Store(-1)
	br.first = atomic.Value{}
	rep2, err := taxii.Sync(ctx, c, coll, local, "mirror", "feed", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.From.Equal(rep.Last) || rep2.Objects != total-pagesBeforeDrop*pageSize {
		t.Fatalf("resume from %v read %d; want from %v and %d", rep2.From, rep2.Objects, rep.Last, total-pagesBeforeDrop*pageSize)
	}
	if q, _ := br.first.Load().(string); !strings.Contains(q, "added_after="+strings.ReplaceAll(taxii.FormatTimestamp(rep.Last), ":", "%3A")) {
		t.Fatalf("the resumed sync asked %q, without the saved added_after", q)
	}
	if got, want := versionSet(t, local, "mirror", "feed"), versionSet(t, f.store, "isac", "feed"); !slices.Equal(got, want) {
		t.Fatalf("mirror holds %d versions, the server %d, or they differ", len(got), len(want))
	}
	rep3, err := taxii.Sync(ctx, c, coll, local, "mirror", "feed", "bob")
	if err != nil || rep3.Objects != 0 {
		t.Fatalf("a sync with nothing new read %d objects (%v)", rep3.Objects, err)
	}
}

// TestClientRefusesDeviantServers checks the client's errors for servers
// that do not follow TAXII 2.1.
func TestClientRefusesDeviantServers(t *testing.T) {
	page := `{"more":false,"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z"}]}`
	for _, tc := range []struct {
		name    string
		ctype   string
		status  int
		body    string
		headers bool
		want    error
		message string
	}{
		{"a JSON media type instead of TAXII's", "application/json", 200, page, true, taxii.ErrProtocol, "Content-Type"},
		{"TAXII 2.0's media type", "application/vnd.oasis.taxii+json; version=2.0", 200, page, true, taxii.ErrProtocol, "Content-Type"},
		{"a body that is not JSON", taxii.MediaType, 200, `<html>`, true, taxii.ErrProtocol, "not valid JSON"},
		{"an envelope whose objects lack ids", taxii.MediaType, 200, `{"objects":[{"type":"indicator"}]}`, true, taxii.ErrProtocol, "no id"},
		{"a page without the date headers", taxii.MediaType, 200, page, false, taxii.ErrProtocol, "X-TAXII-Date-Added-First"},
		{"more without objects", taxii.MediaType, 200, `{"more":true}`, true, taxii.ErrProtocol, "empty page"},
		{"an error status with a TAXII error resource", taxii.MediaType, 403, `{"title":"Forbidden","description":"no"}`, true, taxii.ErrHTTP, "HTTP 403: Forbidden: no"},
		{"a server that keeps failing", taxii.MediaType, 503, `{}`, true, taxii.ErrHTTP, "HTTP 503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				if tc.headers {
					w.Header().Set("X-TAXII-Date-Added-First", "2024-01-01T00:00:00.000000Z")
					w.Header().Set("X-TAXII-Date-Added-Last", "2024-01-01T00:00:00.000000Z")
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &taxii.Client{Key: "itd_secret_never_shown", Retries: 1, Backoff: time.Millisecond}
			_, err := taxii.Sync(t.Context(), c, srv.URL+"/taxii2/r/collections/c/", openStore(t), "m", "c", "me")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.want, tc.message)
			}
			if strings.Contains(err.Error(), "itd_secret_never_shown") {
				t.Fatal("the error shows the key")
			}
		})
	}
	t.Run("a cancelled context stops the retries", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		c := &taxii.Client{Retries: 5, Backoff: time.Hour}
		if _, err := c.Objects(ctx, "http://127.0.0.1:1/c/", time.Time{}, ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}
