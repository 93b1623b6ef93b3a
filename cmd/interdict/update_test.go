package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
)

// TestListsUpdateDownloadsConditionally serves the OFAC sample over HTTP with an
// ETag: the first update downloads and loads it, the second is a 304, and a
// wrong expected checksum is refused without loading anything.
func TestListsUpdateDownloadsConditionally(t *testing.T) {
	body, err := os.ReadFile("../../internal/sources/sanctions/ofac/testdata/sdn_advanced_sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	var gets, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	c := cli{t: t, args: []string{"--data-dir", t.TempDir()}}
	if _, _, code := c.run("lists", "update", "--source", "ofac", "--ofac-url", srv.URL,
		"--ofac-sha256", "0000000000000000000000000000000000000000000000000000000000000000"); code != exitFailure {
		t.Fatalf("a checksum mismatch exited %d, want %d", code, exitFailure)
	}
	var vs struct{ Lists []any }
	c.json(&vs, "lists", "show")
	if len(vs.Lists) != 0 {
		t.Fatalf("a download with a bad checksum was loaded")
	}

	var first, second struct{ Updates []loadOutput }
	c.json(&first, "lists", "update", "--source", "ofac", "--ofac-url", srv.URL)
	if len(first.Updates) != 1 || first.Updates[0].Skipped != "" || first.Updates[0].Version.Entities == 0 {
		t.Fatalf("first update: %+v", first)
	}
	c.json(&second, "lists", "update", "--source", "ofac", "--ofac-url", srv.URL)
	if len(second.Updates) != 1 || second.Updates[0].Skipped != "not modified" || notModified.Load() != 1 {
		t.Fatalf("second update: %+v (304s served: %d)", second, notModified.Load())
	}
	var doc screenDoc
	c.json(&doc, "screen", "address", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96")
	if !doc.Results[0].Hit {
		t.Fatal("the downloaded list does not screen the Lazarus address as a hit")
	}
}
