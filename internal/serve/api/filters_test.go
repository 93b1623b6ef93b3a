package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
)

// taintedBlocks is a TaintedSource over a map of eth heights.
type taintedBlocks map[int64][]string

func (b taintedBlocks) TaintedAddresses(_ context.Context, chainName string, h int64) ([]string, error) {
	a, ok := b[h]
	if !ok || chainName != "eth" {
		return nil, fmt.Errorf("eth block %d: %w", h, hubfilter.ErrNotFound)
	}
	return a, nil
}

func TestHubFilters(t *testing.T) {
	tainted := []string{lazarusAddress, "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B"}
	hub := hubfilter.NewHub(taintedBlocks{100: tainted, 101: nil}, 16, 0)
	h := newHarness(t, func(_ *Config, d *Deps) { d.Filters = hub })

	t.Run("a screener key downloads a block's filter with its version and false-positive rate", func(t *testing.T) {
		resp, body := h.do("GET", "/v1/filters/eth/100", "$SCREENER", http.Header{}, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != hubfilter.MediaType {
			t.Fatalf("status %d %s", resp.StatusCode, body)
		}
		if resp.Header.Get(hubfilter.HeaderVersion) != strconv.Itoa(hubfilter.Version) ||
			resp.Header.Get(hubfilter.HeaderFPRate) != "1.52588e-05" || resp.Header.Get(hubfilter.HeaderCount) != "2" {
			t.Errorf("headers %v", resp.Header)
		}
		f, err := hubfilter.Decode(body)
		if err != nil || !f.Contains(tainted[0]) || !f.Contains(tainted[1]) {
			t.Errorf("filter %+v (%v) misses a tainted address", f, err)
		}
	})

	t.Run("the member-side check finds its tainted addresses through the API", func(t *testing.T) {
		c := &hubfilter.Client{Base: h.srv.URL, Key: h.secrets["$SCREENER"], HTTP: h.srv.Client()}
		rep, err := c.Check(t.Context(), "eth", 100, 102, []string{"0x0000000000000000000000000000000000000001", lazarusAddress})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Checked != 2 || len(rep.Missing) != 1 || len(rep.Candidates) != 1 || rep.Candidates[0].Address != lazarusAddress {
			t.Errorf("report %+v", rep)
		}
	})

	for _, c := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"a block the hub has not processed is 404", "/v1/filters/eth/999", 404, "not_found"},
		{"an upper-case chain is 400", "/v1/filters/ETH/100", 400, "invalid_request"},
		{"a height that is no number is 400", "/v1/filters/eth/tip", 400, "invalid_request"},
		{"a negative height is 400", "/v1/filters/eth/-1", 400, "invalid_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := h.do("GET", c.path, "$SCREENER", http.Header{}, "")
			if resp.StatusCode != c.status || errorCode(t, body) != c.code {
				t.Errorf("status %d %s", resp.StatusCode, body)
			}
		})
	}
}
