package api

import (
	"net/http"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

func TestTAXIIMount(t *testing.T) {
	h := newHarness(t, func(_ *Config, d *Deps) {
		d.TAXII = taxii.NewServer(taxii.Config{}, d.Auth.(taxii.Store), d.Auth, d.Auth, nil)
	})
	taxiiHeader := http.Header{"Accept": {taxii.MediaType}}
	t.Run("the discovery resource is served under /taxii2/ to a Bearer key", func(t *testing.T) {
		resp, body := h.do("GET", "/taxii2/", "$ANALYST", taxiiHeader, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != taxii.MediaType || resp.Header.Get("X-Request-ID") == "" {
			t.Fatalf("HTTP %d %s %s", resp.StatusCode, resp.Header, body)
		}
	})
	t.Run("TAXII answers its own 401 and 404, not the /v1 error format", func(t *testing.T) {
		resp, body := h.do("GET", "/taxii2/", "", taxiiHeader, "")
		if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != taxii.MediaType {
			t.Fatalf("HTTP %d %s", resp.StatusCode, body)
		}
		resp, body = h.do("GET", "/taxii2/nope/", "$ANALYST", taxiiHeader, "")
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != taxii.MediaType {
			t.Fatalf("HTTP %d %s", resp.StatusCode, body)
		}
	})
	t.Run("without a TAXII handler /taxii2/ is the API's 404", func(t *testing.T) {
		plain := newHarness(t)
		resp, _ := plain.do("GET", "/taxii2/", "$ANALYST", taxiiHeader, "")
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("HTTP %d %s", resp.StatusCode, resp.Header)
		}
	})
}
