package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
)

// TAXIIBackend is a state store that serves TAXII: collections and keys.
type TAXIIBackend interface {
	taxii.Store
	auth.Store
}

// BenchTAXII measures the TAXII server over HTTP on loopback on a backend:
// objects ingested per second (POST envelopes of 500 indicators) and served
// per second (GET pages of 1,000 from a collection of 10,000, following
// next).
func BenchTAXII(b *testing.B, open func(b *testing.B) TAXIIBackend) {
	setup := func(b *testing.B) (TAXIIBackend, *httptest.Server, string) {
		s := open(b)
		ctx := b.Context()
		if err := s.PutAPIRoot(ctx, taxii.APIRoot{Name: "bench", Title: "Bench"}); err != nil {
			b.Fatal(err)
		}
		if err := s.PutCollection(ctx, taxii.Collection{APIRoot: "bench", ID: "c", Title: "C", CanRead: true, CanWrite: true}); err != nil {
			b.Fatal(err)
		}
		secret, k, err := auth.NewKey("bench", "bench", auth.RoleAnalyst)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CreateKey(ctx, k); err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(taxii.NewServer(taxii.Config{MaxContentLength: 8 << 20}, s, s, nil, nil))
		b.Cleanup(srv.Close)
		return s, srv, secret
	}
	do := func(b *testing.B, srv *httptest.Server, method, u, key string, body []byte, want int) []byte {
		req, _ := http.NewRequestWithContext(b.Context(), method, u, bytes.NewReader(body))
		req.Header.Set("Accept", taxii.MediaType)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != nil {
			req.Header.Set("Content-Type", taxii.MediaType)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			b.Fatalf("HTTP %d: %s", resp.StatusCode, out)
		}
		return out
	}
	envelope := func(from, n int) []byte {
		objs := make([]json.RawMessage, n)
		for i := range n {
			objs[i] = taxiiObject(from+i, 0, taxii.TLPGreen, "").Body
		}
		body, _ := json.Marshal(taxii.Envelope{Objects: objs})
		return body
	}

	b.Run("ingest POST envelopes of 500", func(b *testing.B) {
		_, srv, key := setup(b)
		const per = 500
		bodies := make([][]byte, 0, 8)
		for i := range cap(bodies) {
			bodies = append(bodies, envelope(i*per, per))
		}
		u := srv.URL + "/taxii2/bench/collections/c/objects/"
		b.ReportAllocs()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			// Distinct versions each round: the same objects, a later modified.
			body := bytes.ReplaceAll(bodies[i%len(bodies)], []byte(`"modified":"2025`), fmt.Appendf(nil, `"modified":"%04d`, 2026+i/len(bodies)))
			do(b, srv, http.MethodPost, u, key, body, http.StatusAccepted)
		}
		b.ReportMetric(float64(b.N*per)/time.Since(start).Seconds(), "objects/s")
	})

	b.Run("serve GET pages of 1000 from 10000", func(b *testing.B) {
		s, srv, key := setup(b)
		const total, pageSize = 10_000, 1000
		for i := 0; i < total; i += 1000 {
			var objs []taxii.Object
			for j := range 1000 {
				objs = append(objs, taxiiObject(i+j, 0, taxii.TLPGreen, ""))
			}
			if _, err := s.AddObjects(b.Context(), "bench", "c", objs); err != nil {
				b.Fatal(err)
			}
		}
		base := srv.URL + "/taxii2/bench/collections/c/objects/?limit=" + fmt.Sprint(pageSize)
		next := ""
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			u := base
			if next != "" {
				u += "&next=" + url.QueryEscape(next)
			}
			var env taxii.Envelope
			if err := json.Unmarshal(do(b, srv, http.MethodGet, u, key, nil, http.StatusOK), &env); err != nil {
				b.Fatal(err)
			}
			if len(env.Objects) != pageSize {
				b.Fatalf("page of %d", len(env.Objects))
			}
			next = env.Next
		}
		b.ReportMetric(float64(b.N*pageSize)/time.Since(start).Seconds(), "objects/s")
	})
}
