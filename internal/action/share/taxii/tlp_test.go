package taxii_test

import (
	"fmt"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// TestTLPMatrix checks, for each TLP marking and each kind of caller, who
// can read an object alice posted, and for each role and collection who can
// write.
func TestTLPMatrix(t *testing.T) {
	f := newFixture(t, taxii.Config{})
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.store.PutAPIRoot(ctx, taxii.APIRoot{Name: "isac", Title: "ISAC"}))
	must(f.store.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "shared", Title: "Shared", CanRead: true, CanWrite: true}))
	must(f.store.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "ro", Title: "Read only", CanRead: true}))
	must(f.store.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "closed", Title: "Closed"}))
	must(f.store.PutGrant(ctx, taxii.Grant{APIRoot: "isac", Collection: "shared", Principal: taxii.MemberPrincipal("bob"), Read: true, Write: true, Amber: true}))
	must(f.store.PutGrant(ctx, taxii.Grant{APIRoot: "isac", Collection: "ro", Principal: taxii.KeyPrincipal(f.ids["carol"]), Read: true, Write: true}))
	must(f.store.PutGrant(ctx, taxii.Grant{APIRoot: "isac", Collection: "closed", Principal: taxii.MemberPrincipal("bob"), Read: true}))

	markings := []struct {
		name string
		ref  string
	}{
		{"no marking", ""},
		{"TLP:CLEAR", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
		{"TLP:GREEN", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
		{"TLP:AMBER", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
		{"TLP:AMBER+STRICT", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
		{"TLP:RED", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
		{"TLP 1.0 WHITE", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
		{"TLP 1.0 AMBER", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
		{"TLP 1.0 RED", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"},
	}
	// Read outcome per marking for: alice (poster), bob (AMBER grant),
	// carol (no grant), admin (no AMBER grant), screener.
	readers := []string{"alice", "bob", "carol", "admin", "screener"}
	want := map[string][]int{
		"no marking":       {200, 200, 200, 200, 403},
		"TLP:CLEAR":        {200, 200, 200, 200, 403},
		"TLP:GREEN":        {200, 200, 200, 200, 403},
		"TLP:AMBER":        {200, 200, 404, 404, 403},
		"TLP:AMBER+STRICT": {200, 200, 404, 404, 403},
		"TLP:RED":          {200, 404, 404, 404, 403},
		"TLP 1.0 WHITE":    {200, 200, 200, 200, 403},
		"TLP 1.0 AMBER":    {200, 200, 404, 404, 403},
		"TLP 1.0 RED":      {200, 404, 404, 404, 403},
	}
	const coll = "/taxii2/isac/collections/shared/"
	for i, m := range markings {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		refs := ""
		if m.ref != "" {
			refs = fmt.Sprintf(`,"object_marking_refs":[%q]`, m.ref)
		}
		body := fmt.Sprintf(`{"objects":[{"type":"indicator","spec_version":"2.1","id":%q,"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z"%s}]}`, id, refs)
		if r := f.do(t, call{method: "POST", path: coll + "objects/", as: "alice", body: body}); r.code != 202 || r.obj(t)["success_count"] != float64(1) {
			t.Fatalf("alice posting %s: %d %s", m.name, r.code, r.body)
		}
		for j, who := range readers {
			t.Run(fmt.Sprintf("%s is read by %s with HTTP %d", m.name, who, want[m.name][j]), func(t *testing.T) {
				if r := f.do(t, call{path: coll + "objects/" + id + "/", as: who}); r.code != want[m.name][j] {
					t.Fatalf("HTTP %d: %s", r.code, r.body)
				}
			})
		}
	}
	t.Run("collection lists hide what the reader may not see", func(t *testing.T) {
		for who, n := range map[string]int{"alice": 9, "bob": 7, "carol": 4, "admin": 4} {
			if got := len(f.do(t, call{path: coll + "objects/", as: who}).list(t, "objects")); got != n {
				t.Errorf("%s sees %d objects, want %d", who, got, n)
			}
			if got := len(f.do(t, call{path: coll + "manifest/", as: who}).list(t, "objects")); got != n {
				t.Errorf("%s's manifest has %d records, want %d", who, got, n)
			}
		}
	})

	// Write outcome per collection for: admin, alice, bob, carol, screener.
	writers := []string{"admin", "alice", "bob", "carol", "screener"}
	writes := map[string][]int{
		"shared": {202, 202, 202, 202, 403}, // defaults allow writing
		"ro":     {202, 403, 403, 202, 403}, // carol's key is granted write
		"closed": {202, 403, 403, 403, 403}, // bob's member grant reads only
	}
	reads := map[string][]int{
		"shared": {200, 200, 200, 200, 403},
		"ro":     {200, 200, 200, 200, 403},
		"closed": {200, 403, 200, 403, 403},
	}
	for _, c := range []string{"shared", "ro", "closed"} {
		for j, who := range writers {
			t.Run(fmt.Sprintf("%s writes to %s with HTTP %d and reads with %d", who, c, writes[c][j], reads[c][j]), func(t *testing.T) {
				body := fmt.Sprintf(`{"objects":[{"type":"note","spec_version":"2.1","id":"note--00000000-0000-4000-8000-0000000000%02d","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","content":"x","object_refs":["x--1"]}]}`, j)
				if r := f.do(t, call{method: "POST", path: "/taxii2/isac/collections/" + c + "/objects/", as: who, body: body}); r.code != writes[c][j] {
					t.Fatalf("POST: HTTP %d: %s", r.code, r.body)
				}
				if r := f.do(t, call{path: "/taxii2/isac/collections/" + c + "/objects/", as: who}); r.code != reads[c][j] {
					t.Fatalf("GET: HTTP %d: %s", r.code, r.body)
				}
			})
		}
	}
}

// TestVisibleRule pins the rule the stores implement in SQL.
func TestVisibleRule(t *testing.T) {
	for _, tc := range []struct {
		v     taxii.Viewer
		tlp   taxii.TLP
		owner string
		want  bool
	}{
		{taxii.Viewer{Member: "a"}, taxii.TLPRed, "a", true},
		{taxii.Viewer{Member: "a", Amber: true}, taxii.TLPRed, "b", false},
		{taxii.Viewer{Member: ""}, taxii.TLPRed, "", false},
		{taxii.Viewer{Member: "a"}, taxii.TLPAmber, "b", false},
		{taxii.Viewer{Member: "a", Amber: true}, taxii.TLPAmberStrict, "b", true},
		{taxii.Viewer{Member: "a"}, taxii.TLPAmberStrict, "a", true},
		{taxii.Viewer{Member: "a"}, taxii.TLPGreen, "", true},
		{taxii.Viewer{}, taxii.TLPNone, "", true},
	} {
		t.Run(fmt.Sprintf("%+v reading %q owned by %q: %v", tc.v, tc.tlp, tc.owner, tc.want), func(t *testing.T) {
			if got := taxii.Visible(tc.v, tc.tlp, tc.owner); got != tc.want {
				t.Fatalf("Visible = %v", got)
			}
		})
	}
}
