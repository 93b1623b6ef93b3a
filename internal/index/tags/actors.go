package tags

import (
	"fmt"
	"slices"
	"strings"
)

// nameKey is how actor ids, aliases and labels are compared: case and runs of
// white space do not matter, punctuation does ("tomb.finance" is not
// "tombfinance").
func nameKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// Registry is the merged view of every stored actor row: one entry per id
// (labels from the first dataset that names it, aliases, categories and
// relations united), names resolved to ids, and same_as classes.
type Registry struct {
	actors map[string]*Actor
	order  []string
	// owner maps an id or alias key to the ids that claim it.
	owner map[string][]string
	// labels maps a label key to the ids with that label.
	labels map[string][]string
	parent map[string]string // union-find over same_as
	rels   []Relation
}

// NewRegistry merges actor rows (as Store.TagActors returns them).
func NewRegistry(rows []Actor) *Registry {
	r := &Registry{actors: map[string]*Actor{}, owner: map[string][]string{}, labels: map[string][]string{}, parent: map[string]string{}}
	for i := range rows {
		r.add(rows[i])
	}
	return r
}

func (r *Registry) add(a Actor) {
	cur, ok := r.actors[a.ID]
	if !ok {
		c := a
		c.Aliases = slices.Clone(a.Aliases)
		c.Relations = nil
		r.actors[a.ID] = &c
		r.order = append(r.order, a.ID)
		cur = &c
		r.claimLabel(a.Label, a.ID)
	} else {
		cur.Aliases = union(cur.Aliases, a.Aliases)
		cur.Categories = union(cur.Categories, a.Categories)
		cur.Jurisdictions = union(cur.Jurisdictions, a.Jurisdictions)
		if cur.URI == "" {
			cur.URI = a.URI
		}
		if cur.Context == "" {
			cur.Context = a.Context
		}
		if nameKey(a.Label) != nameKey(cur.Label) {
			r.claimLabel(a.Label, a.ID)
		}
	}
	r.claim(a.ID, a.ID)
	for _, al := range a.Aliases {
		r.claim(al, a.ID)
	}
	for _, rel := range a.Relations {
		r.rels = append(r.rels, rel)
		if !slices.Contains(cur.Relations, rel) {
			cur.Relations = append(cur.Relations, rel)
		}
		if rel.Kind == SameAs {
			r.union(rel.From, rel.To)
		}
	}
}

func (r *Registry) claim(name, id string) {
	k := nameKey(name)
	if k != "" && !slices.Contains(r.owner[k], id) {
		r.owner[k] = append(r.owner[k], id)
	}
}

func (r *Registry) claimLabel(label, id string) {
	k := nameKey(label)
	if k != "" && !slices.Contains(r.labels[k], id) {
		r.labels[k] = append(r.labels[k], id)
	}
}

func (r *Registry) find(id string) string {
	for {
		p, ok := r.parent[id]
		if !ok || p == id {
			return id
		}
		if gp, ok := r.parent[p]; ok {
			r.parent[id] = gp // path halving
		}
		id = p
	}
}

func (r *Registry) union(a, b string) {
	ra, rb := r.find(a), r.find(b)
	if ra != rb {
		if rb < ra {
			ra, rb = rb, ra
		}
		r.parent[rb] = ra
	}
}

// Actor returns the merged actor with this id.
func (r *Registry) Actor(id string) (Actor, bool) {
	a, ok := r.actors[id]
	if !ok {
		return Actor{}, false
	}
	return *a, true
}

// Actors lists the merged actors in first-seen order.
func (r *Registry) Actors() []Actor {
	out := make([]Actor, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, *r.actors[id])
	}
	return out
}

// Resolve returns the actor id a name stands for: an id or alias claimed by
// exactly one actor (or by several that are same_as each other), else a label
// that only one actor has. ok is false for unknown or ambiguous names.
func (r *Registry) Resolve(name string) (string, bool) {
	k := nameKey(name)
	if ids := r.distinct(r.owner[k]); len(ids) == 1 {
		return ids[0], true
	} else if len(ids) > 1 {
		return "", false
	}
	if ids := r.distinct(r.labels[k]); len(ids) == 1 {
		return ids[0], true
	}
	return "", false
}

// distinct collapses ids that are same_as each other to the first of them.
func (r *Registry) distinct(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if root := r.find(id); !seen[root] {
			seen[root] = true
			out = append(out, id)
		}
	}
	return out
}

// SameAs returns the ids that are the same actor as id (id included), sorted.
func (r *Registry) SameAs(id string) []string {
	root := r.find(id)
	out := []string{id}
	for other := range r.actors {
		if other != id && r.find(other) == root {
			out = append(out, other)
		}
	}
	for other := range r.parent {
		if other != id && r.find(other) == root && !slices.Contains(out, other) {
			out = append(out, other)
		}
	}
	slices.Sort(out)
	return out
}

// Cluster returns the ids whose tags count as id's: its same_as class and,
// when associated is set, the actors attributed to it (transitively) and the
// actors associated with any of those (one hop), each with its same_as class.
// Sorted.
func (r *Registry) Cluster(id string, associated bool) []string {
	set := map[string]bool{}
	for _, x := range r.SameAs(id) {
		set[x] = true
	}
	if associated {
		// Attribution is followed down, transitively: clusters attributed
		// to the actor, and clusters attributed to those.
		for changed := true; changed; {
			changed = false
			for _, rel := range r.rels {
				if rel.Kind == AttributedTo && set[rel.To] && !set[rel.From] {
					for _, x := range r.SameAs(rel.From) {
						set[x] = true
					}
					changed = true
				}
			}
		}
		// Association is one hop, in either direction, from the actor and
		// its attributed clusters, and brings only the associated actor's
		// same_as class.
		var assoc []string
		for _, rel := range r.rels {
			switch {
			case rel.Kind != AssociatedWith:
			case set[rel.To] && !set[rel.From]:
				assoc = append(assoc, rel.From)
			case set[rel.From] && !set[rel.To]:
				assoc = append(assoc, rel.To)
			}
		}
		for _, a := range assoc {
			for _, x := range r.SameAs(a) {
				set[x] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for x := range set {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

// Names returns every id and alias of the given ids: the actor values a tag
// may carry for them.
func (r *Registry) Names(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id)
		if a, ok := r.actors[id]; ok {
			out = append(out, a.Aliases...)
		}
	}
	return union(nil, out)
}

// Relations returns the relations that involve id, as declared.
func (r *Registry) Relations(id string) []Relation {
	var out []Relation
	for _, rel := range r.rels {
		if (rel.From == id || rel.To == id) && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
	}
	return out
}

// Conflict is one name that an import would make stand for two actors.
type Conflict struct {
	Name     string
	Actor    string // the importing actor
	Other    string // the actor that already holds the name
	File     string
	Line     int
	Existing string // where Other is declared: file:line and dataset
}

func (c Conflict) Error() string {
	return fmt.Sprintf("%s:%d: actor %q gives name %q, which already names actor %q (%s): importing it would make them one actor; declare a same_as relation or import with merging allowed",
		c.File, c.Line, c.Actor, c.Name, c.Other, c.Existing)
}

// Check returns the conflicts importing actors would create: a new actor's id
// that is an id or alias of a different actor, or a new alias that is an id,
// alias or label of a different actor (already in the
// registry, or earlier in the same import) that is not same_as it. Explicit
// same_as relations in actors are applied first, so a declared merge is no
// conflict.
func (r *Registry) Check(actors []Actor) []Conflict {
	tmp := r.clone() // the check leaves r as it was
	for _, a := range actors {
		for _, rel := range a.Relations {
			if rel.Kind == SameAs {
				tmp.union(rel.From, rel.To)
			}
		}
	}
	var out []Conflict
	for _, a := range actors {
		for i, name := range append([]string{a.ID}, a.Aliases...) {
			k := nameKey(name)
			holders := slices.Clone(tmp.owner[k])
			if i > 0 {
				// An alias that is another actor's label would take that
				// label's resolution over; an id would not (ids are
				// identifiers: GraphSense has actor "kuswap" and actor
				// "kurant" labelled "KuSwap").
				holders = append(holders, tmp.labels[k]...)
			}
			for _, other := range holders {
				if other == a.ID || tmp.find(other) == tmp.find(a.ID) {
					continue
				}
				ds := ""
				if o, ok := tmp.actors[other]; ok {
					ds = fmt.Sprintf("%s:%d, dataset %s", o.File, o.Line, o.Dataset)
				}
				out = append(out, Conflict{Name: name, Actor: a.ID, Other: other, File: a.File, Line: a.Line, Existing: ds})
				break
			}
		}
		tmp.add(Actor{ID: a.ID, Label: a.Label, Aliases: a.Aliases, Dataset: a.Dataset, File: a.File, Line: a.Line})
	}
	return out
}

// clone copies the registry deeply enough that adding actors to the copy
// leaves r as it was.
func (r *Registry) clone() *Registry {
	c := &Registry{actors: make(map[string]*Actor, len(r.actors)), order: slices.Clone(r.order),
		owner: make(map[string][]string, len(r.owner)), labels: make(map[string][]string, len(r.labels)),
		parent: make(map[string]string, len(r.parent)), rels: slices.Clone(r.rels)}
	for k, v := range r.actors {
		a := *v
		a.Aliases = slices.Clone(v.Aliases)
		a.Relations = slices.Clone(v.Relations)
		c.actors[k] = &a
	}
	for k, v := range r.owner {
		c.owner[k] = slices.Clone(v)
	}
	for k, v := range r.labels {
		c.labels[k] = slices.Clone(v)
	}
	for k, v := range r.parent {
		c.parent[k] = v
	}
	return c
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
