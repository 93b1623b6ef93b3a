package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/sharedtest"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// testConfig retries fast so failure tests take milliseconds.
func testConfig() Config {
	c := DefaultConfig()
	c.RetryBackoff = time.Millisecond
	c.MaxBackoff = 5 * time.Millisecond
	c.Timeout = time.Minute
	return c
}

// listServer serves body with validators and answers conditional requests.
func listServer(t *testing.T, body []byte, etag, lastModified string, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("User-Agent") != DefaultConfig().UserAgent {
			http.Error(w, "no user agent", http.StatusForbidden)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastModified)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFetchRealOFACList serves the real 2025-11-19 SDN advanced XML and checks
// the published SHA-256 from ../shared/data verifies, then that the conditional
// requests made with the returned validators get "not modified".
func TestFetchRealOFACList(t *testing.T) {
	// Decompressing is only set-up here; OpenFile's bzip2 path is tested on its own.
	body := sharedtest.ReadAll(t, "ofac", "sdn_advanced_2025-11-19.xml.bz2")
	sumText, err := os.ReadFile(sharedtest.Path(t, "ofac", "sdn_advanced_2025-11-19.sha256.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseChecksum(string(sumText))
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	const etag, lastMod = `"sdn-2025-11-19"`, "Wed, 19 Nov 2025 20:00:00 GMT"
	srv := listServer(t, body, etag, lastMod, &hits)
	dir := t.TempDir()
	f := New(testConfig(), nil, nil)

	res, err := f.Fetch(context.Background(), Request{URL: srv.URL, Dir: dir, Name: "sdn_advanced.xml", SHA256: want})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a 200 is saved with its digest, size and validators", func(t *testing.T) {
		if res.NotModified || res.SHA256 != want || res.Size != 120977559 || res.ETag != etag || res.LastModified != lastMod || res.Attempts != 1 {
			t.Errorf("result %+v", res)
		}
		if st, err := os.Stat(filepath.Join(dir, "sdn_advanced.xml")); err != nil || st.Size() != res.Size || res.Path != filepath.Join(dir, "sdn_advanced.xml") {
			t.Errorf("file %v, %v", st, err)
		}
	})
	t.Run("the ETag makes the next request conditional", func(t *testing.T) {
		again, err := f.Fetch(context.Background(), Request{URL: srv.URL, Dir: dir, Name: "sdn_advanced.xml", ETag: res.ETag})
		if err != nil || !again.NotModified || again.Path != "" || again.ETag != etag {
			t.Errorf("got %+v, %v", again, err)
		}
	})
	t.Run("Last-Modified makes the next request conditional", func(t *testing.T) {
		again, err := f.Fetch(context.Background(), Request{URL: srv.URL, Dir: dir, Name: "sdn_advanced.xml", LastModified: res.LastModified})
		if err != nil || !again.NotModified || again.LastModified != lastMod {
			t.Errorf("got %+v, %v", again, err)
		}
	})
	t.Run("only the list is left in the directory", func(t *testing.T) {
		if names := dirNames(t, dir); len(names) != 1 || names[0] != "sdn_advanced.xml" {
			t.Errorf("directory holds %v", names)
		}
	})
}

// TestFetchDecodesGzipTransferEncoding serves the UN list's gzip bytes with
// Content-Encoding: gzip, as servers do; the saved file is the XML itself.
func TestFetchDecodesGzipTransferEncoding(t *testing.T) {
	gz, err := os.ReadFile(sharedtest.Path(t, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz"))
	if err != nil {
		t.Fatal(err)
	}
	xml := sharedtest.ReadAll(t, "sanctions_other", "UN_consolidated_2026-02-27.xml.gz")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/xml")
		w.Write(gz)
	}))
	defer srv.Close()
	sum := sha256.Sum256(xml)
	res, err := New(testConfig(), nil, nil).Fetch(context.Background(),
		Request{URL: srv.URL, Dir: t.TempDir(), Name: "consolidated.xml", SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(res.Path)
	if err != nil || !bytes.Equal(got, xml) {
		t.Errorf("saved %d bytes, want the %d bytes of XML (%v)", len(got), len(xml), err)
	}
}

func TestFetchFailures(t *testing.T) {
	body := []byte("<Sanctions></Sanctions>")
	sum := sha256.Sum256(body)
	good := hex.EncodeToString(sum[:])
	tests := []struct {
		name     string
		handler  func(hit int32, w http.ResponseWriter, r *http.Request)
		sha      string
		maxBytes int64
		wantErr  error
		wantHits int32
	}{
		{"a checksum mismatch fails without retry and leaves no file", func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Write(body)
		}, "00" + good[2:], 0, ErrChecksum, 1},
		{"a 5xx is retried until it succeeds", func(hit int32, w http.ResponseWriter, _ *http.Request) {
			if hit < 3 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.Write(body)
		}, good, 0, nil, 3},
		{"a 5xx that persists fails after every retry", func(_ int32, w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusBadGateway)
		}, "", 0, ErrStatus, 4},
		{"a 429 is retried", func(hit int32, w http.ResponseWriter, _ *http.Request) {
			if hit == 1 {
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			w.Write(body)
		}, "", 0, nil, 2},
		{"a 404 is not retried", func(_ int32, w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, "", 0, ErrStatus, 1},
		{"a dropped connection is retried", func(hit int32, w http.ResponseWriter, _ *http.Request) {
			if hit == 1 {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			w.Write(body)
		}, good, 0, nil, 2},
		{"an announced oversize body is refused", func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}, "", 10, ErrTooLarge, 1},
		{"an oversize body without a length is cut off", func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Write(body[:5])
			w.(http.Flusher).Flush()
			w.Write(body[5:])
		}, "", 10, ErrTooLarge, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.handler(hits.Add(1), w, r)
			}))
			defer srv.Close()
			cfg := testConfig()
			cfg.MaxBytes = tt.maxBytes
			dir := t.TempDir()
			res, err := New(cfg, nil, nil).Fetch(context.Background(), Request{URL: srv.URL, Dir: dir, Name: "list.xml", SHA256: tt.sha})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("%d requests, want %d", hits.Load(), tt.wantHits)
			}
			names := dirNames(t, dir)
			if err != nil {
				if len(names) != 0 {
					t.Errorf("failed download left %v", names)
				}
				return
			}
			if res.Attempts != int(tt.wantHits) || res.SHA256 != good || len(names) != 1 {
				t.Errorf("result %+v, files %v", res, names)
			}
		})
	}
}

func TestFetchStatusErrorCarriesTheCode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	_, err := New(testConfig(), nil, nil).Fetch(context.Background(), Request{URL: srv.URL, Dir: t.TempDir(), Name: "x"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusGone {
		t.Errorf("err %v, want a StatusError with 410", err)
	}
}

func TestFetchStopsWhenCancelledDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RetryBackoff, cfg.MaxBackoff = time.Hour, time.Hour
	start := time.Now()
	_, err := New(cfg, nil, nil).Fetch(ctx, Request{URL: srv.URL, Dir: t.TempDir(), Name: "x"})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("err %v after %v, want context.Canceled at once", err, time.Since(start))
	}
}

func TestFetchReplacesThePreviousFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "list.xml"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("new")) }))
	defer srv.Close()
	if _, err := New(testConfig(), nil, nil).Fetch(context.Background(), Request{URL: srv.URL, Dir: dir, Name: "list.xml"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "list.xml")); string(got) != "new" {
		t.Errorf("file holds %q", got)
	}
}

func TestFetchRejectsBadRequests(t *testing.T) {
	f := New(testConfig(), nil, nil)
	for _, tt := range []struct {
		name string
		req  Request
	}{
		{"a request without URL", Request{Dir: t.TempDir(), Name: "x"}},
		{"an expected digest that is not hex", Request{URL: "http://127.0.0.1:1/", Dir: t.TempDir(), Name: "x", SHA256: "abc"}},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			if _, err := f.Fetch(context.Background(), tt.req); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestConfigURL(t *testing.T) {
	c := DefaultConfig()
	for _, tt := range []struct {
		src  sanctions.Source
		want string
	}{{sanctions.SourceOFAC, DefaultOFACURL}, {sanctions.SourceUN, DefaultUNURL}} {
		if got, err := c.URL(tt.src); err != nil || got != tt.want {
			t.Errorf("URL(%s) = %q, %v", tt.src, got, err)
		}
	}
	if _, err := c.URL("eu"); !errors.Is(err, sanctions.ErrUnknownSource) {
		t.Errorf("unknown source: %v", err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
