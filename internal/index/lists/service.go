package lists

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
	"github.com/interdict/interdict/internal/sources/sanctions/ofac"
	"github.com/interdict/interdict/internal/sources/sanctions/un"
)

var (
	// ErrSourceMismatch is returned when two versions of different sources
	// are compared.
	ErrSourceMismatch = errors.New("list versions are of different sources")
	// ErrCorrupt is returned when a stored entity blob cannot be decoded.
	ErrCorrupt = errors.New("corrupt list version data")
)

// ParseFunc parses one list file into a List.
type ParseFunc func(ctx context.Context, r io.Reader) (*sanctions.List, error)

// Loaded is a stored version with its entities.
type Loaded struct {
	Version
	Entities []sanctions.Entity
}

// Service loads list files into versions, keeps them in a Store and compares
// them. It is safe for concurrent use as far as the Store is.
type Service struct {
	store   Store
	log     *slog.Logger
	parsers map[sanctions.Source]ParseFunc
	now     func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithParser makes the Service read source src with parse, replacing or
// adding to the built-in OFAC and UN parsers.
func WithParser(src sanctions.Source, parse ParseFunc) Option {
	return func(s *Service) { s.parsers[src] = parse }
}

// WithClock sets the clock that stamps Version.LoadedAt.
func WithClock(now func() time.Time) Option {
	return func(s *Service) { s.now = now }
}

// NewService returns a Service over store that reads OFAC SDN advanced XML
// and the UN consolidated XML. A nil logger discards.
func NewService(store Store, logger *slog.Logger, opts ...Option) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		store: store,
		log:   logger,
		parsers: map[sanctions.Source]ParseFunc{
			sanctions.SourceOFAC: ofac.Parse,
			sanctions.SourceUN:   un.Parse,
		},
		// Stores keep microseconds (SQLite, PostgreSQL): truncating here makes
		// the Version Load returns equal the stored one.
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// VersionID is "<source>-<published YYYY-MM-DD>-<first 12 hex of sha256>".
func VersionID(src sanctions.Source, published time.Time, sha256Hex string) string {
	return fmt.Sprintf("%s-%s-%.12s", src, published.UTC().Format(time.DateOnly), sha256Hex)
}

// Load reads all of r (an uncompressed list file of source src), hashing it
// while the parser reads, stores the parsed list as a new version, and
// returns the version with its diff against the version of the same source
// that precedes it by publication date (nil if there is none). Loading a file
// already stored for src returns the stored version and an error wrapping
// ErrExists; a file the parser rejects, one wrapping sanctions.ErrMalformed.
func (s *Service) Load(ctx context.Context, src sanctions.Source, r io.Reader) (Version, *Diff, error) {
	parse, ok := s.parsers[src]
	if !ok {
		return Version{}, nil, fmt.Errorf("load list: %q: %w", src, sanctions.ErrUnknownSource)
	}
	start := time.Now()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h)}
	list, err := parse(ctx, cr)
	if err != nil {
		return Version{}, nil, fmt.Errorf("load %s list: %w", src, err)
	}
	// The parser may stop before EOF (after the closing tag); the digest is
	// of the whole file.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return Version{}, nil, fmt.Errorf("load %s list: %w", src, err)
	}
	parsed := time.Since(start)
	if list.Published.IsZero() {
		return Version{}, nil, fmt.Errorf("load %s list: no publication date: %w", src, sanctions.ErrMalformed)
	}
	sum := hex.EncodeToString(h.Sum(nil))

	versions, err := s.store.Versions(ctx)
	if err != nil {
		return Version{}, nil, fmt.Errorf("load %s list: %w", src, err)
	}
	for _, v := range versions {
		if v.Source == src && v.SHA256 == sum {
			return v, nil, fmt.Errorf("load %s list: %s: %w", src, v.ID, ErrExists)
		}
	}

	v := Version{
		ID:        VersionID(src, list.Published, sum),
		Source:    src,
		Published: list.Published.UTC(),
		SHA256:    sum,
		LoadedAt:  s.now(),
		Entities:  len(list.Entities),
	}
	for i := range list.Entities {
		v.Addresses += len(list.Entities[i].Addresses)
	}
	blob, err := encodeEntities(list.Entities)
	if err != nil {
		return Version{}, nil, fmt.Errorf("load %s list: %w", src, err)
	}
	if err := s.store.SaveVersion(ctx, v, blob); err != nil {
		if errors.Is(err, ErrExists) {
			return v, nil, fmt.Errorf("load %s list: %s: %w", src, v.ID, err)
		}
		return Version{}, nil, fmt.Errorf("load %s list: save: %w", src, err)
	}
	s.log.Info("list version stored", "id", v.ID, "source", src, "published", v.Published.Format(time.DateOnly),
		"entities", v.Entities, "addresses", v.Addresses, "bytes", cr.n, "blob_bytes", len(blob),
		"parse", parsed, "total", time.Since(start))

	prev, ok := previousVersion(versions, v)
	if !ok {
		return v, nil, nil
	}
	old, err := s.Entities(ctx, prev.ID)
	if err != nil {
		return v, nil, fmt.Errorf("load %s list: diff against %s: %w", src, prev.ID, err)
	}
	return v, ComputeDiff(prev, v, old, list.Entities), nil
}

// previousVersion returns the version of v's source that comes last, in
// (Published, LoadedAt) order, among those published no later than v.
func previousVersion(versions []Version, v Version) (Version, bool) {
	var best Version
	found := false
	for _, c := range versions {
		if c.Source != v.Source || c.ID == v.ID || c.Published.After(v.Published) {
			continue
		}
		if !found || compareRecency(c, best) > 0 {
			best, found = c, true
		}
	}
	return best, found
}

// compareRecency orders versions of one source by publication date, then by
// load time: a re-published list of the same date loaded later is newer.
func compareRecency(a, b Version) int {
	return cmp.Or(a.Published.Compare(b.Published), a.LoadedAt.Compare(b.LoadedAt))
}

// Versions lists every stored version, oldest loaded first.
func (s *Service) Versions(ctx context.Context) ([]Version, error) {
	return s.store.Versions(ctx)
}

// Version returns one stored version; an error wrapping ErrNotFound if absent.
func (s *Service) Version(ctx context.Context, id string) (Version, error) {
	return s.store.Version(ctx, id)
}

// Entities returns the entities of a stored version.
func (s *Service) Entities(ctx context.Context, id string) ([]sanctions.Entity, error) {
	blob, err := s.store.VersionBlob(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := decodeEntities(blob)
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", id, err)
	}
	return e, nil
}

// Diff compares two stored versions of the same source: ErrNotFound for an
// unknown id, ErrSourceMismatch for versions of different sources.
func (s *Service) Diff(ctx context.Context, from, to string) (*Diff, error) {
	vf, err := s.store.Version(ctx, from)
	if err != nil {
		return nil, err
	}
	vt, err := s.store.Version(ctx, to)
	if err != nil {
		return nil, err
	}
	if vf.Source != vt.Source {
		return nil, fmt.Errorf("diff %s %s: %s vs %s: %w", from, to, vf.Source, vt.Source, ErrSourceMismatch)
	}
	a, err := s.Entities(ctx, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Entities(ctx, to)
	if err != nil {
		return nil, err
	}
	return ComputeDiff(vf, vt, a, b), nil
}

// Latest returns the most recent version of each source (by publication date,
// then load time) with its entities, ordered by source. Sources decode in
// parallel: this is the start-up path of the screening index.
func (s *Service) Latest(ctx context.Context) ([]Loaded, error) {
	versions, err := s.store.Versions(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[sanctions.Source]Version{}
	for _, v := range versions {
		if cur, ok := latest[v.Source]; !ok || compareRecency(v, cur) > 0 {
			latest[v.Source] = v
		}
	}
	out := make([]Loaded, 0, len(latest))
	for _, v := range latest {
		out = append(out, Loaded{Version: v})
	}
	slices.SortFunc(out, func(a, b Loaded) int { return cmp.Compare(a.Source, b.Source) })
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			out[i].Entities, errs[i] = s.Entities(ctx, out[i].ID)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
