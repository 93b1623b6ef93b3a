package taxii

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Query is a request's filters and paging (TAXII 2.1 section 3.4 and 3.5).
type Query struct {
	Limit      int
	Next       cursor
	AddedAfter time.Time
	IDs        []string
	Types      []string
	// Versions holds "first", "last", "all" and timestamps; empty means the
	// endpoint's default.
	Versions     []string
	SpecVersions []string
}

// cursor is the position after the last version of a page: the opaque
// next token is its encoding.
type cursor struct {
	set       bool
	dateAdded time.Time
	seq       int64
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d.%d", c.dateAdded.UnixMicro(), c.seq)))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, fmt.Errorf("%w: next %q is not a token this server issued", ErrInvalid, s)
	}
	a, c, ok := strings.Cut(string(b), ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	seq, err2 := strconv.ParseInt(c, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return cursor{}, fmt.Errorf("%w: next %q is not a token this server issued", ErrInvalid, s)
	}
	return cursor{set: true, dateAdded: time.UnixMicro(us).UTC(), seq: seq}, nil
}

// maxMatchValues bounds the ids and types one request may match on.
const maxMatchValues = 1000

// parseQuery reads the query parameters of a request. allowed lists the
// match fields the endpoint supports; others are refused, as are bad values.
func parseQuery(v url.Values, maxLimit int, allowed ...string) (Query, error) {
	var q Query
	for k := range v {
		switch k {
		case "limit", "next", "added_after":
		default:
			f, ok := strings.CutPrefix(k, "match[")
			f, ok2 := strings.CutSuffix(f, "]")
			if !ok || !ok2 {
				continue // unknown parameters are ignored, as custom ones may be
			}
			if !slices.Contains(allowed, f) {
				return Query{}, fmt.Errorf("%w: match[%s] is not supported on this endpoint", ErrInvalid, f)
			}
		}
	}
	q.Limit = maxLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return Query{}, fmt.Errorf("%w: limit %q is not a positive integer", ErrInvalid, s)
		}
		q.Limit = min(n, maxLimit)
	}
	if s := v.Get("next"); s != "" {
		c, err := decodeCursor(s)
		if err != nil {
			return Query{}, err
		}
		q.Next = c
	}
	if s := v.Get("added_after"); s != "" {
		t, err := ParseTimestamp(s)
		if err != nil {
			return Query{}, fmt.Errorf("added_after: %w", err)
		}
		q.AddedAfter = t
	}
	q.IDs = list(v, "match[id]")
	q.Types = list(v, "match[type]")
	if len(q.IDs)+len(q.Types) > maxMatchValues {
		return Query{}, fmt.Errorf("%w: more than %d match[id] and match[type] values", ErrInvalid, maxMatchValues)
	}
	q.SpecVersions = list(v, "match[spec_version]")
	for _, s := range q.SpecVersions {
		if s != "2.0" && s != "2.1" {
			return Query{}, fmt.Errorf("%w: match[spec_version] %q is not 2.0 or 2.1", ErrInvalid, s)
		}
	}
	q.Versions = list(v, "match[version]")
	for _, s := range q.Versions {
		switch s {
		case "first", "last", "all":
		default:
			if _, err := ParseTimestamp(s); err != nil {
				return Query{}, fmt.Errorf("match[version]: %w", err)
			}
		}
	}
	return q, nil
}

// list splits a comma-separated match value; repeated parameters add up.
func list(v url.Values, key string) []string {
	var out []string
	for _, s := range v[key] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// selectVersions applies the spec_version and version filters to metas (one
// collection's versions in page order) and returns those kept, in order.
// Without match[spec_version], only each object's latest spec version is
// kept; without match[version], defaultVersion applies ("last" for objects,
// "all" for the versions endpoint and deletes).
func selectVersions(metas []Object, q Query, defaultVersion string) []Object {
	maxSpec := map[string]string{}
	if len(q.SpecVersions) == 0 {
		for _, o := range metas {
			if o.SpecVersion > maxSpec[o.ID] {
				maxSpec[o.ID] = o.SpecVersion
			}
		}
	}
	keptSpec := metas[:0:0]
	for _, o := range metas {
		if len(q.SpecVersions) == 0 && o.SpecVersion == maxSpec[o.ID] || slices.Contains(q.SpecVersions, o.SpecVersion) {
			keptSpec = append(keptSpec, o)
		}
	}
	versions := q.Versions
	if len(versions) == 0 {
		versions = []string{defaultVersion}
	}
	var all, first, last bool
	var exact []time.Time
	for _, v := range versions {
		switch v {
		case "all":
			all = true
		case "first":
			first = true
		case "last":
			last = true
		default:
			t, _ := ParseTimestamp(v) // parseQuery checked it
			exact = append(exact, t)
		}
	}
	if all {
		return keptSpec
	}
	firstOf, lastOf := map[string]Object{}, map[string]Object{}
	for _, o := range keptSpec {
		if f, ok := firstOf[o.ID]; !ok || versionLess(o, f) {
			firstOf[o.ID] = o
		}
		if l, ok := lastOf[o.ID]; !ok || versionLess(l, o) {
			lastOf[o.ID] = o
		}
	}
	var out []Object
	for _, o := range keptSpec {
		if first && firstOf[o.ID].Seq == o.Seq || last && lastOf[o.ID].Seq == o.Seq ||
			slices.ContainsFunc(exact, func(t time.Time) bool { return !o.VersionTime.IsZero() && t.Equal(o.VersionTime) }) {
			out = append(out, o)
		}
	}
	return out
}

// versionLess orders the versions of one object: by version time (objects
// without one by date_added), then by date_added, then by insertion.
func versionLess(a, b Object) bool {
	at, bt := a.VersionTime, b.VersionTime
	if at.IsZero() {
		at = a.DateAdded
	}
	if bt.IsZero() {
		bt = b.DateAdded
	}
	if !at.Equal(bt) {
		return at.Before(bt)
	}
	if !a.DateAdded.Equal(b.DateAdded) {
		return a.DateAdded.Before(b.DateAdded)
	}
	return a.Seq < b.Seq
}

// nextToken is the next value after a page ending with last.
func nextToken(last Object) string {
	return cursor{set: true, dateAdded: last.DateAdded, seq: last.Seq}.encode()
}
