package taxii_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// TestPagesAcrossChunks reads a collection of 700 objects with 3 versions
// each (2,100 rows, more than one chunk of the server's reads) page by page
// with the default filters: every object appears once, as its last
// version, and the pages follow date_added.
func TestPagesAcrossChunks(t *testing.T) {
	f := newFixture(t, taxii.Config{})
	ctx := t.Context()
	if err := f.store.PutAPIRoot(ctx, taxii.APIRoot{Name: "r", Title: "R"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutCollection(ctx, taxii.Collection{APIRoot: "r", ID: "c", Title: "C", CanRead: true}); err != nil {
		t.Fatal(err)
	}
	const n = 700
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var objs []taxii.Object
	for v := range 3 { // versions interleave in date_added order
		for i := range n {
			mod := t0.Add(time.Duration(v) * time.Hour)
			id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
			ver := mod.Format("2006-01-02T15:04:05.000Z")
			objs = append(objs, taxii.Object{ID: id, Type: "indicator", SpecVersion: "2.1", Version: ver, VersionTime: mod,
				MediaType: taxii.STIXMediaType("2.1"), Body: []byte(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"modified":%q}`, id, ver))})
		}
	}
	if _, err := f.store.AddObjects(ctx, "r", "c", objs); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	path, pages, lastDate := "/taxii2/r/collections/c/objects/?limit=97", 0, ""
	for {
		r := f.do(t, call{path: path, as: "alice"})
		if r.code != 200 {
			t.Fatalf("HTTP %d %s", r.code, r.body)
		}
		pages++
		if d := r.header.Get("X-TAXII-Date-Added-First"); d < lastDate {
			t.Fatalf("page %d starts at %s, before the previous page's end %s", pages, d, lastDate)
		}
		lastDate = r.header.Get("X-TAXII-Date-Added-Last")
		for _, o := range r.list(t, "objects") {
			m := o.(map[string]any)
			seen[m["id"].(string)]++
			if m["modified"] != "2024-01-01T02:00:00.000Z" {
				t.Fatalf("%s served at %s, not its last version", m["id"], m["modified"])
			}
		}
		next, _ := r.obj(t)["next"].(string)
		if next == "" {
			break
		}
		path = "/taxii2/r/collections/c/objects/?limit=97&next=" + url.QueryEscape(next)
	}
	if len(seen) != n || pages != (n+96)/97 {
		t.Fatalf("%d objects in %d pages, want %d in %d", len(seen), pages, n, (n+96)/97)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("%s served %d times", id, c)
		}
	}
}
