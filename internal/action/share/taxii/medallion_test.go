package taxii_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// fileView is what medallion's data file holds, read independently of the
// importer.
type fileRoot struct {
	Information map[string]any `json:"information"`
	Status      []map[string]any
	Collections []struct {
		ID         string           `json:"id"`
		Title      string           `json:"title"`
		CanRead    bool             `json:"can_read"`
		CanWrite   bool             `json:"can_write"`
		MediaTypes []string         `json:"media_types"`
		Objects    []map[string]any `json:"objects"`
		Manifest   []struct {
			ID        string `json:"id"`
			DateAdded string `json:"date_added"`
			Version   string `json:"version"`
			MediaType string `json:"media_type"`
		} `json:"manifest"`
	} `json:"collections"`
}

// normTime writes a timestamp with microseconds, as the server does, so
// "…59.001Z" and "…59.001000Z" compare equal.
func normTime(t *testing.T, s string) string {
	t.Helper()
	ts, err := taxii.ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return taxii.FormatTimestamp(ts)
}

// TestMedallionImportServesTheFile imports medallion's data file and checks
// through HTTP that a client sees what the file holds: the roots, the
// collections with their permissions, per collection every version with its
// date_added and media type in date_added order, the objects themselves,
// and the status resources.
func TestMedallionImportServesTheFile(t *testing.T) {
	data := medallionData(t)
	f := newFixture(t, taxii.Config{MaxContentLength: 10 << 20})
	rep, err := taxii.ImportMedallion(t.Context(), f.store, data)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	roots := map[string]fileRoot{}
	versions, statuses := 0, 0
	for name, raw := range file {
		if name == "/discovery" {
			continue
		}
		var r fileRoot
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		roots[name] = r
		statuses += len(r.Status)
		for _, c := range r.Collections {
			versions += len(c.Objects)
		}
	}
	if rep.APIRoots != len(roots) || rep.Objects != versions || rep.Statuses != statuses {
		t.Fatalf("report %+v; the file has %d roots, %d versions, %d statuses", rep, len(roots), versions, statuses)
	}
	for name, fr := range roots {
		t.Run("API root "+name+" answers the file's information", func(t *testing.T) {
			r := f.do(t, call{path: "/taxii2/" + name + "/", as: "alice"})
			got := r.obj(t)
			for _, k := range []string{"title", "description", "versions", "max_content_length"} {
				if fmt.Sprint(got[k]) != fmt.Sprint(fr.Information[k]) {
					t.Errorf("%s = %v, file has %v", k, got[k], fr.Information[k])
				}
			}
		})
		t.Run("API root "+name+" lists the file's collections with their permissions for analysts", func(t *testing.T) {
			r := f.do(t, call{path: "/taxii2/" + name + "/collections/", as: "alice"})
			got := r.list(t, "collections")
			if len(got) != len(fr.Collections) {
				t.Fatalf("%d collections, file has %d", len(got), len(fr.Collections))
			}
			for i, c := range fr.Collections {
				g := got[i].(map[string]any)
				if g["id"] != c.ID || g["title"] != c.Title || g["can_read"] != c.CanRead || g["can_write"] != c.CanWrite ||
					fmt.Sprint(g["media_types"]) != fmt.Sprint(c.MediaTypes) {
					t.Errorf("collection %d = %v, file has %+v", i, g, c)
				}
			}
		})
		for _, c := range fr.Collections {
			base := "/taxii2/" + name + "/collections/" + c.ID + "/"
			all := "?match[version]=all&match[spec_version]=2.0,2.1&limit=3"
			t.Run("collection "+c.ID+" manifest equals the file's, in date_added order, across pages", func(t *testing.T) {
				var want, got []string
				for _, m := range c.Manifest {
					want = append(want, strings.Join([]string{normTime(t, m.DateAdded), m.ID, m.Version, m.MediaType}, " "))
				}
				sort.SliceStable(want, func(i, j int) bool { return want[i][:27] < want[j][:27] })
				path := base + "manifest/" + all
				for {
					r := f.do(t, call{path: path, as: "admin"})
					if r.code != 200 {
						t.Fatalf("HTTP %d %s", r.code, r.body)
					}
					for _, rec := range r.list(t, "objects") {
						m := rec.(map[string]any)
						got = append(got, fmt.Sprintf("%s %s %s %s", m["date_added"], m["id"], m["version"], m["media_type"]))
					}
					next, _ := r.obj(t)["next"].(string)
					if next == "" {
						break
					}
					path = base + "manifest/" + all + "&next=" + next
				}
				if !slices.Equal(got, want) {
					t.Fatalf("manifest\n got %v\nwant %v", got, want)
				}
			})
			t.Run("collection "+c.ID+" serves every object version of the file, equal as JSON", func(t *testing.T) {
				r := f.do(t, call{path: base + "objects/?match[version]=all&match[spec_version]=2.0,2.1", as: "admin"})
				got := r.list(t, "objects")
				if len(got) != len(c.Objects) {
					t.Fatalf("%d versions served, the file has %d", len(got), len(c.Objects))
				}
				key := func(o map[string]any) string { return fmt.Sprint(o["id"], o["modified"], o["created"]) }
				want := map[string]map[string]any{}
				for _, o := range c.Objects {
					delete(o, "__meta")
					want[key(o)] = o
				}
				for _, g := range got {
					o := g.(map[string]any)
					if !reflect.DeepEqual(o, want[key(o)]) {
						t.Errorf("served %v\nfile has %v", o, want[key(o)])
					}
				}
			})
		}
		for _, st := range fr.Status {
			t.Run("status "+fmt.Sprint(st["id"])+" is served as in the file", func(t *testing.T) {
				r := f.do(t, call{path: "/taxii2/" + name + "/status/" + st["id"].(string) + "/", as: "admin"})
				got := r.obj(t)
				for _, k := range []string{"status", "success_count", "failure_count", "pending_count", "successes", "failures", "pendings"} {
					w := st[k]
					if l, ok := w.([]any); ok && len(l) == 0 {
						w = nil
					}
					if fmt.Sprint(got[k]) != fmt.Sprint(w) {
						t.Errorf("%s = %v, file has %v", k, got[k], w)
					}
				}
				if got["request_timestamp"] != normTime(t, st["request_timestamp"].(string)) {
					t.Errorf("request_timestamp = %v", got["request_timestamp"])
				}
			})
		}
	}
	t.Run("importing the file twice adds nothing", func(t *testing.T) {
		if _, err := taxii.ImportMedallion(t.Context(), f.store, data); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, call{path: hv + "objects/?match[version]=all&match[spec_version]=2.0,2.1", as: "admin"})
		if n := len(r.list(t, "objects")); n != 8 {
			t.Fatalf("%d versions after a second import, want 8", n)
		}
	})
}

func TestMedallionImportRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"a file that is not JSON", `{`, "medallion data file"},
		{"an API root that is not an object", `{"r":[1]}`, `medallion API root "r"`},
		{"a collection without id", `{"r":{"information":{"title":"t"},"collections":[{"title":"x"}]}}`, "has no id"},
		{"an object without a manifest entry", `{"r":{"information":{"title":"t"},"collections":[{"id":"c","objects":[{"type":"indicator","id":"indicator--1","created":"2020-01-01T00:00:00Z"}]}]}}`, "no manifest entry"},
		{"an object with a bad id", `{"r":{"information":{"title":"t"},"collections":[{"id":"c","objects":[{"type":"indicator","id":"malware--1"}]}]}}`, "not of the form"},
		{"a root name with a slash", `{"a/b":{"information":{"title":"t"}}}`, "one URL path segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := taxii.ImportMedallion(t.Context(), openStore(t), []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
