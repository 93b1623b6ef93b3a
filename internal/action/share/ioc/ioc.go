// Package ioc matches observables a security team sees (file hashes,
// domains, URLs, IP addresses, email addresses, crypto addresses) against
// every STIX indicator held in the TAXII collections, with the indicators'
// patterns evaluated (package stix/pattern), not compared as strings: an
// indicator `[ipv4-addr:value ISSUBSET '198.51.100.0/24']` matches
// 198.51.100.7, and `[domain-name:value LIKE '%.example-exchange.com']`
// matches a subdomain.
//
// An answer names only indicators the asking key may read, by the same rules
// as the TAXII server: read rights on the collection (its defaults and
// grants), and the TLP of the indicator version (RED only to its owner,
// AMBER only with a grant). The store filters TLP in its queries, so the
// matcher keeps one compiled index per collection and viewer, loaded
// incrementally (versions added after the last one loaded) on each request
// and rebuilt after Config.Rebuild (to forget deleted versions). Only the
// latest version of an indicator counts; revoked indicators, indicators
// whose pattern is not STIX, and those outside valid_from..valid_until do
// not match (expired ones are counted in the answer's stats).
package ioc

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/interdict/interdict/internal/action/share/stix"
	"github.com/interdict/interdict/internal/action/share/stix/pattern"
	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/serve/auth"
)

// ErrInvalid: an observable the matcher cannot turn into a STIX object.
var ErrInvalid = errors.New("ioc: invalid observable")

// Source is what the matcher reads of the TAXII store.
type Source interface {
	APIRoots(ctx context.Context) ([]taxii.APIRoot, error)
	Collections(ctx context.Context, root string) ([]taxii.Collection, error)
	Grants(ctx context.Context, root, collection string) ([]taxii.Grant, error)
	ObjectMetas(ctx context.Context, root, collection string, q taxii.MetaQuery) ([]taxii.Object, error)
	ObjectBodies(ctx context.Context, seqs []int64) (map[int64]json.RawMessage, error)
}

// Config tunes a Matcher.
type Config struct {
	// Rebuild is how old a collection's index may get before it is read
	// again from scratch (deleted versions are forgotten then).
	Rebuild time.Duration
	// Chunk is how many indicator versions one store read returns.
	Chunk int
	// MaxObservables bounds one request.
	MaxObservables int
}

// DefaultConfig rebuilds every 5 minutes, reads 1,000 versions at a time and
// takes up to 1,000 observables per request.
func DefaultConfig() Config {
	return Config{Rebuild: 5 * time.Minute, Chunk: 1000, MaxObservables: 1000}
}

// Observable is one thing seen. Kind is one of md5, sha1, sha256, sha512
// (file hashes), domain, url, ipv4, ipv6, email, address (a crypto address;
// Currency optional, e.g. "btc", "eth").
type Observable struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Currency string `json:"currency,omitempty"`
}

// Hit is one indicator an observable matched.
type Hit struct {
	Observable  int        `json:"observable"` // index in the request
	IndicatorID string     `json:"indicator_id"`
	Name        string     `json:"name,omitempty"`
	Pattern     string     `json:"pattern"`
	Types       []string   `json:"indicator_types,omitempty"`
	Source      string     `json:"source,omitempty"` // created_by_ref
	TLP         taxii.TLP  `json:"tlp,omitempty"`
	APIRoot     string     `json:"api_root"`
	Collection  string     `json:"collection"`
	Title       string     `json:"collection_title,omitempty"`
	Version     string     `json:"version"`
	ValidUntil  *time.Time `json:"valid_until,omitempty"`
}

// Stats says what a match looked at.
type Stats struct {
	Collections int `json:"collections"` // readable by the key
	Indicators  int `json:"indicators"`  // current, valid, STIX-pattern indicators considered
	Expired     int `json:"expired"`     // latest versions past valid_until or revoked
	Unparsed    int `json:"unparsed"`    // patterns that did not parse (not STIX, or invalid)
}

// Matcher answers Match calls; safe for concurrent use.
type Matcher struct {
	src Source
	cfg Config
	now func() time.Time

	mu    sync.Mutex // guards cache
	cache map[cacheKey]*collIndex
}

// New returns a matcher over src.
func New(src Source, cfg Config) *Matcher {
	d := DefaultConfig()
	if cfg.Rebuild <= 0 {
		cfg.Rebuild = d.Rebuild
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = d.Chunk
	}
	if cfg.MaxObservables <= 0 {
		cfg.MaxObservables = d.MaxObservables
	}
	return &Matcher{src: src, cfg: cfg, now: time.Now, cache: map[cacheKey]*collIndex{}}
}

type cacheKey struct {
	root, collection string
	viewer           taxii.Viewer
}

// collIndex is the compiled indicators of one collection as one viewer sees
// it. mu serialises its refresh and reads.
type collIndex struct {
	mu     sync.Mutex
	built  time.Time
	after  *taxii.Position
	ix     *pattern.Index
	ind    map[string]*indicator // by index id (the version's seq)
	latest map[string]int64      // indicator id → seq of its latest version
	stats  Stats
}

type indicator struct {
	seq        int64
	version    time.Time
	hit        Hit
	validFrom  time.Time
	validUntil time.Time
	revoked    bool
}

// Match returns the hits of every observable against the indicators k may
// read, ordered by observable, then collection, then indicator id.
func (m *Matcher) Match(ctx context.Context, k auth.Key, obs []Observable) ([]Hit, Stats, error) {
	var st Stats
	if len(obs) > m.cfg.MaxObservables {
		return nil, st, fmt.Errorf("%w: %d observables, at most %d per request", ErrInvalid, len(obs), m.cfg.MaxObservables)
	}
	observations := make([]pattern.Observation, len(obs))
	now := m.now().UTC()
	for i, o := range obs {
		scos, err := o.objects()
		if err != nil {
			return nil, st, fmt.Errorf("observable %d: %w", i, err)
		}
		observations[i] = pattern.Observation{First: now, Last: now, Objects: scos}
	}
	roots, err := m.src.APIRoots(ctx)
	if err != nil {
		return nil, st, fmt.Errorf("ioc: api roots: %w", err)
	}
	var hits []Hit
	for _, r := range roots {
		colls, err := m.src.Collections(ctx, r.Name)
		if err != nil {
			return nil, st, fmt.Errorf("ioc: collections of %s: %w", r.Name, err)
		}
		for _, c := range colls {
			grants, err := m.src.Grants(ctx, r.Name, c.ID)
			if err != nil {
				return nil, st, fmt.Errorf("ioc: grants of %s/%s: %w", r.Name, c.ID, err)
			}
			rights := taxii.RightsFor(k, c, grants)
			if !rights.Read {
				continue
			}
			st.Collections++
			ci, err := m.index(ctx, c, taxii.Viewer{Member: k.Member, Amber: rights.Amber})
			if err != nil {
				return nil, st, err
			}
			hits = append(hits, ci.match(observations, now, &st)...)
		}
	}
	sortHits(hits)
	return hits, st, nil
}

// index returns the collection's compiled indicators for viewer, refreshed.
func (m *Matcher) index(ctx context.Context, c taxii.Collection, v taxii.Viewer) (*collIndex, error) {
	key := cacheKey{root: c.APIRoot, collection: c.ID, viewer: v}
	m.mu.Lock()
	ci := m.cache[key]
	if ci == nil {
		ci = &collIndex{}
		m.cache[key] = ci
	}
	m.mu.Unlock()
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if ci.ix == nil || m.now().Sub(ci.built) >= m.cfg.Rebuild {
		ci.built, ci.after, ci.stats = m.now(), nil, Stats{}
		ci.ix, ci.ind, ci.latest = pattern.NewIndex(), map[string]*indicator{}, map[string]int64{}
	}
	for {
		metas, err := m.src.ObjectMetas(ctx, c.APIRoot, c.ID, taxii.MetaQuery{Viewer: v, Types: []string{"indicator"}, After: ci.after, Limit: m.cfg.Chunk})
		if err != nil {
			return nil, fmt.Errorf("ioc: indicators of %s/%s: %w", c.APIRoot, c.ID, err)
		}
		if len(metas) == 0 {
			return ci, nil
		}
		seqs := make([]int64, len(metas))
		for i := range metas {
			seqs[i] = metas[i].Seq
		}
		bodies, err := m.src.ObjectBodies(ctx, seqs)
		if err != nil {
			return nil, fmt.Errorf("ioc: indicator bodies of %s/%s: %w", c.APIRoot, c.ID, err)
		}
		for i := range metas {
			ci.add(c, &metas[i], bodies[metas[i].Seq])
		}
		last := metas[len(metas)-1]
		ci.after = &taxii.Position{DateAdded: last.DateAdded, Seq: last.Seq}
		if len(metas) < m.cfg.Chunk {
			return ci, nil
		}
	}
}

// add compiles one indicator version. A version older than one already held
// (versions arrive by date_added, not by modified) is kept out.
func (ci *collIndex) add(c taxii.Collection, meta *taxii.Object, body json.RawMessage) {
	if prev, ok := ci.latest[meta.ID]; ok {
		if old := ci.ind[strconv.FormatInt(prev, 10)]; old != nil && !meta.VersionTime.After(old.version) {
			return
		}
	}
	ci.latest[meta.ID] = meta.Seq
	obj, err := stix.Parse(body)
	in, ok := obj.(*stix.Indicator)
	if err != nil || !ok || in.PatternType != "stix" {
		ci.stats.Unparsed++
		return
	}
	p, err := pattern.Parse(in.Pattern)
	if err != nil {
		ci.stats.Unparsed++
		return
	}
	id := strconv.FormatInt(meta.Seq, 10)
	x := &indicator{seq: meta.Seq, version: meta.VersionTime, validFrom: in.ValidFrom.Time(), validUntil: in.ValidUntil.Time(),
		revoked: in.Revoked != nil && *in.Revoked,
		hit: Hit{IndicatorID: in.ID, Name: in.Name, Pattern: in.Pattern, Types: in.IndicatorTypes,
			Source: in.CreatedByRef, TLP: meta.TLP, APIRoot: c.APIRoot, Collection: c.ID, Title: c.Title,
			Version: meta.Version}}
	if !x.validUntil.IsZero() {
		u := x.validUntil
		x.hit.ValidUntil = &u
	}
	ci.ind[id] = x
	ci.ix.Add(id, p)
}

// match runs the observations through the index; hits of superseded
// versions, revoked or out-of-validity indicators are dropped.
func (ci *collIndex) match(obs []pattern.Observation, now time.Time, st *Stats) []Hit {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	st.Unparsed += ci.stats.Unparsed
	for _, seq := range ci.latest {
		x := ci.ind[strconv.FormatInt(seq, 10)]
		switch {
		case x == nil:
		case !x.current(now):
			st.Expired++
		default:
			st.Indicators++
		}
	}
	var hits []Hit
	for i := range obs {
		seen := map[string]bool{}
		for _, id := range ci.ix.Match(obs[i]) {
			x := ci.ind[id]
			if x == nil || ci.latest[x.hit.IndicatorID] != x.seq || !x.current(now) || seen[id] {
				continue
			}
			seen[id] = true
			h := x.hit
			h.Observable = i
			hits = append(hits, h)
		}
	}
	return hits
}

// current: not revoked and now within valid_from..valid_until.
func (x *indicator) current(now time.Time) bool {
	if x.revoked || (!x.validFrom.IsZero() && now.Before(x.validFrom)) {
		return false
	}
	return x.validUntil.IsZero() || now.Before(x.validUntil)
}

// objects turns an observable into the STIX cyber-observable objects
// patterns are evaluated against: one per spelling an indicator may use
// (STIX comparisons are exact), all in one observation, so a pattern that
// matches any of them matches the observable once.
func (o Observable) objects() ([]map[string]any, error) {
	v := strings.TrimSpace(o.Value)
	if v == "" {
		return nil, fmt.Errorf("%w: empty value", ErrInvalid)
	}
	one := func(typ string, val string) []map[string]any {
		return []map[string]any{{"type": typ, "value": val}}
	}
	hash := func(algo string) ([]map[string]any, error) {
		if _, err := hex.DecodeString(v); err != nil {
			return nil, fmt.Errorf("%w: %s hash %q is not hex", ErrInvalid, algo, v)
		}
		var out []map[string]any
		for _, s := range variants(strings.ToLower(v), strings.ToUpper(v)) {
			out = append(out, map[string]any{"type": "file", "hashes": map[string]any{algo: s}})
		}
		return out, nil
	}
	switch strings.ToLower(o.Kind) {
	case "md5":
		return hash("MD5")
	case "sha1", "sha-1":
		return hash("SHA-1")
	case "sha256", "sha-256":
		return hash("SHA-256")
	case "sha512", "sha-512":
		return hash("SHA-512")
	case "domain":
		return one("domain-name", strings.ToLower(strings.TrimSuffix(v, "."))), nil
	case "url":
		return one("url", v), nil
	case "ipv4", "ipv6":
		a, err := netip.ParseAddr(v)
		if err != nil || a.Is4() != (strings.ToLower(o.Kind) == "ipv4") {
			return nil, fmt.Errorf("%w: %q is not an %s address", ErrInvalid, v, o.Kind)
		}
		return one(strings.ToLower(o.Kind)+"-addr", a.String()), nil
	case "email":
		return one("email-addr", strings.ToLower(v)), nil
	case "address":
		spellings := []string{v}
		if common.IsHexAddress(v) { // EVM: as given, lower case, EIP-55
			spellings = variants(v, strings.ToLower(v), common.HexToAddress(v).Hex())
		}
		var out []map[string]any
		for _, s := range spellings {
			w := map[string]any{"type": "cryptocurrency-wallet", "address": s}
			if o.Currency != "" {
				w["currency"] = strings.ToLower(o.Currency)
			}
			out = append(out, w)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: kind %q (want md5, sha1, sha256, sha512, domain, url, ipv4, ipv6, email or address)", ErrInvalid, o.Kind)
}

// variants returns the distinct strings of ss, in order.
func variants(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func sortHits(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Observable, b.Observable), cmp.Compare(a.APIRoot, b.APIRoot),
			cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.IndicatorID, b.IndicatorID))
	})
}
