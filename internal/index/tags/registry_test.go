package tags

import (
	"reflect"
	"testing"
)

func TestRegistry(t *testing.T) {
	rows := []Actor{
		{ID: "a", Label: "Alpha", Aliases: []string{"A1"}, Dataset: "d1"},
		{ID: "b", Label: "Beta", Aliases: []string{"B1"}, Dataset: "d1",
			Relations: []Relation{{Kind: SameAs, From: "b", To: "c"}}},
		{ID: "c", Label: "Gamma", Dataset: "d1", Relations: []Relation{{Kind: SameAs, From: "c", To: "d"}}},
		{ID: "d", Label: "Delta", Dataset: "d1", Relations: []Relation{{Kind: AttributedTo, From: "d", To: "a"}}},
		{ID: "e", Label: "Dup", Dataset: "d1", Relations: []Relation{{Kind: AssociatedWith, From: "e", To: "a"}}},
		{ID: "f", Label: "Dup", Dataset: "d1", Relations: []Relation{{Kind: AttributedTo, From: "f", To: "e"}}},
		// A second dataset describing a: aliases united, first label kept.
		{ID: "a", Label: "Alpha Group", Aliases: []string{"A2"}, Dataset: "d2"},
	}
	r := NewRegistry(rows)
	t.Run("names resolve by id, alias, then unique label, ignoring case and spacing", func(t *testing.T) {
		for name, want := range map[string]string{"a": "a", " A1 ": "a", "a2": "a", "alpha": "a", "ALPHA  GROUP": "a", "b1": "b", "gamma": "c"} {
			if got, ok := r.Resolve(name); !ok || got != want {
				t.Errorf("Resolve(%q) = %q, %v; want %q", name, got, ok, want)
			}
		}
		for _, name := range []string{"dup", "zeta", ""} {
			if got, ok := r.Resolve(name); ok {
				t.Errorf("Resolve(%q) = %q; want no answer (unknown or ambiguous)", name, got)
			}
		}
	})
	t.Run("same_as is transitive and symmetric", func(t *testing.T) {
		for _, id := range []string{"b", "c", "d"} {
			if got := r.SameAs(id); !reflect.DeepEqual(got, []string{"b", "c", "d"}) {
				t.Errorf("SameAs(%s) = %v", id, got)
			}
		}
		if got := r.SameAs("a"); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("SameAs(a) = %v", got)
		}
	})
	t.Run("clusters follow attribution down and association one way", func(t *testing.T) {
		cases := []struct {
			id         string
			associated bool
			want       []string
		}{
			{"a", false, []string{"a"}},
			// d is attributed to a and same as b, c; e is associated with a,
			// which brings e alone, not what is attributed to e.
			{"a", true, []string{"a", "b", "c", "d", "e"}},
			{"d", true, []string{"b", "c", "d"}},
			{"e", true, []string{"a", "e", "f"}},
		}
		for _, c := range cases {
			if got := r.Cluster(c.id, c.associated); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Cluster(%s, %v) = %v, want %v", c.id, c.associated, got, c.want)
			}
		}
	})
	t.Run("merged actors keep the first label and unite aliases", func(t *testing.T) {
		a, _ := r.Actor("a")
		if a.Label != "Alpha" || !reflect.DeepEqual(a.Aliases, []string{"A1", "A2"}) {
			t.Errorf("a = %+v", a)
		}
		if len(r.Actors()) != 6 {
			t.Errorf("%d actors", len(r.Actors()))
		}
	})
	t.Run("Check finds names that would make two actors one", func(t *testing.T) {
		cases := []struct {
			name  string
			in    []Actor
			other string
		}{
			{"an id that is another actor's alias", []Actor{{ID: "a1", Label: "x"}}, "a"},
			{"an alias that is another actor's id", []Actor{{ID: "z", Label: "z", Aliases: []string{"B"}}}, "b"},
			{"an alias that is another actor's label", []Actor{{ID: "z", Label: "z", Aliases: []string{"alpha group"}}}, "a"},
			{"two new actors claiming one alias", []Actor{{ID: "y", Label: "y", Aliases: []string{"shared"}}, {ID: "z", Label: "z", Aliases: []string{"shared"}}}, "y"},
		}
		for _, c := range cases {
			got := r.Check(c.in)
			if len(got) != 1 || got[0].Other != c.other {
				t.Errorf("%s: conflicts %+v, want one with %s", c.name, got, c.other)
			}
		}
		for name, in := range map[string][]Actor{
			"an id that is another actor's label":   {{ID: "gamma", Label: "g"}},
			"the same actor again":                  {{ID: "a", Label: "Alpha", Aliases: []string{"A1", "alpha"}}},
			"an alias of an actor declared same as": {{ID: "z", Label: "z", Aliases: []string{"a1"}, Relations: []Relation{{Kind: SameAs, From: "z", To: "a"}}}},
		} {
			if got := r.Check(in); len(got) != 0 {
				t.Errorf("%s: conflicts %+v, want none", name, got)
			}
		}
		a, _ := r.Actor("a")
		if len(r.SameAs("z")) != 1 || len(a.Aliases) != 2 {
			t.Errorf("Check changed the registry: SameAs(z) %v, a %+v", r.SameAs("z"), a)
		}
	})
}
