package watch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/analysis/trace"
)

// state is one chain's engine state during a CatchUp: the settings, the
// active flags, the watchlist and the live taint of active flags.
type state struct {
	chain    string
	settings Settings
	// flags are the active flags by id, each with its subjects.
	flags     map[string][]Source
	evaluated map[string]bool
	// Subjects of active flags (seeds once their flag is evaluated).
	byAddr map[string][]string // normalised address → flag ids
	byTx   map[string][]string // txid (every output) → flag ids
	byOut  map[string][]string // "txid:vout" → flag ids
	// live is the taint of active flags: ref → flag → row.
	live   map[string]map[string]*TaintRow
	watch  map[string]Entry // normalised address → entry
	hashed map[string]Entry // HMAC → entry
	hasher *Hasher
	// tags decides the stop rule (nil: no stop); stops caches it.
	tags  trace.Tagger
	stops map[string]bool
}

func (e *Engine) load(ctx context.Context, c string) (*state, error) {
	st := e.d.Store
	s := &state{chain: c, live: map[string]map[string]*TaintRow{}, hasher: e.d.Hasher}
	var err error
	if s.settings, err = st.WatchSettings(ctx); err != nil {
		return nil, err
	}
	if len(s.settings.StopCategories) > 0 {
		s.tags, s.stops = e.d.Tags, map[string]bool{}
	}
	if s.evaluated, err = st.EvaluatedFlags(ctx, c); err != nil {
		return nil, err
	}
	fm, err := e.flagMaps(ctx, c)
	if err != nil {
		return nil, err
	}
	s.flags, s.byAddr, s.byTx, s.byOut = fm.flags, fm.byAddr, fm.byTx, fm.byOut
	rows, err := st.LiveTaint(ctx, c)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		r := &rows[i]
		if _, active := s.flags[r.Flag]; !active || !s.evaluated[r.Flag] {
			continue // revoked or expired: its taint stops here
		}
		s.put(r)
	}
	if s.watch, s.hashed, err = e.watchlist(ctx, c); err != nil {
		return nil, err
	}
	return s, nil
}

// WatchlistVersioned is implemented by a Store that can say cheaply whether
// the watchlist changed (both state stores): the engine then reads it once,
// not on every catch-up (10k entries took ~20 ms of each block).
type WatchlistVersioned interface {
	WatchlistVersion(ctx context.Context) (int64, error)
}

// watchCache is a chain's watchlist as last read, by plain address and by
// HMAC; the maps are never written once built.
type watchCache struct {
	version       int64
	watch, hashed map[string]Entry
}

// watchlist returns a chain's watch entries by plain address and by HMAC,
// from the cache while the store's watchlist version is unchanged.
func (e *Engine) watchlist(ctx context.Context, c string) (map[string]Entry, map[string]Entry, error) {
	var (
		version   int64
		versioned bool
	)
	if vs, ok := e.d.Store.(WatchlistVersioned); ok {
		v, err := vs.WatchlistVersion(ctx)
		if err == nil {
			version, versioned = v, true
			if wc := e.watchCache[c]; wc != nil && wc.version == v {
				return wc.watch, wc.hashed, nil
			}
		} else {
			e.d.Log.Debug("watch: no watchlist version; reading the watchlist", "err", err)
		}
	}
	entries, err := e.d.Store.Watchlist(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	wc := &watchCache{version: version, watch: map[string]Entry{}, hashed: map[string]Entry{}}
	for _, en := range entries {
		if en.Hashed {
			wc.hashed[en.Address] = en
		} else {
			wc.watch[en.Address] = en
		}
	}
	if versioned {
		e.watchCache[c] = wc
	}
	return wc.watch, wc.hashed, nil
}

func appendOnce(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func (s *state) put(r *TaintRow) {
	m := s.live[r.Ref]
	if m == nil {
		m = map[string]*TaintRow{}
		s.live[r.Ref] = m
	}
	m[r.Flag] = r
}

// watched returns the watch entry of a normalised address, if any.
func (s *state) watched(addr string) (Entry, bool) {
	if addr == "" {
		return Entry{}, false
	}
	if en, ok := s.watch[addr]; ok {
		return en, true
	}
	if s.hasher != nil && len(s.hashed) > 0 {
		en, ok := s.hashed[s.hasher.Hash(s.chain, addr)]
		return en, ok
	}
	return Entry{}, false
}

// unevaluated returns the active flags without a retro trace, by id.
func (s *state) unevaluated() []string {
	var out []string
	for id := range s.flags {
		if !s.evaluated[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// alert builds an alert of flag id.
func (s *state) alert(id string, en Entry, address, asset, tx string, vout int, height int64, block string, hop int, path []string) Alert {
	a := Alert{Status: Open, Chain: s.chain, Address: address, Kind: en.Kind, Label: en.Label, Asset: asset,
		FlagID: id, FlagIDs: []string{id}, Tx: tx, Vout: vout, Height: height, Block: block, Hop: hop,
		Path: slices.Clone(path), Model: s.settings.Model}
	if srcs := s.flags[id]; len(srcs) > 0 {
		a.Incident, a.Actor, a.Reason = srcs[0].Incident, srcs[0].Actor, srcs[0].Reason
	}
	a.ID = AlertID(id, s.chain, address, tx, vout)
	return a
}

// hopOK reports whether taint at hop h is still followed.
func (s *state) hopOK(h int) bool { return s.settings.MaxHops == 0 || h < s.settings.MaxHops }

// flagMaps are the active flags of a chain indexed by subject.
type flagMaps struct {
	version string
	flags   map[string][]Source
	byAddr  map[string][]string
	byTx    map[string][]string
	byOut   map[string][]string
}

// Versioned is implemented by a FlagSource that can say cheaply whether a
// chain's active flags changed: the engine then indexes them once, not on
// every catch-up (a million flagged addresses take a second to index).
type Versioned interface {
	FlagsVersion(ctx context.Context, chain string) (string, error)
}

func (e *Engine) flagMaps(ctx context.Context, c string) (*flagMaps, error) {
	var version string
	vs, versioned := e.d.Flags.(Versioned)
	if versioned {
		var err error
		if version, err = vs.FlagsVersion(ctx, c); err != nil {
			return nil, fmt.Errorf("flags version: %w", err)
		}
		if fm := e.flagCache[c]; fm != nil && fm.version == version {
			return fm, nil
		}
	}
	srcs, err := e.d.Flags.ActiveFlags(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("active flags: %w", err)
	}
	fm := &flagMaps{version: version, flags: map[string][]Source{}, byAddr: map[string][]string{}, byTx: map[string][]string{},
		byOut: map[string][]string{}}
	for _, src := range srcs {
		if src.Chain != c || src.FlagID == "" {
			continue
		}
		if src.Address != "" {
			if src.Address, err = NormalizeAddress(c, src.Address); err != nil {
				e.d.Log.Warn("watch: flagged address skipped", "flag", src.FlagID, "err", err)
				continue
			}
		}
		src.Tx = strings.ToLower(src.Tx)
		fm.flags[src.FlagID] = append(fm.flags[src.FlagID], src)
		switch {
		case src.Address != "":
			fm.byAddr[src.Address] = appendOnce(fm.byAddr[src.Address], src.FlagID)
		case src.Vout >= 0:
			k := fmt.Sprintf("%s:%d", src.Tx, src.Vout)
			fm.byOut[k] = appendOnce(fm.byOut[k], src.FlagID)
		case src.Tx != "":
			fm.byTx[src.Tx] = appendOnce(fm.byTx[src.Tx], src.FlagID)
		}
	}
	if versioned {
		e.flagCache[c] = fm
	}
	return fm, nil
}

// seeds returns the evaluated flags among ids.
func (s *state) seeds(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := ids[:0:0]
	for _, id := range ids {
		if s.evaluated[id] {
			out = append(out, id)
		}
	}
	return out
}
