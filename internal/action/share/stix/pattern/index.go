package pattern

import "strings"

// Index holds many patterns (e.g. every indicator an ISAC shares) and finds
// those an observation satisfies without evaluating them all: a pattern whose
// every alternative requires some property to equal a string constant is
// filed under (object type, property path, constant); only the patterns filed
// under the observation's own values, plus the few that cannot be filed
// (ranges, LIKE, NOT, multi-observation qualifiers), are evaluated.
//
// An Index is not safe for concurrent Add; Match may run concurrently once
// all patterns are added.
type Index struct {
	entries []entry
	byKey   map[indexKey][]int32
	paths   map[string][]filed // object type -> distinct filed paths
	scan    map[string][]int32 // object type -> patterns evaluated for every object of it
	nscan   int
}

type entry struct {
	id string
	p  *Pattern
}

type indexKey struct{ typ, path, value string }

type filed struct {
	p    path
	name string // p.String()
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byKey: map[indexKey][]int32{}, paths: map[string][]filed{}, scan: map[string][]int32{}}
}

// Len returns the number of patterns held.
func (ix *Index) Len() int { return len(ix.entries) }

// Scanned returns how many patterns cannot be filed by value: they are
// evaluated for every observation holding an object of a type they name.
func (ix *Index) Scanned() int { return ix.nscan }

// Add files pattern p under id (e.g. the indicator's id).
func (ix *Index) Add(id string, p *Pattern) {
	n := int32(len(ix.entries))
	ix.entries = append(ix.entries, entry{id: id, p: p})
	keys, ok := obsKeys(p.root)
	if !ok {
		ix.nscan++
		for typ := range p.types() {
			ix.scan[typ] = append(ix.scan[typ], n)
		}
		return
	}
	for _, k := range keys {
		ik := indexKey{typ: k.path.typ, path: k.path.String(), value: k.value}
		if _, seen := ix.byKey[ik]; !seen {
			ix.addPath(k.path)
		}
		ix.byKey[ik] = append(ix.byKey[ik], n)
	}
}

func (ix *Index) addPath(p path) {
	s := p.String()
	for _, q := range ix.paths[p.typ] {
		if q.name == s {
			return
		}
	}
	ix.paths[p.typ] = append(ix.paths[p.typ], filed{p: p, name: s})
}

// collector gathers the candidates filed under the values a path reaches.
type collector struct {
	ix   *Index
	f    *filed
	cand []int32
}

func (c *collector) visit(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if c.f.p.foldCase {
		s = strings.ToLower(s)
	}
	c.cand = append(c.cand, c.ix.byKey[indexKey{typ: c.f.p.typ, path: c.f.name, value: s}]...)
	return false
}

// Match returns the ids of the patterns one observation satisfies, in the
// order they were added.
func (ix *Index) Match(o Observation) []string {
	c := collector{ix: ix}
	for i, obj := range o.Objects {
		typ, _ := obj["type"].(string)
		if !seenType(o.Objects[:i], typ) {
			c.cand = append(c.cand, ix.scan[typ]...)
		}
		fs := ix.paths[typ]
		for i := range fs {
			c.f = &fs[i]
			c.f.p.values(&o, obj, &c)
		}
	}
	cand := c.cand
	if len(cand) == 0 {
		return nil
	}
	cand = sortedUnique(cand)
	var out []string
	for _, n := range cand {
		if e := ix.entries[n]; e.p.matchOne(&o) {
			out = append(out, e.id)
		}
	}
	return out
}

type eqKey struct {
	path  path
	value string
}

// obsKeys returns keys one of which any single observation satisfying n must
// have; ok is false when no such set exists (or n needs several observations).
func obsKeys(n obsNode) ([]eqKey, bool) {
	switch x := n.(type) {
	case *obsComparison:
		return compKeys(x.comp)
	case *obsOr:
		var all []eqKey
		for _, t := range x.terms {
			k, ok := obsKeys(t)
			if !ok {
				return nil, false
			}
			all = append(all, k...)
		}
		return all, true
	}
	return nil, false
}

func compKeys(n compNode) ([]eqKey, bool) {
	switch x := n.(type) {
	case *compOr:
		var all []eqKey
		for _, t := range x.terms {
			k, ok := compKeys(t)
			if !ok {
				return nil, false
			}
			all = append(all, k...)
		}
		return all, true
	case *compAnd:
		for _, t := range x.terms { // any one conjunct's keys will do
			if k, ok := compKeys(t); ok {
				return k, true
			}
		}
		return nil, false
	case *test:
		if x.not || !simplePath(x.path) {
			return nil, false
		}
		norm := func(s string) string {
			if x.path.foldCase {
				return strings.ToLower(s)
			}
			return s
		}
		switch {
		case x.op == "=" && x.value.kind == kindString:
			return []eqKey{{x.path, norm(x.value.s)}}, true
		case x.op == "IN":
			var keys []eqKey
			for _, l := range x.set {
				if l.kind != kindString {
					return nil, false
				}
				keys = append(keys, eqKey{x.path, norm(l.s)})
			}
			return keys, true
		}
	}
	return nil, false
}

// simplePath: no list steps and no references to follow, so the value sits
// on the object itself.
func simplePath(p path) bool {
	for _, s := range p.steps {
		if s.isIndex || strings.HasSuffix(s.name, "_ref") || strings.HasSuffix(s.name, "_refs") {
			return false
		}
	}
	return true
}

func seenType(objs []map[string]any, typ string) bool {
	for _, o := range objs {
		if t, _ := o["type"].(string); t == typ {
			return true
		}
	}
	return false
}

// types returns the object types the pattern's paths name: a single
// observation can only satisfy it if it holds an object of one of them.
func (p *Pattern) types() map[string]bool {
	out := map[string]bool{}
	var obs func(obsNode)
	var comp func(compNode)
	comp = func(n compNode) {
		switch x := n.(type) {
		case *compOr:
			for _, t := range x.terms {
				comp(t)
			}
		case *compAnd:
			for _, t := range x.terms {
				comp(t)
			}
		case *test:
			out[x.path.typ] = true
		}
	}
	obs = func(n obsNode) {
		switch x := n.(type) {
		case *obsComparison:
			comp(x.comp)
		case *obsOr:
			for _, t := range x.terms {
				obs(t)
			}
		case *obsAnd:
			for _, t := range x.terms {
				obs(t)
			}
		case *obsFollowedBy:
			for _, t := range x.terms {
				obs(t)
			}
		case *obsWithin:
			obs(x.inner)
		case *obsRepeats:
			obs(x.inner)
		case *obsStartStop:
			obs(x.inner)
		}
	}
	obs(p.root)
	return out
}
