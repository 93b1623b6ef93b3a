package pattern

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax marks a pattern that does not parse or does not type-check.
var ErrSyntax = errors.New("stix pattern")

// maxLen bounds the pattern text Parse accepts, maxDepth its nesting of
// brackets (the parser recurses once per level).
const (
	maxLen   = 1 << 20
	maxDepth = 100
)

// nesting returns the deepest bracket nesting outside quoted constants.
func nesting(s string) int {
	depth, deepest, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == ')' || c == ']':
			depth--
		}
	}
	return deepest
}

// Pattern is a parsed, checked STIX pattern, ready to evaluate. It is
// immutable and safe for concurrent use.
type Pattern struct {
	text string
	root obsNode
}

// String returns the pattern text as given.
func (p *Pattern) String() string { return p.text }

// Parse parses and checks a STIX 2.1 pattern.
func Parse(text string) (*Pattern, error) {
	if len(text) > maxLen {
		return nil, fmt.Errorf("%w: pattern of %d bytes is longer than %d", ErrSyntax, len(text), maxLen)
	}
	if d := nesting(text); d > maxDepth {
		return nil, fmt.Errorf("%w: brackets nested %d deep, more than %d", ErrSyntax, d, maxDepth)
	}
	ast, err := parser.ParseString("", text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	root, err := compileFollowedBy(ast.Expr)
	if err != nil {
		return nil, err
	}
	return &Pattern{text: text, root: root}, nil
}

// MustParse is Parse for patterns known to be valid (tests, constants).
func MustParse(text string) *Pattern {
	p, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return p
}

func compileFollowedBy(a *astFollowedBy) (obsNode, error) {
	var terms []obsNode
	for _, t := range a.Terms {
		n, err := compileObsOr(t)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &obsFollowedBy{terms: terms}, nil
}

func compileObsOr(a *astObsOr) (obsNode, error) {
	var terms []obsNode
	for _, t := range a.Terms {
		n, err := compileObsAnd(t)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &obsOr{terms: terms}, nil
}

func compileObsAnd(a *astObsAnd) (obsNode, error) {
	var terms []obsNode
	for _, t := range a.Terms {
		n, err := compileQualified(t)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &obsAnd{terms: terms}, nil
}

func compileQualified(a *astQualified) (obsNode, error) {
	var n obsNode
	var err error
	if a.Base.Comparison != nil {
		var c compNode
		if c, err = compileCompOr(a.Base.Comparison); err != nil {
			return nil, err
		}
		n = &obsComparison{comp: c}
	} else if n, err = compileFollowedBy(a.Base.Group); err != nil {
		return nil, err
	}
	for _, q := range a.Qualifiers {
		switch {
		case q.Within != nil:
			secs, err := strconv.ParseFloat(*q.Within, 64)
			if err != nil || secs <= 0 || math.IsInf(secs, 0) {
				return nil, fmt.Errorf("%w: WITHIN %s SECONDS: need a positive number", ErrSyntax, *q.Within)
			}
			n = &obsWithin{inner: n, d: time.Duration(secs * float64(time.Second))}
		case q.Repeats != nil:
			k, err := strconv.Atoi(*q.Repeats)
			if err != nil || k < 1 || k > maxRepeats {
				return nil, fmt.Errorf("%w: REPEATS %s TIMES: need 1 to %d", ErrSyntax, *q.Repeats, maxRepeats)
			}
			n = &obsRepeats{inner: n, k: k}
		case q.Start != nil:
			start, err := parseTimestamp(*q.Start)
			if err != nil {
				return nil, err
			}
			stop, err := parseTimestamp(*q.Stop)
			if err != nil {
				return nil, err
			}
			if !stop.After(start) {
				return nil, fmt.Errorf("%w: STOP %s is not after START %s", ErrSyntax, *q.Stop, *q.Start)
			}
			n = &obsStartStop{inner: n, start: start, stop: stop}
		}
	}
	return n, nil
}

func compileCompOr(a *astCompOr) (compNode, error) {
	var terms []compNode
	for _, t := range a.Terms {
		n, err := compileCompAnd(t)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &compOr{terms: terms}, nil
}

func compileCompAnd(a *astCompAnd) (compNode, error) {
	var terms []compNode
	for _, t := range a.Terms {
		var n compNode
		var err error
		switch {
		case t.Exists != nil:
			var p path
			if p, err = compilePath(t.Exists); err == nil {
				n = &test{path: p, op: "EXISTS"}
			}
		case t.Group != nil:
			n, err = compileCompOr(t.Group)
		default:
			n, err = compileCompare(t.Test)
		}
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &compAnd{terms: terms}, nil
}

func compilePath(a *astPath) (path, error) {
	p := path{typ: a.Type}
	first := a.First.Name
	if first == nil {
		s, err := unquote(*a.First.Quoted)
		if err != nil {
			return p, err
		}
		first = &s
	}
	p.steps = append(p.steps, step{name: *first})
	for _, s := range a.Rest {
		switch {
		case s.Property != nil && s.Property.Name != nil:
			p.steps = append(p.steps, step{name: *s.Property.Name})
		case s.Property != nil:
			name, err := unquote(*s.Property.Quoted)
			if err != nil {
				return p, err
			}
			p.steps = append(p.steps, step{name: name})
		case *s.Index == "*":
			p.steps = append(p.steps, step{index: anyIndex, isIndex: true})
		default:
			i, err := strconv.Atoi(*s.Index)
			if err != nil || i < 0 {
				return p, fmt.Errorf("%w: list index [%s] in %s: need a non-negative integer or *", ErrSyntax, *s.Index, p.typ)
			}
			p.steps = append(p.steps, step{index: i, isIndex: true})
		}
	}
	for _, s := range p.steps {
		if s.name == "hashes" {
			p.foldCase = true
		}
	}
	return p, nil
}

func compileCompare(a *astCompare) (compNode, error) {
	p, err := compilePath(a.Path)
	if err != nil {
		return nil, err
	}
	op := a.Op
	switch op {
	case "==":
		op = "="
	case "<>":
		op = "!="
	}
	t := &test{path: p, not: a.Not, op: op}
	if op == "IN" {
		if a.Set == nil {
			return nil, fmt.Errorf("%w: IN needs a set ( ... ) after %s", ErrSyntax, p)
		}
		for _, l := range a.Set.Values {
			v, err := compileLiteral(l)
			if err != nil {
				return nil, err
			}
			t.set = append(t.set, v)
		}
		return t, nil
	}
	if a.Set != nil {
		return nil, fmt.Errorf("%w: %s takes one constant, not a set", ErrSyntax, op)
	}
	v, err := compileLiteral(a.Value)
	if err != nil {
		return nil, err
	}
	t.value = v
	switch op {
	case "<", "<=", ">", ">=":
		if v.kind == kindBool {
			return nil, fmt.Errorf("%w: %s %s: booleans are not ordered", ErrSyntax, p, op)
		}
	case "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET":
		if v.kind != kindString {
			return nil, fmt.Errorf("%w: %s %s needs a string constant", ErrSyntax, p, op)
		}
	}
	switch op {
	case "LIKE":
		t.re = regexp.MustCompile(likeToRegexp(v.s))
	case "MATCHES":
		re, err := regexp.Compile(v.s)
		if err != nil {
			return nil, fmt.Errorf("%w: MATCHES '%s': %v", ErrSyntax, v.s, err)
		}
		t.re = re
	case "ISSUBSET", "ISSUPERSET":
		pfx, err := parsePrefix(v.s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s '%s': not an IP address or CIDR block", ErrSyntax, op, v.s)
		}
		t.prefix = pfx
	}
	return t, nil
}

func likeToRegexp(s string) string {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return b.String()
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func unquote(s string) (string, error) {
	body := s[1 : len(s)-1]
	if !strings.Contains(body, `\`) {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) || (body[i] != '\'' && body[i] != '\\') {
			return "", fmt.Errorf("%w: string %s: only \\' and \\\\ are escapes", ErrSyntax, s)
		}
		b.WriteByte(body[i])
	}
	return b.String(), nil
}

func parseTimestamp(tok string) (time.Time, error) {
	s := tok[2 : len(tok)-1]
	if !strings.HasSuffix(s, "Z") || len(s) < 20 || s[10] != 'T' {
		return time.Time{}, fmt.Errorf("%w: timestamp %s: need t'YYYY-MM-DDTHH:MM:SS[.s+]Z'", ErrSyntax, tok)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %s: %v", ErrSyntax, tok, err)
	}
	return t, nil
}

func compileLiteral(a *astLiteral) (literal, error) {
	switch {
	case a.String != nil:
		s, err := unquote(*a.String)
		return literal{kind: kindString, s: s}, err
	case a.Int != nil:
		i, err := strconv.ParseInt(*a.Int, 10, 64)
		if err != nil {
			return literal{}, fmt.Errorf("%w: integer %s out of range", ErrSyntax, *a.Int)
		}
		return literal{kind: kindNumber, f: float64(i), i: i, isInt: true}, nil
	case a.Float != nil:
		f, err := strconv.ParseFloat(*a.Float, 64)
		if err != nil || math.IsInf(f, 0) {
			return literal{}, fmt.Errorf("%w: number %s out of range", ErrSyntax, *a.Float)
		}
		return literal{kind: kindNumber, f: f}, nil
	case a.Bool != nil:
		return literal{kind: kindBool, b: *a.Bool == "true"}, nil
	case a.Timestamp != nil:
		t, err := parseTimestamp(*a.Timestamp)
		return literal{kind: kindTime, t: t}, err
	case a.Hex != nil:
		body := (*a.Hex)[2 : len(*a.Hex)-1]
		raw, err := hex.DecodeString(body)
		if err != nil {
			return literal{}, fmt.Errorf("%w: hex constant %s: %v", ErrSyntax, *a.Hex, err)
		}
		return literal{kind: kindBytes, raw: raw}, nil
	default:
		body := (*a.Binary)[2 : len(*a.Binary)-1]
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return literal{}, fmt.Errorf("%w: binary constant %s: %v", ErrSyntax, *a.Binary, err)
		}
		return literal{kind: kindBytes, raw: raw}, nil
	}
}
