package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// RunTAXII is the contract suite of taxii.Store. open must return a fresh,
// empty store and arrange its closing with t.Cleanup.
func RunTAXII(t *testing.T, open func(t *testing.T) taxii.Store) {
	for _, c := range taxiiCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, open(t))
		})
	}
}

type taxiiCase struct {
	name string
	run  func(t *testing.T, s taxii.Store)
}

// taxiiObject builds version v (0-based) of object n, marked tlp, owned by
// owner.
func taxiiObject(n, v int, tlp taxii.TLP, owner string) taxii.Object {
	id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)
	mod := base.UTC().Truncate(time.Millisecond).Add(time.Duration(v) * time.Hour)
	ver := mod.Format("2006-01-02T15:04:05.000Z")
	body := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"pattern":"[ipv4-addr:value = '10.0.0.%d']"}`,
		id, ver, ver, n%250)
	return taxii.Object{ID: id, Type: "indicator", SpecVersion: "2.1", Version: ver, VersionTime: mod,
		MediaType: taxii.STIXMediaType("2.1"), Owner: owner, TLP: tlp, Body: json.RawMessage(body)}
}

// taxiiSetup stores root r1 with collection c1.
func taxiiSetup(t *testing.T, s taxii.Store) {
	t.Helper()
	must(t, "PutAPIRoot", s.PutAPIRoot(ctx(t), taxii.APIRoot{Name: "r1", Title: "Root one", Versions: []string{taxii.MediaType}, MaxContentLength: 1000}))
	must(t, "PutCollection", s.PutCollection(ctx(t), taxii.Collection{APIRoot: "r1", ID: "c1", Title: "One", CanRead: true, MediaTypes: []string{taxii.STIXMediaType("2.1")}}))
}

func metaIDs(objs []taxii.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.ID + "@" + o.Version
	}
	return out
}

func taxiiCases() []taxiiCase {
	return []taxiiCase{
		{"discovery is empty until stored, then returned as stored", func(t *testing.T, s taxii.Store) {
			d, err := s.Discovery(ctx(t))
			must(t, "Discovery", err)
			if d != (taxii.Discovery{}) {
				t.Fatalf("fresh store discovery = %+v", d)
			}
			want := taxii.Discovery{Title: "T", Description: "D", Contact: "C", Default: "r1"}
			must(t, "PutDiscovery", s.PutDiscovery(ctx(t), want))
			must(t, "PutDiscovery again", s.PutDiscovery(ctx(t), want))
			if d, err = s.Discovery(ctx(t)); err != nil || d != want {
				t.Fatalf("Discovery = %+v, %v", d, err)
			}
		}},
		{"API roots are listed by name and replaced in place", func(t *testing.T, s taxii.Store) {
			for _, n := range []string{"b", "a"} {
				must(t, "PutAPIRoot", s.PutAPIRoot(ctx(t), taxii.APIRoot{Name: n, Title: n, Versions: []string{taxii.MediaType}, MaxContentLength: 10}))
			}
			must(t, "PutAPIRoot", s.PutAPIRoot(ctx(t), taxii.APIRoot{Name: "b", Title: "B2", Versions: []string{taxii.MediaType}, MaxContentLength: 20}))
			roots, err := s.APIRoots(ctx(t))
			must(t, "APIRoots", err)
			if len(roots) != 2 || roots[0].Name != "a" || roots[1].Title != "B2" || roots[1].MaxContentLength != 20 || roots[1].Versions[0] != taxii.MediaType {
				t.Fatalf("roots = %+v", roots)
			}
		}},
		{"a collection needs its root and keeps its creation order when replaced", func(t *testing.T, s taxii.Store) {
			wantErr(t, "collection without root", s.PutCollection(ctx(t), taxii.Collection{APIRoot: "nope", ID: "x"}), taxii.ErrNotFound)
			taxiiSetup(t, s)
			must(t, "PutCollection c2", s.PutCollection(ctx(t), taxii.Collection{APIRoot: "r1", ID: "c2", Title: "Two", Alias: "two", CanWrite: true}))
			must(t, "replace c1", s.PutCollection(ctx(t), taxii.Collection{APIRoot: "r1", ID: "c1", Title: "One again", CanRead: false, CanWrite: true}))
			cs, err := s.Collections(ctx(t), "r1")
			must(t, "Collections", err)
			if len(cs) != 2 || cs[0].ID != "c1" || cs[0].Title != "One again" || cs[0].CanRead || !cs[0].CanWrite || cs[1].Alias != "two" {
				t.Fatalf("collections = %+v", cs)
			}
			if cs, err := s.Collections(ctx(t), "other"); err != nil || len(cs) != 0 {
				t.Fatalf("collections of an unknown root = %v, %v", cs, err)
			}
		}},
		{"objects go only into an existing collection", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			_, err := s.AddObjects(ctx(t), "r1", "missing", []taxii.Object{taxiiObject(1, 0, "", "m")})
			wantErr(t, "AddObjects to a missing collection", err, taxii.ErrNotFound)
		}},
		{"a version already held is not added twice", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			n, err := s.AddObjects(ctx(t), "r1", "c1", []taxii.Object{taxiiObject(1, 0, "", "m"), taxiiObject(1, 1, "", "m")})
			must(t, "AddObjects", err)
			if n != 2 {
				t.Fatalf("added %d, want 2", n)
			}
			n, err = s.AddObjects(ctx(t), "r1", "c1", []taxii.Object{taxiiObject(1, 1, "", "m"), taxiiObject(1, 2, "", "m")})
			must(t, "AddObjects again", err)
			metas, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{})
			must(t, "ObjectMetas", err)
			if n != 1 || len(metas) != 3 {
				t.Fatalf("second add: %d new, %d stored; want 1 and 3", n, len(metas))
			}
		}},
		{"assigned date_added values strictly increase past every stored one", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			future := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
			imported := taxiiObject(0, 0, "", "")
			imported.DateAdded = future
			_, err := s.AddObjects(ctx(t), "r1", "c1", []taxii.Object{imported})
			must(t, "AddObjects imported", err)
			var batch []taxii.Object
			for i := 1; i <= 50; i++ {
				batch = append(batch, taxiiObject(i, 0, "", "m"))
			}
			_, err = s.AddObjects(ctx(t), "r1", "c1", batch)
			must(t, "AddObjects batch", err)
			metas, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{})
			must(t, "ObjectMetas", err)
			if len(metas) != 51 || !metas[0].DateAdded.Equal(future) || metas[0].DateAdded.Location() != time.UTC {
				t.Fatalf("first version %+v, want the imported one at %v", metas[0], future)
			}
			for i := 1; i < len(metas); i++ {
				if !metas[i].DateAdded.After(metas[i-1].DateAdded) {
					t.Fatalf("date_added %d (%v) is not after %d (%v)", i, metas[i].DateAdded, i-1, metas[i-1].DateAdded)
				}
			}
		}},
		{"metadata comes back as stored, ordered by date_added then insertion, filtered", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			t0 := base.UTC().Truncate(time.Microsecond)
			objs := []taxii.Object{taxiiObject(3, 0, "", ""), taxiiObject(1, 0, "", ""), taxiiObject(2, 0, "", ""), taxiiObject(1, 1, "", "")}
			for i, at := range []time.Duration{2, 1, 1, 3} {
				objs[i].DateAdded = t0.Add(at * time.Second)
			}
			objs[2].Type, objs[2].ID = "malware", "malware--00000000-0000-4000-8000-000000000002"
			_, err := s.AddObjects(ctx(t), "r1", "c1", objs)
			must(t, "AddObjects", err)
			metas, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{})
			must(t, "ObjectMetas", err)
			want := []string{objs[1].ID + "@" + objs[1].Version, objs[2].ID + "@" + objs[2].Version, objs[0].ID + "@" + objs[0].Version, objs[3].ID + "@" + objs[3].Version}
			if got := metaIDs(metas); !slices.Equal(got, want) {
				t.Fatalf("order = %v, want %v", got, want)
			}
			m := metas[3]
			if m.Body != nil || m.Type != "indicator" || m.SpecVersion != "2.1" || m.MediaType != taxii.STIXMediaType("2.1") ||
				!m.VersionTime.Equal(objs[3].VersionTime) || m.VersionTime.Location() != time.UTC || m.Seq == 0 {
				t.Fatalf("meta = %+v", m)
			}
			for _, tc := range []struct {
				q    taxii.MetaQuery
				want int
			}{
				{taxii.MetaQuery{AddedAfter: t0.Add(time.Second)}, 2},
				{taxii.MetaQuery{IDs: []string{objs[1].ID}}, 2},
				{taxii.MetaQuery{Types: []string{"malware"}}, 1},
				{taxii.MetaQuery{Types: []string{"malware", "indicator"}, IDs: []string{objs[0].ID, objs[2].ID}}, 2},
				{taxii.MetaQuery{Limit: 3}, 3},
				{taxii.MetaQuery{After: &taxii.Position{DateAdded: metas[1].DateAdded, Seq: metas[1].Seq}}, 2},
				{taxii.MetaQuery{After: &taxii.Position{DateAdded: metas[0].DateAdded, Seq: metas[0].Seq}, Limit: 1, Types: []string{"indicator"}}, 1},
			} {
				got, err := s.ObjectMetas(ctx(t), "r1", "c1", tc.q)
				must(t, "ObjectMetas filtered", err)
				if len(got) != tc.want {
					t.Errorf("query %+v: %d versions, want %d", tc.q, len(got), tc.want)
				}
			}
			// metas[1] and metas[0] share a date_added: After must break the
			// tie by insertion, and a page after metas[0] starts at metas[1].
			got, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{After: &taxii.Position{DateAdded: metas[0].DateAdded, Seq: metas[0].Seq}})
			must(t, "ObjectMetas after", err)
			if ids := metaIDs(got); !slices.Equal(ids, want[1:]) {
				t.Errorf("after the first version: %v, want %v", ids, want[1:])
			}
		}},
		{"TLP visibility in the store is taxii.Visible", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			var objs []taxii.Object
			i := 0
			for _, tlp := range []taxii.TLP{taxii.TLPNone, taxii.TLPClear, taxii.TLPGreen, taxii.TLPAmber, taxii.TLPAmberStrict, taxii.TLPRed} {
				for _, owner := range []string{"", "alice", "bob"} {
					objs = append(objs, taxiiObject(i, 0, tlp, owner))
					i++
				}
			}
			_, err := s.AddObjects(ctx(t), "r1", "c1", objs)
			must(t, "AddObjects", err)
			for _, v := range []taxii.Viewer{{Member: "alice"}, {Member: "alice", Amber: true}, {Member: "carol"}, {Member: "carol", Amber: true}, {Member: ""}} {
				got, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{Viewer: v})
				must(t, "ObjectMetas", err)
				var want []string
				for _, o := range objs {
					if taxii.Visible(v, o.TLP, o.Owner) {
						want = append(want, o.ID+"@"+o.Version)
					}
				}
				if g := metaIDs(got); !slices.Equal(g, want) {
					t.Errorf("viewer %+v sees %v, want %v", v, g, want)
				}
			}
		}},
		{"bodies come back byte for byte and deletes remove only the given versions", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			objs := []taxii.Object{taxiiObject(1, 0, "", "m"), taxiiObject(1, 1, "", "m"), taxiiObject(2, 0, "", "m")}
			objs[2].Body = json.RawMessage(`{"id":"indicator--00000000-0000-4000-8000-000000000002",  "type":"indicator", "x_unicode":"é\u00e9"}`)
			_, err := s.AddObjects(ctx(t), "r1", "c1", objs)
			must(t, "AddObjects", err)
			metas, err := s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{})
			must(t, "ObjectMetas", err)
			seqs := []int64{metas[0].Seq, metas[1].Seq, metas[2].Seq}
			bodies, err := s.ObjectBodies(ctx(t), seqs)
			must(t, "ObjectBodies", err)
			for i, o := range objs {
				if string(bodies[seqs[i]]) != string(o.Body) {
					t.Errorf("body %d = %s, want %s", i, bodies[seqs[i]], o.Body)
				}
			}
			must(t, "DeleteObjects", s.DeleteObjects(ctx(t), "r1", "c1", []int64{seqs[0]}))
			must(t, "DeleteObjects in another collection", s.DeleteObjects(ctx(t), "r1", "other", []int64{seqs[1]}))
			metas, err = s.ObjectMetas(ctx(t), "r1", "c1", taxii.MetaQuery{})
			must(t, "ObjectMetas", err)
			if len(metas) != 2 || metas[0].Seq != seqs[1] {
				t.Fatalf("after delete: %v", metaIDs(metas))
			}
			bodies, err = s.ObjectBodies(ctx(t), seqs)
			must(t, "ObjectBodies", err)
			if _, ok := bodies[seqs[0]]; ok || len(bodies) != 2 {
				t.Fatalf("bodies after delete: %d", len(bodies))
			}
		}},
		{"status resources round-trip and unknown ones are not found", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			_, err := s.Status(ctx(t), "r1", "nope")
			wantErr(t, "Status unknown", err, taxii.ErrNotFound)
			st := taxii.Status{APIRoot: "r1", ID: "s1", Owner: "alice", Status: "pending", RequestTimestamp: base, TotalCount: 4,
				Successes: []taxii.StatusDetail{{ID: "a", Version: "v", Message: "ok"}},
				Failures:  []taxii.StatusDetail{{ID: "b", Message: "bad"}},
				Pendings:  []taxii.StatusDetail{{ID: "c"}, {ID: "d"}}}
			must(t, "PutStatus", s.PutStatus(ctx(t), st))
			got, err := s.Status(ctx(t), "r1", "s1")
			must(t, "Status", err)
			checkTime(t, "request_timestamp", got.RequestTimestamp, base)
			got.RequestTimestamp = st.RequestTimestamp
			if fmt.Sprint(got) != fmt.Sprint(st) {
				t.Fatalf("status = %+v, want %+v", got, st)
			}
			st.Status, st.Pendings = "complete", nil
			must(t, "PutStatus replace", s.PutStatus(ctx(t), st))
			if got, _ := s.Status(ctx(t), "r1", "s1"); got.Status != "complete" || len(got.Pendings) != 0 {
				t.Fatalf("replaced status = %+v", got)
			}
			if _, err := s.Status(ctx(t), "r2", "s1"); err == nil {
				t.Fatal("a status is visible under another root")
			}
		}},
		{"grants round-trip per collection and are replaced by principal", func(t *testing.T, s taxii.Store) {
			taxiiSetup(t, s)
			g := taxii.Grant{APIRoot: "r1", Collection: "c1", Principal: taxii.MemberPrincipal("acme"), Read: true, Amber: true}
			must(t, "PutGrant", s.PutGrant(ctx(t), g))
			must(t, "PutGrant key", s.PutGrant(ctx(t), taxii.Grant{APIRoot: "r1", Collection: "c1", Principal: taxii.KeyPrincipal("k1"), Write: true}))
			g.Amber = false
			must(t, "PutGrant replace", s.PutGrant(ctx(t), g))
			gs, err := s.Grants(ctx(t), "r1", "c1")
			must(t, "Grants", err)
			if len(gs) != 2 || gs[0].Principal != "key:k1" || !gs[0].Write || gs[1] != g {
				t.Fatalf("grants = %+v", gs)
			}
			if gs, _ := s.Grants(ctx(t), "r1", "c2"); len(gs) != 0 {
				t.Fatalf("grants leak across collections: %+v", gs)
			}
		}},
		{"client state is empty until set and then overwritten", func(t *testing.T, s taxii.Store) {
			v, err := s.ClientState(ctx(t), "pull:x")
			must(t, "ClientState", err)
			if v != "" {
				t.Fatalf("fresh state = %q", v)
			}
			must(t, "PutClientState", s.PutClientState(ctx(t), "pull:x", "a"))
			must(t, "PutClientState", s.PutClientState(ctx(t), "pull:x", "b"))
			if v, _ := s.ClientState(ctx(t), "pull:x"); v != "b" {
				t.Fatalf("state = %q, want b", v)
			}
		}},
	}
}
