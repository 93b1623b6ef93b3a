package pattern

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Observation is what one observed-data object holds: SCOs (decoded JSON
// objects with at least "type", and "id" when other objects refer to them)
// seen between First and Last.
type Observation struct {
	First, Last time.Time
	Objects     []map[string]any
}

// Match reports whether the observations satisfy the pattern. A pattern of
// one observation expression is satisfied by any single observation; AND,
// OR, FOLLOWEDBY and the qualifiers combine distinct observations.
func (p *Pattern) Match(obs ...Observation) bool {
	if c, ok := p.root.(*obsComparison); ok { // most indicators: no combinations to build
		for i := range obs {
			if c.matches(&obs[i]) {
				return true
			}
		}
		return false
	}
	ctx := &evalCtx{obs: obs, budget: maxBindings}
	return p.root.any(ctx)
}

// matchOne is Match of one observation the caller already holds by pointer
// (Index.Match: one allocation per observation, not per pattern).
func (p *Pattern) matchOne(o *Observation) bool {
	if c, ok := p.root.(*obsComparison); ok {
		return c.matches(o)
	}
	ctx := &evalCtx{obs: []Observation{*o}, budget: maxBindings}
	return p.root.any(ctx)
}

// maxBindings bounds the observation combinations one evaluation builds, so
// REPEATS and AND over long streams cannot explode; past it, further
// combinations are not tried (a match may be missed, never invented).
const maxBindings = 100_000

// maxRepeats bounds REPEATS n TIMES.
const maxRepeats = 1000

type evalCtx struct {
	obs    []Observation
	budget int
}

// binding is a set of observation indexes that together satisfy an
// observation expression, with their time span.
type binding struct {
	idx         []int // sorted
	first, last time.Time
}

func single(ctx *evalCtx, i int) binding {
	o := ctx.obs[i]
	last := o.Last
	if last.IsZero() {
		last = o.First
	}
	return binding{idx: []int{i}, first: o.First, last: last}
}

func union(a, b binding) (binding, bool) {
	out := make([]int, 0, len(a.idx)+len(b.idx))
	i, j := 0, 0
	for i < len(a.idx) || j < len(b.idx) {
		switch {
		case j == len(b.idx) || (i < len(a.idx) && a.idx[i] < b.idx[j]):
			out = append(out, a.idx[i])
			i++
		case i == len(a.idx) || b.idx[j] < a.idx[i]:
			out = append(out, b.idx[j])
			j++
		default:
			return binding{}, false // shared observation: not distinct
		}
	}
	u := binding{idx: out, first: a.first, last: a.last}
	if b.first.Before(u.first) {
		u.first = b.first
	}
	if b.last.After(u.last) {
		u.last = b.last
	}
	return u, true
}

func dedupe(bs []binding) []binding {
	seen := map[string]bool{}
	out := bs[:0]
	for _, b := range bs {
		k := keyOf(b.idx)
		if !seen[k] {
			seen[k] = true
			out = append(out, b)
		}
	}
	return out
}

func keyOf(idx []int) string {
	var sb strings.Builder
	for _, i := range idx {
		sb.WriteString(strconv.Itoa(i))
		sb.WriteByte(',')
	}
	return sb.String()
}

type obsNode interface {
	bindings(ctx *evalCtx) []binding
	any(ctx *evalCtx) bool
}

type obsComparison struct{ comp compNode }

func (n *obsComparison) matches(o *Observation) bool {
	for _, obj := range o.Objects {
		if n.comp.eval(o, obj) {
			return true
		}
	}
	return false
}

func (n *obsComparison) bindings(ctx *evalCtx) []binding {
	var out []binding
	for i := range ctx.obs {
		if n.matches(&ctx.obs[i]) && ctx.budget > 0 {
			ctx.budget--
			out = append(out, single(ctx, i))
		}
	}
	return out
}

func (n *obsComparison) any(ctx *evalCtx) bool {
	for i := range ctx.obs {
		if n.matches(&ctx.obs[i]) {
			return true
		}
	}
	return false
}

type obsOr struct{ terms []obsNode }

func (n *obsOr) bindings(ctx *evalCtx) []binding {
	var out []binding
	for _, t := range n.terms {
		out = append(out, t.bindings(ctx)...)
	}
	return dedupe(out)
}

func (n *obsOr) any(ctx *evalCtx) bool {
	for _, t := range n.terms {
		if t.any(ctx) {
			return true
		}
	}
	return false
}

// combine joins every left binding with every right one that keep ok,
// with distinct observations.
func combine(ctx *evalCtx, left, right []binding, ok func(l, r binding) bool) []binding {
	var out []binding
	for _, l := range left {
		for _, r := range right {
			if ctx.budget <= 0 {
				return dedupe(out)
			}
			if ok != nil && !ok(l, r) {
				continue
			}
			if u, distinct := union(l, r); distinct {
				ctx.budget--
				out = append(out, u)
			}
		}
	}
	return dedupe(out)
}

type obsAnd struct{ terms []obsNode }

func (n *obsAnd) bindings(ctx *evalCtx) []binding {
	acc := n.terms[0].bindings(ctx)
	for _, t := range n.terms[1:] {
		if len(acc) == 0 {
			return nil
		}
		acc = combine(ctx, acc, t.bindings(ctx), nil)
	}
	return acc
}

func (n *obsAnd) any(ctx *evalCtx) bool { return len(n.bindings(ctx)) > 0 }

// obsFollowedBy: each term's observations come after the previous term's
// (its earliest first_observed is not before their latest last_observed).
type obsFollowedBy struct{ terms []obsNode }

func (n *obsFollowedBy) bindings(ctx *evalCtx) []binding {
	acc := n.terms[0].bindings(ctx)
	for _, t := range n.terms[1:] {
		if len(acc) == 0 {
			return nil
		}
		acc = combine(ctx, acc, t.bindings(ctx), func(l, r binding) bool { return !r.first.Before(l.last) })
	}
	return acc
}

func (n *obsFollowedBy) any(ctx *evalCtx) bool { return len(n.bindings(ctx)) > 0 }

type obsWithin struct {
	inner obsNode
	d     time.Duration
}

func (n *obsWithin) bindings(ctx *evalCtx) []binding {
	var out []binding
	for _, b := range n.inner.bindings(ctx) {
		if b.last.Sub(b.first) <= n.d {
			out = append(out, b)
		}
	}
	return out
}

func (n *obsWithin) any(ctx *evalCtx) bool { return len(n.bindings(ctx)) > 0 }

type obsRepeats struct {
	inner obsNode
	k     int
}

func (n *obsRepeats) bindings(ctx *evalCtx) []binding {
	base := n.inner.bindings(ctx)
	if len(base) < n.k {
		return nil
	}
	var out []binding
	var grow func(start int, acc binding, depth int)
	grow = func(start int, acc binding, depth int) {
		if depth == n.k {
			out = append(out, acc)
			return
		}
		for i := start; i < len(base) && ctx.budget > 0; i++ {
			u := base[i]
			if depth > 0 {
				var ok bool
				if u, ok = union(acc, base[i]); !ok {
					continue
				}
			}
			ctx.budget--
			grow(i+1, u, depth+1)
		}
	}
	grow(0, binding{}, 0)
	return dedupe(out)
}

func (n *obsRepeats) any(ctx *evalCtx) bool { return len(n.bindings(ctx)) > 0 }

type obsStartStop struct {
	inner       obsNode
	start, stop time.Time
}

func (n *obsStartStop) bindings(ctx *evalCtx) []binding {
	var out []binding
	for _, b := range n.inner.bindings(ctx) {
		if !b.first.Before(n.start) && b.last.Before(n.stop) {
			out = append(out, b)
		}
	}
	return out
}

func (n *obsStartStop) any(ctx *evalCtx) bool { return len(n.bindings(ctx)) > 0 }

// compNode is evaluated against one object: every comparison joined by AND
// must hold for the same SCO.
type compNode interface {
	eval(o *Observation, obj map[string]any) bool
}

type compOr struct{ terms []compNode }

func (n *compOr) eval(o *Observation, obj map[string]any) bool {
	for _, t := range n.terms {
		if t.eval(o, obj) {
			return true
		}
	}
	return false
}

type compAnd struct{ terms []compNode }

func (n *compAnd) eval(o *Observation, obj map[string]any) bool {
	for _, t := range n.terms {
		if !t.eval(o, obj) {
			return false
		}
	}
	return true
}

const anyIndex = -1

type step struct {
	name    string
	index   int
	isIndex bool
}

type path struct {
	typ      string
	steps    []step
	foldCase bool // under "hashes": compare ignoring case
}

func (p path) String() string {
	var sb strings.Builder
	sb.WriteString(p.typ)
	sb.WriteByte(':')
	for i, s := range p.steps {
		switch {
		case s.isIndex && s.index == anyIndex:
			sb.WriteString("[*]")
		case s.isIndex:
			sb.WriteString("[" + strconv.Itoa(s.index) + "]")
		default:
			if i > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(s.name)
		}
	}
	return sb.String()
}

// visitor receives the values a path reaches; returning true stops the walk.
type visitor interface{ visit(v any) bool }

// values calls fn with every value the path reaches from obj, until fn
// returns true; it reports whether one did.
func (p *path) values(o *Observation, obj map[string]any, fn visitor) bool {
	if t, _ := obj["type"].(string); t != p.typ {
		return false
	}
	return walk(o, obj, p.steps, fn, 0)
}

func walk(o *Observation, cur any, steps []step, fn visitor, depth int) bool {
	if len(steps) == 0 {
		return fn.visit(cur)
	}
	if depth > 64 { // a cycle of references
		return false
	}
	s := steps[0]
	if s.isIndex {
		list, ok := cur.([]any)
		if !ok {
			return false
		}
		if s.index == anyIndex {
			for _, e := range list {
				if walk(o, e, steps[1:], fn, depth) {
					return true
				}
			}
			return false
		}
		if s.index >= len(list) {
			return false
		}
		return walk(o, list[s.index], steps[1:], fn, depth)
	}
	if id, ok := cur.(string); ok { // a reference followed by a property
		ref := o.byID(id)
		if ref == nil {
			return false
		}
		cur = ref
		depth++
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return false
	}
	v, ok := m[s.name]
	if !ok {
		return false
	}
	return walk(o, v, steps[1:], fn, depth)
}

func (o *Observation) byID(id string) map[string]any {
	for _, obj := range o.Objects {
		if obj["id"] == id {
			return obj
		}
	}
	if i, err := strconv.Atoi(id); err == nil && i >= 0 && i < len(o.Objects) {
		return o.Objects[i] // STIX 2.0 observed-data refers by index key
	}
	return nil
}

type kind int

const (
	kindString kind = iota
	kindNumber
	kindBool
	kindTime
	kindBytes
)

type literal struct {
	kind  kind
	s     string
	f     float64
	i     int64
	isInt bool
	b     bool
	t     time.Time
	raw   []byte
}

type test struct {
	path   path
	not    bool
	op     string
	value  literal
	set    []literal
	re     *regexp.Regexp
	prefix netip.Prefix
}

func (t *test) eval(o *Observation, obj map[string]any) bool {
	return t.path.values(o, obj, t)
}

// visit is the test applied to one value the path reached.
func (t *test) visit(v any) bool {
	if t.op == "EXISTS" {
		return true
	}
	r, ok := t.holds(v)
	return ok && r != t.not
}

// holds applies the operator to one value; ok is false when the value is
// not comparable with the constant (missing, another JSON type).
func (t *test) holds(v any) (result, ok bool) {
	switch t.op {
	case "IN":
		for _, l := range t.set {
			if c, ok := compare(v, l, t.path.foldCase); ok && c == 0 {
				return true, true
			}
		}
		_, ok := v.(string)
		if !ok {
			_, ok = toFloat(v)
		}
		return false, ok
	case "LIKE", "MATCHES":
		s, ok := v.(string)
		if !ok {
			return false, false
		}
		return t.re.MatchString(s), true
	case "ISSUBSET", "ISSUPERSET":
		s, ok := v.(string)
		if !ok {
			return false, false
		}
		p, err := parsePrefix(s)
		if err != nil || p.Addr().Is4() != t.prefix.Addr().Is4() {
			return false, false
		}
		if t.op == "ISSUBSET" {
			return t.prefix.Bits() <= p.Bits() && t.prefix.Contains(p.Addr()), true
		}
		return p.Bits() <= t.prefix.Bits() && p.Contains(t.prefix.Addr()), true
	}
	c, ok := compare(v, t.value, t.path.foldCase)
	if !ok {
		return false, false
	}
	switch t.op {
	case "=":
		return c == 0, true
	case "!=":
		return c != 0, true
	case "<":
		return c < 0, true
	case "<=":
		return c <= 0, true
	case ">":
		return c > 0, true
	case ">=":
		return c >= 0, true
	}
	return false, false
}

// compare orders a JSON value against a constant.
func compare(v any, l literal, fold bool) (int, bool) {
	switch l.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		if fold {
			return strings.Compare(strings.ToLower(s), strings.ToLower(l.s)), true
		}
		return strings.Compare(s, l.s), true
	case kindNumber:
		if l.isInt {
			if i, ok := toInt(v); ok {
				switch {
				case i < l.i:
					return -1, true
				case i > l.i:
					return 1, true
				}
				return 0, true
			}
		}
		f, ok := toFloat(v)
		if !ok {
			return 0, false
		}
		switch {
		case f < l.f:
			return -1, true
		case f > l.f:
			return 1, true
		}
		return 0, true
	case kindBool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if b == l.b {
			return 0, true
		}
		return 1, true
	case kindTime:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, false
		}
		return t.Compare(l.t), true
	case kindBytes:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		raw, err := hex.DecodeString(s)
		if err != nil {
			if raw, err = base64.StdEncoding.DecodeString(s); err != nil {
				return 0, false
			}
		}
		return bytes.Compare(raw, l.raw), true
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case json.Number:
		i, err := x.Int64()
		return i, err == nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

// sortedUnique sorts and de-duplicates ids in place.
func sortedUnique(ids []int32) []int32 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
