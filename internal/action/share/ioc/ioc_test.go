package ioc_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/share/ioc"
	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/store/sqlite"
)

// indicator is one stored indicator version.
type indicator struct {
	id, pattern, patternType string
	modified                 string
	tlp                      taxii.TLP
	owner                    string
	revoked                  bool
	validUntil               string
}

func (in indicator) object(t *testing.T) taxii.Object {
	t.Helper()
	m := map[string]any{"type": "indicator", "spec_version": "2.1", "id": in.id,
		"created": "2026-01-01T00:00:00.000Z", "modified": in.modified, "name": "test " + in.id,
		"pattern": in.pattern, "pattern_type": in.patternType, "valid_from": "2026-01-01T00:00:00Z"}
	if in.patternType == "" {
		m["pattern_type"] = "stix"
	}
	if in.revoked {
		m["revoked"] = true
	}
	if in.validUntil != "" {
		m["valid_until"] = in.validUntil
	}
	if ref := taxii.TLPMarkingID(in.tlp); ref != "" {
		m["object_marking_refs"] = []string{ref}
	}
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	vt, err := time.Parse(time.RFC3339Nano, in.modified)
	if err != nil {
		t.Fatal(err)
	}
	return taxii.Object{ID: in.id, Type: "indicator", SpecVersion: "2.1", Version: in.modified, VersionTime: vt,
		MediaType: "application/stix+json;version=2.1", Owner: in.owner, TLP: in.tlp, Body: body}
}

func id(n int) string { return fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n) }

// TestMatchEvaluatesPatternsWithTheReadersRights: observables are matched by
// evaluating the patterns (LIKE, ISSUBSET, hashes in either case, EVM
// addresses in any spelling), against the latest version of current
// indicators only, and each key sees only the indicators TAXII would show it.
func TestMatchEvaluatesPatternsWithTheReadersRights(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "state.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutAPIRoot(ctx, taxii.APIRoot{Name: "isac", Title: "ISAC"}))
	must(st.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "shared", Title: "Shared", CanRead: true, CanWrite: true}))
	must(st.PutCollection(ctx, taxii.Collection{APIRoot: "isac", ID: "closed", Title: "Closed"}))
	must(st.PutGrant(ctx, taxii.Grant{APIRoot: "isac", Collection: "shared", Principal: taxii.MemberPrincipal("bob"), Read: true, Amber: true}))

	v1, v2 := "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"
	shared := []indicator{
		{id: id(1), pattern: "[domain-name:value LIKE '%.evil-exchange.com']", modified: v1, tlp: taxii.TLPGreen},
		{id: id(2), pattern: "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", modified: v1, tlp: taxii.TLPClear},
		{id: id(3), pattern: "[file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']", modified: v1, tlp: taxii.TLPGreen},
		{id: id(4), pattern: "[cryptocurrency-wallet:address = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96']", modified: v1, tlp: taxii.TLPAmber},
		{id: id(5), pattern: "[email-addr:value = 'recruiter@jobs-example.com']", modified: v1, tlp: taxii.TLPRed, owner: "alice"},
		{id: id(6), pattern: "[domain-name:value = 'revoked.example']", modified: v1, revoked: true},
		{id: id(7), pattern: "[domain-name:value = 'expired.example']", modified: v1, validUntil: "2026-06-01T00:00:00Z"},
		{id: id(8), pattern: "[domain-name:value = 'old.example']", modified: v1},
		{id: id(8), pattern: "[domain-name:value = 'new.example']", modified: v2},
		{id: id(9), pattern: "title: sigma rule", patternType: "sigma", modified: v1},
	}
	var objs []taxii.Object
	for _, in := range shared {
		objs = append(objs, in.object(t))
	}
	_, err = st.AddObjects(ctx, "isac", "shared", objs)
	must(err)
	_, err = st.AddObjects(ctx, "isac", "closed", []taxii.Object{
		indicator{id: id(10), pattern: "[domain-name:value = 'closed.example']", modified: v1}.object(t)})
	must(err)

	alice := auth.Key{ID: "k-alice", Member: "alice", Role: auth.RoleAnalyst}
	bob := auth.Key{ID: "k-bob", Member: "bob", Role: auth.RoleAnalyst}
	screener := auth.Key{ID: "k-scr", Member: "alice", Role: auth.RoleScreener}
	m := ioc.New(st, ioc.DefaultConfig())
	obs := []ioc.Observable{
		{Kind: "domain", Value: "Login.Evil-Exchange.com."},                                         // 0 → 1
		{Kind: "ipv4", Value: "198.51.100.7"},                                                       // 1 → 2
		{Kind: "sha256", Value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, // 2 → 3
		{Kind: "address", Value: "0x098b716b8aaf21512996dc57eb0615e2383e2f96", Currency: "eth"},     // 3 → 4 (AMBER)
		{Kind: "email", Value: "Recruiter@Jobs-Example.com"},                                        // 4 → 5 (RED, alice's)
		{Kind: "domain", Value: "revoked.example"},                                                  // 5 → none
		{Kind: "domain", Value: "expired.example"},                                                  // 6 → none
		{Kind: "domain", Value: "old.example"},                                                      // 7 → none (superseded)
		{Kind: "domain", Value: "new.example"},                                                      // 8 → 8
		{Kind: "domain", Value: "closed.example"},                                                   // 9 → none (no read right)
		{Kind: "ipv4", Value: "203.0.113.9"},                                                        // 10 → none
	}
	type want struct {
		key  auth.Key
		hits map[int]string // observable → indicator id
	}
	for _, tc := range []struct {
		name string
		want
	}{
		{"alice reads her own RED indicator but no AMBER one", want{alice, map[int]string{0: id(1), 1: id(2), 2: id(3), 4: id(5), 8: id(8)}}},
		{"bob, granted AMBER, reads the AMBER wallet but not alice's RED indicator", want{bob, map[int]string{0: id(1), 1: id(2), 2: id(3), 3: id(4), 8: id(8)}}},
		{"a screener key reads no collection", want{screener, map[int]string{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, stats, err := m.Match(ctx, tc.key, obs)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]string{}
			for _, h := range hits {
				if prev, dup := got[h.Observable]; dup {
					t.Errorf("observable %d hit twice: %s and %s", h.Observable, prev, h.IndicatorID)
				}
				got[h.Observable] = h.IndicatorID
				if h.Collection != "shared" || h.Pattern == "" || h.Version == "" {
					t.Errorf("hit %+v lacks its collection, pattern or version", h)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.hits) {
				t.Errorf("hits %v, want %v", got, tc.hits)
			}
			if tc.key.Role != auth.RoleScreener && (stats.Expired != 2 || stats.Unparsed != 1) {
				t.Errorf("stats %+v: want 2 expired or revoked, 1 unparsed", stats)
			}
		})
	}

	t.Run("indicators added later are matched on the next request", func(t *testing.T) {
		_, err := st.AddObjects(ctx, "isac", "shared", []taxii.Object{
			indicator{id: id(11), pattern: "[url:value = 'https://evil.example/job-offer.zip']", modified: v1}.object(t)})
		must(err)
		hits, _, err := m.Match(ctx, alice, []ioc.Observable{{Kind: "url", Value: "https://evil.example/job-offer.zip"}})
		if err != nil || len(hits) != 1 || hits[0].IndicatorID != id(11) {
			t.Fatalf("hits %+v, %v; want the new indicator", hits, err)
		}
	})
	t.Run("bad observables are refused", func(t *testing.T) {
		for _, o := range []ioc.Observable{{Kind: "ssn", Value: "x"}, {Kind: "domain"}, {Kind: "ipv4", Value: "::1"},
			{Kind: "sha256", Value: "not hex"}} {
			if _, _, err := m.Match(ctx, alice, []ioc.Observable{o}); !errors.Is(err, ioc.ErrInvalid) {
				t.Errorf("%+v: error %v, want ErrInvalid", o, err)
			}
		}
		many := slices.Repeat([]ioc.Observable{{Kind: "domain", Value: "a.example"}}, ioc.DefaultConfig().MaxObservables+1)
		if _, _, err := m.Match(ctx, alice, many); !errors.Is(err, ioc.ErrInvalid) {
			t.Errorf("too many observables: error %v, want ErrInvalid", err)
		}
	})
}
