package api

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/analysis/screen"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// TestWithTheRealListService runs the list endpoints and screening over
// the components `interdict serve` wires: the lists service on the SQLite
// store, loaded with the parsers' sample files (real OFAC and UN entries,
// see their testdata/README.md), and a screening index built from its
// latest versions.
func TestWithTheRealListService(t *testing.T) {
	ctx := context.Background()
	var svc *lists.Service
	live := screen.NewLive(nil)
	h := newHarness(t, func(_ *Config, d *Deps) {
		svc = lists.NewService(d.Subjects.(lists.Store), nil)
		d.Lists = svc
		d.Screen = live
	})
	load := func(src sanctions.Source, path string) lists.Version {
		t.Helper()
		f, err := os.Open(filepath.Join("..", "..", "sources", "sanctions", string(src), "testdata", path))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		v, _, err := svc.Load(ctx, src, f)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ofacV := load(sanctions.SourceOFAC, "sdn_advanced_sample.xml")
	unV := load(sanctions.SourceUN, "consolidated_sample.xml")
	latest, err := svc.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ds []screen.Dataset
	for _, l := range latest {
		ds = append(ds, screen.Dataset{Version: screen.VersionRef{ID: l.ID, Source: l.Source, Published: l.Published}, Entities: l.Entities})
	}
	live.Swap(screen.NewIndex(ds...))

	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, body := h.do("GET", path, "$ANALYST", http.Header{}, "")
		h.checkDocumented("GET", path, resp, body)
		return resp, body
	}
	t.Run("GET /v1/lists shows both loaded versions", func(t *testing.T) {
		resp, body := get("/v1/lists")
		var got struct{ Lists []lists.Version }
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
		}
		if len(got.Lists) != 2 || got.Lists[0].ID != ofacV.ID || got.Lists[1].ID != unV.ID || got.Lists[0].Entities != 10 {
			t.Errorf("lists %+v", got.Lists)
		}
	})
	t.Run("a version diffed with itself has no changes", func(t *testing.T) {
		resp, body := get("/v1/lists/" + ofacV.ID + "/diff/" + ofacV.ID)
		var d lists.Diff
		if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
		}
		if d.Counts != (lists.DiffCounts{}) {
			t.Errorf("counts %+v", d.Counts)
		}
	})
	t.Run("an OFAC version diffed with a UN one is 422 source_mismatch", func(t *testing.T) {
		resp, body := get("/v1/lists/" + ofacV.ID + "/diff/" + unV.ID)
		if resp.StatusCode != 422 || errorCode(t, body) != "source_mismatch" {
			t.Errorf("%d: %s", resp.StatusCode, body)
		}
	})
	t.Run("an unknown version is 404", func(t *testing.T) {
		resp, body := get("/v1/lists/" + ofacV.ID + "/diff/ofac-1999-01-01-000000000000")
		if resp.StatusCode != 404 || errorCode(t, body) != "not_found" {
			t.Errorf("%d: %s", resp.StatusCode, body)
		}
	})
	t.Run("the Lazarus address hits Lazarus Group in the loaded OFAC version", func(t *testing.T) {
		resp, body := h.do("POST", "/v1/screen", "$SCREENER", nil, `{"addresses":["`+lazarusAddress+`","0x1111111111111111111111111111111111111111"],"names":[{"name":"Lazarus Group"}]}`)
		h.checkDocumented("POST", "/v1/screen", resp, body)
		var sr ScreenResponse
		if err := json.Unmarshal(body, &sr); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
		}
		hit, clean, name := sr.Results[0], sr.Results[1], sr.Results[2]
		if !hit.Hit || hit.Matches[0].EntityID != "27307" || hit.Matches[0].ListVersion != ofacV.ID || hit.Matches[0].Name != "Lazarus Group" {
			t.Errorf("address result %+v", hit)
		}
		if clean.Hit {
			t.Errorf("a clean address hit: %+v", clean)
		}
		if !name.Hit || name.Matches[0].EntityID != "27307" {
			t.Errorf("name result %+v", name)
		}
		if len(sr.Lists) != 2 {
			t.Errorf("lists used %+v, want the OFAC and UN versions", sr.Lists)
		}
	})
}
