package people_test

import (
	"bytes"
	"slices"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

func testVault(tb testing.TB) *people.Vault {
	tb.Helper()
	v, err := people.NewVault(bytes.Repeat([]byte{9}, people.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// rec seals a person with the given identifiers (type, value pairs).
func rec(tb testing.TB, v *people.Vault, id string, kv ...string) people.Record {
	tb.Helper()
	p := people.Person{ID: id, Kind: people.Applicant}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Identifiers = append(p.Identifiers, people.Identifier{Type: people.Type(kv[i]), Value: kv[i+1]})
	}
	r, err := v.Seal(&p)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestGraph(t *testing.T) {
	v := testVault(t)
	tests := []struct {
		name    string
		records func() []people.Record
		person  string
		members []string
		types   []people.Type // evidence types, sorted
	}{
		{"two persons sharing a phone in two formats are one cluster", func() []people.Record {
			return []people.Record{rec(t, v, "a", "phone", "+1 415 555 0100"), rec(t, v, "b", "phone", "(415) 555-0100")}
		}, "b", []string{"a", "b"}, []people.Type{people.Phone}},
		{"a chain of different shared identifiers joins three persons", func() []people.Record {
			return []people.Record{
				rec(t, v, "a", "email", "x.y@gmail.com"),
				rec(t, v, "b", "email", "xy+job@gmail.com", "wallet", "0x00000000000000000000000000000000000000b1"),
				rec(t, v, "c", "wallet", "0x00000000000000000000000000000000000000B1"),
			}
		}, "a", []string{"a", "b", "c"}, []people.Type{people.Email, people.Wallet}},
		{"a shared address alone does not join a family", func() []people.Record {
			return []people.Record{rec(t, v, "a", "postal_address", "1 Main Street"), rec(t, v, "b", "shipping_address", "1 main st")}
		}, "a", []string{"a"}, nil},
		{"a weak identifier shared inside a cluster is evidence", func() []people.Record {
			return []people.Record{
				rec(t, v, "a", "github", "42", "ip", "192.0.2.1"),
				rec(t, v, "b", "github", "42", "ip", "192.0.2.1"),
			}
		}, "b", []string{"a", "b"}, []people.Type{people.GitHub, people.IP}},
		{"a person added again with a new identifier joins its new cluster", func() []people.Record {
			return []people.Record{
				rec(t, v, "a", "phone", "+14155550100"),
				rec(t, v, "b", "email", "b@example.org"),
				rec(t, v, "b", "email", "b@example.org", "phone", "+14155550100"),
			}
		}, "a", []string{"a", "b"}, []people.Type{people.Phone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := vet.NewGraph()
			for _, r := range tt.records() {
				g.Add(r)
			}
			c, ok := g.ClusterOf(tt.person)
			if !ok {
				t.Fatal("person not in graph")
			}
			got := slices.Sorted(slices.Values(c.Members))
			if !slices.Equal(got, tt.members) {
				t.Errorf("members = %v, want %v", got, tt.members)
			}
			var types []people.Type
			for _, e := range c.Evidence {
				types = append(types, e.Type)
				if len(e.Ref) != 12 || len(e.Others) < 2 {
					t.Errorf("evidence %+v: want a 12-digit ref and two holders or more", e)
				}
			}
			slices.Sort(types)
			if !slices.Equal(types, tt.types) {
				t.Errorf("evidence types = %v, want %v", types, tt.types)
			}
		})
	}
	t.Run("an unknown person has no cluster", func(t *testing.T) {
		if _, ok := vet.NewGraph().ClusterOf("x"); ok {
			t.Error("found")
		}
	})
	t.Run("clusters are listed largest first and filtered by size", func(t *testing.T) {
		g := vet.NewGraph()
		for _, r := range []people.Record{
			rec(t, v, "a", "phone", "+14155550100"), rec(t, v, "b", "phone", "+14155550100"),
			rec(t, v, "c", "wallet", "0x00000000000000000000000000000000000000c1"), rec(t, v, "d", "wallet", "0x00000000000000000000000000000000000000c1"), rec(t, v, "e", "wallet", "0x00000000000000000000000000000000000000C1"),
			rec(t, v, "f", "email", "f@example.org"),
		} {
			g.Add(r)
		}
		cs := g.Clusters(2)
		if len(cs) != 2 || len(cs[0].Members) != 3 || len(cs[1].Members) != 2 {
			t.Errorf("clusters = %+v", cs)
		}
		if g.Len() != 6 || len(g.Clusters(1)) != 3 {
			t.Errorf("len %d, %d clusters of 1 or more", g.Len(), len(g.Clusters(1)))
		}
		if sh := g.SharedBy("e"); len(sh) != 1 || !slices.Equal(sh[0].Others, []string{"c", "d"}) {
			t.Errorf("SharedBy(e) = %+v", sh)
		}
	})
}
