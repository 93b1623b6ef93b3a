package taxii_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// Paths into the imported medallion data.
const (
	tg      = "/taxii2/trustgroup1/"
	hv      = tg + "collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/" // read, write; 8 versions of 5 objects
	addColl = tg + "collections/365fed99-08fa-fdcd-a1b3-fb247eb41d01/" // read, write; empty
	roColl  = tg + "collections/52892447-4d7e-4f70-b94d-d7f22742ff63/" // read only
	woColl  = tg + "collections/472c94ae-3113-4e3e-a4dd-a9f4ac7471d4/" // write only
	secret  = tg + "collections/64993447-4d7e-4f70-b94d-d7f33742ee63/" // neither
	ind6770 = "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"        // 3 versions
	mal     = "malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec"          // a 2.0 and a 2.1 version
	status1 = "2d086da7-4bdc-4f91-900e-d77486753710"                   // imported, pending
	newInd  = "indicator--0a6e4a7c-1c7c-4b3e-9d35-8f6a9d2e1b01"
)

// conformanceCase is one black-box check of a normative statement of TAXII
// 2.1 (OASIS Standard, 10 June 2021); section names where it is made.
type conformanceCase struct {
	section string
	name    string
	call    call
	want    int
	check   func(t *testing.T, f *fixture, r result)
}

func ids(t *testing.T, r result, field string) []string {
	t.Helper()
	var out []string
	for _, o := range r.list(t, field) {
		m, _ := o.(map[string]any)
		id, _ := m["id"].(string)
		out = append(out, id)
	}
	return out
}

func versionsOf(t *testing.T, r result) []string {
	t.Helper()
	var out []string
	for _, o := range r.list(t, "objects") {
		m, _ := o.(map[string]any)
		v, _ := m["modified"].(string)
		if v == "" {
			v, _ = m["created"].(string)
		}
		out = append(out, v)
	}
	return out
}

func wantLen(n int, field string) func(t *testing.T, f *fixture, r result) {
	return func(t *testing.T, _ *fixture, r result) {
		t.Helper()
		if got := len(r.list(t, field)); got != n {
			t.Fatalf("%d %s, want %d: %s", got, field, n, r.body)
		}
	}
}

func wantField(field string, want any) func(t *testing.T, f *fixture, r result) {
	return func(t *testing.T, _ *fixture, r result) {
		t.Helper()
		if got := r.obj(t)[field]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s = %v, want %v: %s", field, got, want, r.body)
		}
	}
}

// wantError checks the error resource of section 3.6.
func wantError(t *testing.T, _ *fixture, r result) {
	t.Helper()
	m := r.obj(t)
	if m["title"] == nil || m["title"] == "" || m["http_status"] != fmt.Sprint(r.code) {
		t.Fatalf("error resource %s lacks title or http_status %d", r.body, r.code)
	}
	if ct := r.header.Get("Content-Type"); ct != taxii.MediaType {
		t.Fatalf("error Content-Type %q", ct)
	}
}

func both(a, b func(t *testing.T, f *fixture, r result)) func(t *testing.T, f *fixture, r result) {
	return func(t *testing.T, f *fixture, r result) { t.Helper(); a(t, f, r); b(t, f, r) }
}

func conformanceCases() []conformanceCase {
	q := url.QueryEscape
	envelope := func(objs ...string) string { return `{"objects":[` + strings.Join(objs, ",") + `]}` }
	indicator := func(id, modified string) string {
		return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2024-01-01T00:00:00.000Z","modified":%q,"pattern":"[ipv4-addr:value = '10.0.0.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`, id, modified)
	}
	var postedStatus string
	return []conformanceCase{
		// Discovery and content negotiation.
		{"4.1", "discovery lists every API root at this server's URL", call{path: "/taxii2/", as: "alice"}, 200,
			func(t *testing.T, f *fixture, r result) {
				roots := r.list(t, "api_roots")
				want := []any{f.srv.URL + "/taxii2/api1/", f.srv.URL + "/taxii2/api2/", f.srv.URL + "/taxii2/trustgroup1/"}
				if fmt.Sprint(roots) != fmt.Sprint(want) {
					t.Fatalf("api_roots = %v, want %v", roots, want)
				}
			}},
		{"4.1.1", "discovery keeps the medallion title and names the default root here", call{path: "/taxii2/", as: "alice"}, 200,
			func(t *testing.T, f *fixture, r result) {
				m := r.obj(t)
				if m["title"] != "Some TAXII Server" || m["default"] != f.srv.URL+tg {
					t.Fatalf("discovery = %s", r.body)
				}
			}},
		{"1.6.8.1", "responses carry exactly application/taxii+json;version=2.1", call{path: "/taxii2/", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if ct := r.header.Get("Content-Type"); ct != taxii.MediaType {
					t.Fatalf("Content-Type %q", ct)
				}
			}},
		{"1.6.8.1", "no Accept header is 406", call{path: "/taxii2/", as: "alice", accept: "-"}, 406, wantError},
		{"1.6.8.1", "Accept: application/json is 406", call{path: "/taxii2/", as: "alice", accept: "application/json"}, 406, wantError},
		{"1.6.8.1", "Accept of TAXII version 2.0 is 406", call{path: "/taxii2/", as: "alice", accept: "application/taxii+json;version=2.0"}, 406, wantError},
		{"1.6.8.1", "Accept without a version means the latest and is served", call{path: "/taxii2/", as: "alice", accept: "application/taxii+json"}, 200, nil},
		{"1.6.8.1", "Accept parameters may have spaces and sit in a list", call{path: "/taxii2/", as: "alice", accept: "text/html, application/taxii+json; version=2.1"}, 200, nil},

		// Authentication (section 1.6.9 leaves the scheme to the server; HTTP 401 per RFC 7235).
		{"1.6.9", "no credentials is 401 with a Basic and Bearer challenge", call{path: "/taxii2/"}, 401,
			func(t *testing.T, f *fixture, r result) {
				wantError(t, f, r)
				if c := r.header.Get("WWW-Authenticate"); !strings.Contains(c, "Basic") || !strings.Contains(c, "Bearer") {
					t.Fatalf("WWW-Authenticate %q", c)
				}
			}},
		{"1.6.9", "an API key as the Basic password, any user name, is accepted", call{path: "/taxii2/", as: "alice", basic: true}, 200, nil},
		{"1.6.9", "an API key as a Bearer token is accepted", call{path: "/taxii2/", as: "alice"}, 200, nil},
		{"1.6.9", "a wrong Basic password is 401", call{path: "/taxii2/", as: "itd_wrong", basic: true}, 401, wantError},
		{"1.6.9", "a revoked key is 401", call{path: "/taxii2/", as: "revoked"}, 401, wantError},

		// API roots and collections.
		{"4.2", "an API root answers its information with the effective max_content_length", call{path: tg, as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				m := r.obj(t)
				if m["title"] != "Malware Research Group" || fmt.Sprint(m["versions"]) != "["+taxii.MediaType+"]" || m["max_content_length"] != float64(4096) {
					t.Fatalf("api root = %s", r.body)
				}
			}},
		{"4.2", "an unknown API root is 404", call{path: "/taxii2/nope/", as: "alice"}, 404, wantError},
		{"5.1", "the collections of a root are listed in order", call{path: tg + "collections/", as: "alice"}, 200, wantLen(5, "collections")},
		{"5.1", "a root without collections answers an empty resource", call{path: "/taxii2/api1/collections/", as: "alice"}, 200, wantLen(0, "collections")},
		{"5.2", "a collection says what the caller may do", call{path: hv, as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				m := r.obj(t)
				if m["can_read"] != true || m["can_write"] != true || len(m["media_types"].([]any)) != 2 {
					t.Fatalf("collection = %s", r.body)
				}
			}},
		{"5.2", "medallion's can_read false is an analyst's default", call{path: secret, as: "alice"}, 200, wantField("can_read", false)},
		{"5.2", "an admin may read every collection", call{path: secret, as: "admin"}, 200, wantField("can_read", true)},
		{"5.2", "an unknown collection is 404", call{path: tg + "collections/nope/", as: "alice"}, 404, wantError},

		// Objects: defaults, headers, pagination, filters.
		{"5.4", "objects default to the latest version of each object", call{path: hv + "objects/", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				got := ids(t, r, "objects")
				if len(got) != 5 || !slices.Contains(versionsOf(t, r), "2017-01-27T13:49:53.935Z") {
					t.Fatalf("objects %v versions %v", got, versionsOf(t, r))
				}
			}},
		{"3.2", "X-TAXII-Date-Added-First and -Last bound the page", call{path: hv + "objects/", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if a, b := r.header.Get("X-TAXII-Date-Added-First"), r.header.Get("X-TAXII-Date-Added-Last"); a != "2014-05-08T09:00:00.000000Z" || b != "2017-12-31T13:49:53.935000Z" {
					t.Fatalf("date headers %q %q", a, b)
				}
			}},
		{"3.5", "limit cuts the page and sets more and next", call{path: hv + "objects/?limit=2", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				m := r.obj(t)
				if len(r.list(t, "objects")) != 2 || m["more"] != true || m["next"] == nil {
					t.Fatalf("page = %s", r.body)
				}
			}},
		{"3.5", "following next reads every object once", call{path: hv + "objects/?limit=2", as: "alice"}, 200,
			func(t *testing.T, f *fixture, r result) {
				seen := ids(t, r, "objects")
				for r.obj(t)["more"] == true {
					r = f.do(t, call{path: hv + "objects/?limit=2&next=" + url.QueryEscape(r.obj(t)["next"].(string)), as: "alice"})
					seen = append(seen, ids(t, r, "objects")...)
				}
				if len(seen) != 5 || len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 5 {
					t.Fatalf("pages gave %v", seen)
				}
			}},
		{"3.5", "limit=0 is 400", call{path: hv + "objects/?limit=0", as: "alice"}, 400, wantError},
		{"3.5", "a next token the server did not issue is 400", call{path: hv + "objects/?next=%25%25", as: "alice"}, 400, wantError},
		{"3.4", "added_after keeps versions added later", call{path: hv + "objects/?added_after=2016-11-02T00:00:00Z", as: "alice"}, 200, wantLen(3, "objects")},
		{"3.4", "a malformed added_after is 400", call{path: hv + "objects/?added_after=yesterday", as: "alice"}, 400, wantError},
		{"3.4.1", "match[id] selects one object", call{path: hv + "objects/?match[id]=" + ind6770, as: "alice"}, 200, wantLen(1, "objects")},
		{"3.4.1", "match[type] selects by type", call{path: hv + "objects/?match[type]=indicator", as: "alice"}, 200, wantLen(2, "objects")},
		{"3.4.1", "match[type] takes a comma-separated list", call{path: hv + "objects/?match[type]=indicator,malware", as: "alice"}, 200, wantLen(3, "objects")},
		{"3.4.1", "match[version]=all returns every version", call{path: hv + "objects/?match[version]=all&match[id]=" + ind6770, as: "alice"}, 200, wantLen(3, "objects")},
		{"3.4.1", "match[version]=first returns the oldest version", call{path: hv + "objects/?match[version]=first&match[id]=" + ind6770, as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if v := versionsOf(t, r); len(v) != 1 || v[0] != "2016-11-03T12:30:59.000Z" {
					t.Fatalf("versions %v", v)
				}
			}},
		{"3.4.1", "match[version] with a timestamp returns that version", call{path: hv + "objects/?match[version]=2016-12-25T12:30:59.444Z", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if v := versionsOf(t, r); len(v) != 1 || v[0] != "2016-12-25T12:30:59.444Z" {
					t.Fatalf("versions %v", v)
				}
			}},
		{"3.4.1", "match[spec_version]=2.0 returns the STIX 2.0 version", call{path: hv + "objects/?match[spec_version]=2.0", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if got := ids(t, r, "objects"); len(got) != 1 || got[0] != mal {
					t.Fatalf("objects %v", got)
				}
			}},
		{"3.4.1", "match[spec_version] takes a list", call{path: hv + "objects/?match[spec_version]=2.0,2.1&match[version]=all&match[id]=" + mal, as: "alice"}, 200, wantLen(2, "objects")},
		{"3.4.1", "too many match values is 400, not a failed query", call{path: hv + "objects/?match[id]=" + strings.Repeat("x,", 1001), as: "alice"}, 400, wantError},
		{"3.4.1", "an unknown spec_version is 400", call{path: hv + "objects/?match[spec_version]=3.0", as: "alice"}, 400, wantError},
		{"3.4", "a match field the endpoint does not support is 400", call{path: hv + "objects/" + ind6770 + "/versions/?match[type]=indicator", as: "alice"}, 400, wantError},

		// Manifest, object by id, versions.
		{"5.3", "the manifest has one record per selected version", call{path: hv + "manifest/", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				recs := r.list(t, "objects")
				if len(recs) != 5 {
					t.Fatalf("%d records", len(recs))
				}
				for _, rec := range recs {
					m := rec.(map[string]any)
					if m["id"] == nil || m["date_added"] == nil || m["version"] == nil || m["media_type"] == nil {
						t.Fatalf("record %v lacks a field", m)
					}
				}
			}},
		{"5.3", "manifest records come in date_added order", call{path: hv + "manifest/?match[version]=all&match[spec_version]=2.0,2.1", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				var dates []string
				for _, rec := range r.list(t, "objects") {
					dates = append(dates, rec.(map[string]any)["date_added"].(string))
				}
				if len(dates) != 8 || !slices.IsSorted(dates) {
					t.Fatalf("dates %v", dates)
				}
			}},
		{"5.6", "an object by id is an envelope of its latest version", call{path: hv + "objects/" + ind6770 + "/", as: "alice"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				if v := versionsOf(t, r); len(v) != 1 || v[0] != "2017-01-27T13:49:53.935Z" {
					t.Fatalf("versions %v", v)
				}
			}},
		{"5.6", "an unknown object is 404", call{path: hv + "objects/indicator--00000000-0000-4000-8000-000000000000/", as: "alice"}, 404, wantError},
		{"5.8", "versions lists every version in date_added order", call{path: hv + "objects/" + ind6770 + "/versions/", as: "alice"}, 200,
			wantField("versions", []string{"2016-11-03T12:30:59.000Z", "2016-12-25T12:30:59.444Z", "2017-01-27T13:49:53.935Z"})},
		{"5.8", "versions pages with limit and more", call{path: hv + "objects/" + ind6770 + "/versions/?limit=1", as: "alice"}, 200,
			both(wantLen(1, "versions"), wantField("more", true))},

		// Authorisation per collection.
		{"5.4", "objects of a collection the key may not read are 403", call{path: secret + "objects/", as: "alice"}, 403, wantError},
		{"5.3", "the manifest of a write-only collection is 403", call{path: woColl + "manifest/", as: "alice"}, 403, wantError},
		{"5.4", "a screener key reads nothing over TAXII", call{path: hv + "objects/", as: "screener"}, 403, wantError},
		{"5.5", "POST to a read-only collection is 403", call{method: "POST", path: roColl + "objects/", as: "alice", body: envelope(indicator(newInd, "2024-01-01T00:00:00.000Z"))}, 403, wantError},

		// Adding objects and status.
		{"5.5", "POST with another Content-Type is 415", call{method: "POST", path: addColl + "objects/", as: "alice", ctype: "application/json", body: envelope(indicator(newInd, "2024-01-01T00:00:00.000Z"))}, 415, wantError},
		{"5.5", "POST of malformed JSON is 400", call{method: "POST", path: addColl + "objects/", as: "alice", body: `{"objects":[`}, 400, wantError},
		{"5.5", "POST beyond max_content_length is 413", call{method: "POST", path: addColl + "objects/", as: "alice", body: envelope(indicator(newInd, "2024-01-01T00:00:00.000Z"), `{"type":"note","id":"note--1","x":"`+strings.Repeat("a", 5000)+`"}`)}, 413, wantError},
		{"5.5", "POST of an envelope is 202 with a complete status resource", call{method: "POST", path: addColl + "objects/", as: "alice",
			body: envelope(indicator(newInd, "2024-01-01T00:00:00.000Z"), indicator(newInd, "2024-02-01T00:00:00.000Z"), `{"type":"indicator","spec_version":"2.1"}`)}, 202,
			func(t *testing.T, _ *fixture, r result) {
				m := r.obj(t)
				if m["status"] != "complete" || m["total_count"] != float64(3) || m["success_count"] != float64(2) || m["failure_count"] != float64(1) || m["pending_count"] != float64(0) {
					t.Fatalf("status = %s", r.body)
				}
				postedStatus = m["id"].(string)
			}},
		{"4.3", "the status of a POST can be read back by its poster", call{as: "alice"}, 200,
			func(t *testing.T, f *fixture, _ result) {
				r := f.do(t, call{path: tg + "status/" + postedStatus + "/", as: "alice"})
				if r.code != 200 || r.obj(t)["success_count"] != float64(2) {
					t.Fatalf("status: %d %s", r.code, r.body)
				}
				if r := f.do(t, call{path: tg + "status/" + postedStatus + "/", as: "bob"}); r.code != 404 {
					t.Fatalf("another member read the status: %d", r.code)
				}
			}},
		{"4.3.1", "an imported status keeps its counts and pendings", call{path: tg + "status/" + status1 + "/", as: "admin"}, 200,
			func(t *testing.T, _ *fixture, r result) {
				m := r.obj(t)
				if m["status"] != "pending" || m["total_count"] != float64(4) || m["pending_count"] != float64(2) || len(r.list(t, "pendings")) != 2 {
					t.Fatalf("status = %s", r.body)
				}
			}},
		{"5.5", "every POST and DELETE lands in the audit log with its status", call{}, 0,
			func(t *testing.T, f *fixture, _ result) {
				entries, err := f.store.Audit(t.Context(), 1000)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, e := range entries {
					if e.Member == "alice" && strings.HasPrefix(e.Action, "TAXII ") {
						got[fmt.Sprint(e.Action, " ", e.Status)]++
					}
				}
				if got["TAXII POST 202"] != 1 || got["TAXII POST 415"] != 1 || got["TAXII POST 413"] != 1 || got["TAXII POST 403"] != 1 {
					t.Fatalf("audit entries %v", got)
				}
			}},
		{"4.3", "an unknown status is 404", call{path: tg + "status/nope/", as: "admin"}, 404, wantError},
		{"5.4", "posted versions are served with date_added after the import", call{path: addColl + "objects/?match[version]=all", as: "bob"}, 200, wantLen(2, "objects")},

		// Deleting.
		{"5.7", "DELETE without write rights is 403", call{method: "DELETE", path: roColl + "objects/" + newInd + "/", as: "alice"}, 403, wantError},
		{"5.7", "DELETE removes the object, then it is 404", call{method: "DELETE", path: addColl + "objects/" + newInd + "/", as: "alice"}, 200,
			func(t *testing.T, f *fixture, _ result) {
				if r := f.do(t, call{path: addColl + "objects/" + newInd + "/", as: "alice"}); r.code != 404 {
					t.Fatalf("after DELETE: %d %s", r.code, r.body)
				}
			}},

		// The HTTP surface.
		{"3.1", "a method an endpoint lacks is 405 with Allow", call{method: "PUT", path: hv + "objects/", as: "alice", body: "{}"}, 405,
			func(t *testing.T, f *fixture, r result) {
				wantError(t, f, r)
				if a := r.header.Get("Allow"); a != "GET, POST" {
					t.Fatalf("Allow %q", a)
				}
			}},
		{"3.1", "an unknown endpoint is a TAXII 404", call{path: tg + "nothing/here/", as: "alice"}, 404, wantError},
		{"3.6", "errors carry the error resource", call{path: hv + "objects/?limit=x", as: "alice"}, 400,
			func(t *testing.T, f *fixture, r result) {
				wantError(t, f, r)
				if !strings.Contains(r.obj(t)["description"].(string), "limit") {
					t.Fatalf("description %s does not name the parameter", r.body)
				}
			}},
		{"1.6.8.1", "query parameters keep working with encoded brackets", call{path: hv + "objects/?" + q("match[type]") + "=malware", as: "alice"}, 200, wantLen(1, "objects")},
	}
}

// TestConformance runs the TAXII 2.1 conformance cases in order over one
// server holding medallion's data (the cases that POST and DELETE rely on
// the ones before them).
func TestConformance(t *testing.T) {
	f := newFixture(t, taxii.Config{MaxContentLength: 4096, MaxPageSize: 100})
	if _, err := taxii.ImportMedallion(t.Context(), f.store, medallionData(t)); err != nil {
		t.Fatal(err)
	}
	cases := conformanceCases()
	if len(cases) < 40 {
		t.Fatalf("%d conformance cases; the suite promises at least 40", len(cases))
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%02d §%s %s", i+1, c.section, c.name), func(t *testing.T) {
			var r result
			if c.call.path != "" {
				r = f.do(t, c.call)
				if r.code != c.want {
					t.Fatalf("HTTP %d, want %d: %s", r.code, c.want, r.body)
				}
			}
			if c.check != nil {
				c.check(t, f, r)
			}
		})
	}
}
