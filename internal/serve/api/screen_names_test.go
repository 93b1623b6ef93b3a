package api

import (
	"encoding/json"
	"testing"
)

// TestScreenNames checks the HTTP side of name screening: filters reach the
// index and hits carry what openapi.json documents. Scores themselves are
// package screen's business; only the best entity is asserted here.
func TestScreenNames(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name  string
		query string
		want  string // entity id of the best match, "" for no hit
	}{
		{"the primary name hits", `{"name":"Lazarus Group"}`, "27307"},
		{"an alias hits", `{"name":"Hidden Cobra"}`, "27307"},
		{"a reordered person's name hits", `{"name":"Jin Hyok Park"}`, "25512"},
		{"a person's alias with the right birth year hits", `{"name":"Pak Jin Hek","birth_year":1984}`, "25512"},
		{"a type filter excludes the person", `{"name":"Park Jin Hyok","types":["entity"]}`, ""},
		{"a program filter excludes everyone", `{"name":"Lazarus Group","programs":["SDGT"]}`, ""},
		{"an unrelated name misses", `{"name":"Acme Bakery Ltd"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do("POST", "/v1/screen", "$SCREENER", nil, `{"names":[`+tc.query+`]}`)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			h.checkDocumented("POST", "/v1/screen", resp, body)
			var sr ScreenResponse
			if err := json.Unmarshal(body, &sr); err != nil || len(sr.Results) != 1 {
				t.Fatalf("%v: %s", err, body)
			}
			r := sr.Results[0]
			got := ""
			if r.Hit {
				got = r.Matches[0].EntityID
			}
			if got != tc.want || r.Kind != "name" || r.Hit != (len(r.Matches) > 0) {
				t.Fatalf("best match %q, want %q: %s", got, tc.want, body)
			}
			for _, m := range r.Matches {
				if m.Score <= 0 || m.Score > 1 || m.MatchedName == "" || m.ListVersion != ofacNew.ID {
					t.Errorf("match %+v lacks a score in (0,1], the matched name or the list version", m)
				}
			}
		})
	}
}
