package taxii

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/interdict/interdict/internal/serve/auth"
)

// discovery answers GET /taxii2/ (section 4.1).
func (s *Server) discovery(req *request) error {
	ctx := req.r.Context()
	d, err := s.store.Discovery(ctx)
	if err != nil {
		return err
	}
	roots, err := s.store.APIRoots(ctx)
	if err != nil {
		return err
	}
	out := struct {
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Contact     string   `json:"contact,omitempty"`
		Default     string   `json:"default,omitempty"`
		APIRoots    []string `json:"api_roots,omitempty"`
	}{Title: d.Title, Description: d.Description, Contact: d.Contact}
	if out.Title == "" {
		out.Title = "Interdict TAXII 2.1 server"
	}
	base := s.baseURL(req.r)
	for _, r := range roots {
		out.APIRoots = append(out.APIRoots, base+pathEscape(r.Name)+"/")
		if r.Name == d.Default {
			out.Default = base + pathEscape(r.Name) + "/"
		}
	}
	s.writeJSON(req.w, http.StatusOK, out)
	return nil
}

// baseURL is where the roots are served: the configured public URL or the
// request's own scheme and host.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/") + Prefix
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}

func pathEscape(s string) string { return url.PathEscape(s) }

// root returns the API root named in the path.
func (s *Server) root(ctx context.Context, name string) (APIRoot, error) {
	roots, err := s.store.APIRoots(ctx)
	if err != nil {
		return APIRoot{}, err
	}
	for _, r := range roots {
		if r.Name == name {
			return r, nil
		}
	}
	return APIRoot{}, fmt.Errorf("%w: API root %q", ErrNotFound, name)
}

// maxContent is the effective body cap of a root.
func (s *Server) maxContent(r APIRoot) int64 {
	if r.MaxContentLength > 0 && r.MaxContentLength < s.cfg.MaxContentLength {
		return r.MaxContentLength
	}
	return s.cfg.MaxContentLength
}

// apiRoot answers GET /taxii2/{root}/ (section 4.2).
func (s *Server) apiRoot(req *request) error {
	r, err := s.root(req.r.Context(), req.path[0])
	if err != nil {
		return err
	}
	r.MaxContentLength = s.maxContent(r)
	if len(r.Versions) == 0 {
		r.Versions = []string{MediaType}
	}
	s.writeJSON(req.w, http.StatusOK, r)
	return nil
}

// statusJSON is the status resource (section 4.3.1).
type statusJSON struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

func statusOut(st Status) statusJSON {
	out := statusJSON{ID: st.ID, Status: st.Status, TotalCount: st.TotalCount,
		SuccessCount: len(st.Successes), Successes: st.Successes,
		FailureCount: len(st.Failures), Failures: st.Failures,
		PendingCount: len(st.Pendings), Pendings: st.Pendings}
	if !st.RequestTimestamp.IsZero() {
		out.RequestTimestamp = FormatTimestamp(st.RequestTimestamp)
	}
	return out
}

// status answers GET /taxii2/{root}/status/{id}/ (section 4.3): to the
// member that posted, or an admin.
func (s *Server) status(req *request) error {
	ctx := req.r.Context()
	if _, err := s.root(ctx, req.path[0]); err != nil {
		return err
	}
	st, err := s.store.Status(ctx, req.path[0], req.path[2])
	if err != nil {
		return err
	}
	if req.key.Role != auth.RoleAdmin && st.Owner != req.key.Member {
		return fmt.Errorf("%w: status %q", ErrNotFound, req.path[2])
	}
	s.writeJSON(req.w, http.StatusOK, statusOut(st))
	return nil
}

// collectionJSON is the collection resource (section 5.2.1); the rights are
// the caller's.
type collectionJSON struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

func (s *Server) collectionOut(ctx context.Context, k auth.Key, c Collection) (collectionJSON, error) {
	rt, err := s.rightsOn(ctx, k, c)
	if err != nil {
		return collectionJSON{}, err
	}
	mts := c.MediaTypes
	if len(mts) == 0 {
		mts = []string{STIXMediaType("2.1")}
	}
	return collectionJSON{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias,
		CanRead: rt.Read, CanWrite: rt.Write, MediaTypes: mts}, nil
}

// collections answers GET /taxii2/{root}/collections/ (section 5.1).
func (s *Server) collections(req *request) error {
	ctx := req.r.Context()
	if _, err := s.root(ctx, req.path[0]); err != nil {
		return err
	}
	cs, err := s.store.Collections(ctx, req.path[0])
	if err != nil {
		return err
	}
	var out struct {
		Collections []collectionJSON `json:"collections,omitempty"`
	}
	for _, c := range cs {
		cj, err := s.collectionOut(ctx, req.key, c)
		if err != nil {
			return err
		}
		out.Collections = append(out.Collections, cj)
	}
	s.writeJSON(req.w, http.StatusOK, out)
	return nil
}

// findCollection returns the collection in the path (by id or alias) and
// the caller's rights on it.
func (s *Server) findCollection(req *request) (Collection, Rights, error) {
	ctx := req.r.Context()
	if _, err := s.root(ctx, req.path[0]); err != nil {
		return Collection{}, Rights{}, err
	}
	cs, err := s.store.Collections(ctx, req.path[0])
	if err != nil {
		return Collection{}, Rights{}, err
	}
	i := slices.IndexFunc(cs, func(c Collection) bool { return c.ID == req.path[2] || c.Alias != "" && c.Alias == req.path[2] })
	if i < 0 {
		return Collection{}, Rights{}, fmt.Errorf("%w: collection %q", ErrNotFound, req.path[2])
	}
	rt, err := s.rightsOn(ctx, req.key, cs[i])
	return cs[i], rt, err
}

// collection answers GET /taxii2/{root}/collections/{id}/ (section 5.2).
func (s *Server) collection(req *request) error {
	c, _, err := s.findCollection(req)
	if err != nil {
		return err
	}
	cj, err := s.collectionOut(req.r.Context(), req.key, c)
	if err != nil {
		return err
	}
	s.writeJSON(req.w, http.StatusOK, cj)
	return nil
}

// selected loads the versions of a readable collection that the request's
// filters select, and the page of them to answer with.
func (s *Server) selected(req *request, defaultVersion string, ids []string, allowed ...string) (pg []Object, more bool, err error) {
	c, rt, err := s.findCollection(req)
	if err != nil {
		return nil, false, err
	}
	if !rt.Read {
		return nil, false, errCannotRead
	}
	q, err := parseQuery(req.r.URL.Query(), s.cfg.MaxPageSize, allowed...)
	if err != nil {
		return nil, false, err
	}
	if ids != nil {
		q.IDs = ids
	}
	base := MetaQuery{Viewer: Viewer{Member: req.key.Member, Amber: rt.Amber}, AddedAfter: q.AddedAfter, IDs: q.IDs, Types: q.Types}
	pg, more, err = s.selectPage(req.r.Context(), c, base, q, defaultVersion)
	if err != nil {
		return nil, false, err
	}
	return pg, more, nil
}

// setDateHeaders sets X-TAXII-Date-Added-First/Last (section 3.2) for a
// non-empty page.
func setDateHeaders(w http.ResponseWriter, pg []Object) {
	if len(pg) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", FormatTimestamp(pg[0].DateAdded))
	w.Header().Set("X-TAXII-Date-Added-Last", FormatTimestamp(pg[len(pg)-1].DateAdded))
}

// envelopeOut is the envelope answered; objects stay raw.
type envelopeOut struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

func (s *Server) withBodies(ctx context.Context, pg []Object) ([]json.RawMessage, error) {
	seqs := make([]int64, len(pg))
	for i, o := range pg {
		seqs[i] = o.Seq
	}
	bodies, err := s.store.ObjectBodies(ctx, seqs)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(pg))
	for _, o := range pg {
		b, ok := bodies[o.Seq]
		if !ok {
			continue // deleted between the two reads
		}
		out = append(out, b)
	}
	return out, nil
}

func (s *Server) writeEnvelope(req *request, pg []Object, more bool) error {
	objs, err := s.withBodies(req.r.Context(), pg)
	if err != nil {
		return err
	}
	env := envelopeOut{More: more, Objects: objs}
	if more {
		env.Next = nextToken(pg[len(pg)-1])
	}
	setDateHeaders(req.w, pg)
	s.writeJSON(req.w, http.StatusOK, env)
	return nil
}

// getObjects answers GET .../objects/ (section 5.4).
func (s *Server) getObjects(req *request) error {
	pg, more, err := s.selected(req, "last", nil, "id", "type", "version", "spec_version")
	if err != nil {
		return err
	}
	return s.writeEnvelope(req, pg, more)
}

// getObject answers GET .../objects/{id}/ (section 5.6).
func (s *Server) getObject(req *request) error {
	pg, more, err := s.selected(req, "last", []string{req.path[4]}, "version", "spec_version")
	if err != nil {
		return err
	}
	if len(pg) == 0 && !more {
		return fmt.Errorf("%w: object %q", ErrNotFound, req.path[4])
	}
	return s.writeEnvelope(req, pg, more)
}

// manifest answers GET .../manifest/ (section 5.3).
func (s *Server) manifest(req *request) error {
	pg, more, err := s.selected(req, "last", nil, "id", "type", "version", "spec_version")
	if err != nil {
		return err
	}
	type record struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type,omitempty"`
	}
	var out struct {
		More    bool     `json:"more,omitempty"`
		Next    string   `json:"next,omitempty"`
		Objects []record `json:"objects,omitempty"`
	}
	for _, o := range pg {
		out.Objects = append(out.Objects, record{ID: o.ID, DateAdded: FormatTimestamp(o.DateAdded), Version: versionString(o), MediaType: o.MediaType})
	}
	if out.More = more; more {
		out.Next = nextToken(pg[len(pg)-1])
	}
	setDateHeaders(req.w, pg)
	s.writeJSON(req.w, http.StatusOK, out)
	return nil
}

// versionString is a version's identifier: its modified/created as written,
// or its date_added for objects that have neither.
func versionString(o Object) string {
	if o.Version != "" {
		return o.Version
	}
	return FormatTimestamp(o.DateAdded)
}

// versions answers GET .../objects/{id}/versions/ (section 5.8).
func (s *Server) versions(req *request) error {
	q := req.r.URL.Query()
	if q.Has("match[version]") {
		return fmt.Errorf("%w: match[version] is not supported on this endpoint", ErrInvalid)
	}
	pg, more, err := s.selected(req, "all", []string{req.path[4]}, "spec_version")
	if err != nil {
		return err
	}
	if len(pg) == 0 && !more {
		return fmt.Errorf("%w: object %q", ErrNotFound, req.path[4])
	}
	var out struct {
		More     bool     `json:"more,omitempty"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}
	for _, o := range pg {
		out.Versions = append(out.Versions, versionString(o))
	}
	if out.More = more; more {
		out.Next = nextToken(pg[len(pg)-1])
	}
	setDateHeaders(req.w, pg)
	s.writeJSON(req.w, http.StatusOK, out)
	return nil
}

// deleteObject answers DELETE .../objects/{id}/ (section 5.7): every version
// the filters select (all by default) that the caller can see.
func (s *Server) deleteObject(req *request) error {
	c, rt, err := s.findCollection(req)
	if err != nil {
		return err
	}
	if !rt.Read {
		return errCannotRead
	}
	if !rt.Write {
		return errCannotWrite
	}
	q, err := parseQuery(req.r.URL.Query(), s.cfg.MaxPageSize, "version", "spec_version")
	if err != nil {
		return err
	}
	ctx := req.r.Context()
	metas, err := s.store.ObjectMetas(ctx, c.APIRoot, c.ID, MetaQuery{
		Viewer: Viewer{Member: req.key.Member, Amber: rt.Amber}, IDs: []string{req.path[4]},
	})
	if err != nil {
		return err
	}
	sel := selectVersions(metas, q, "all")
	if len(sel) == 0 {
		return fmt.Errorf("%w: object %q", ErrNotFound, req.path[4])
	}
	seqs := make([]int64, len(sel))
	for i, o := range sel {
		seqs[i] = o.Seq
	}
	if err := s.store.DeleteObjects(ctx, c.APIRoot, c.ID, seqs); err != nil {
		return err
	}
	req.w.Header().Set("Content-Type", MediaType)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// addObjects answers POST .../objects/ (section 5.5): the envelope is stored
// at once and the status resource, complete, is answered with 202.
func (s *Server) addObjects(req *request) error {
	if err := contentTypeOK(req.r.Header.Get("Content-Type")); err != nil {
		return err
	}
	ctx := req.r.Context()
	root, err := s.root(ctx, req.path[0])
	if err != nil {
		return err
	}
	c, rt, err := s.findCollection(req)
	if err != nil {
		return err
	}
	if !rt.Write {
		return errCannotWrite
	}
	limit := s.maxContent(root)
	if req.r.ContentLength > limit {
		return fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, req.r.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: the limit is %d", errTooLarge, min(limit, mbe.Limit))
	case err != nil:
		return fmt.Errorf("read body: %w", err)
	case int64(len(body)) > limit:
		return fmt.Errorf("%w: the limit is %d bytes", errTooLarge, limit)
	}
	env, err := DecodeEnvelope(body)
	if err != nil {
		return err
	}
	st := Status{APIRoot: c.APIRoot, ID: newUUID(), Owner: req.key.Member, Status: "complete",
		RequestTimestamp: s.now(), TotalCount: len(env.Objects)}
	var objs []Object
	for i, raw := range env.Objects {
		o, err := ParseObject(raw)
		if err != nil {
			st.Failures = append(st.Failures, StatusDetail{ID: headID(raw, i), Message: err.Error()})
			continue
		}
		if !mediaAllowed(c, o.MediaType) {
			st.Failures = append(st.Failures, StatusDetail{ID: o.ID, Version: o.Version, Message: "media type " + o.MediaType + " is not accepted by this collection"})
			continue
		}
		o.Owner = req.key.Member
		objs = append(objs, o)
	}
	if len(objs) > 0 {
		if _, err := s.store.AddObjects(ctx, c.APIRoot, c.ID, objs); err != nil {
			return err
		}
		for _, o := range objs {
			st.Successes = append(st.Successes, StatusDetail{ID: o.ID, Version: o.Version})
		}
	}
	if err := s.store.PutStatus(ctx, st); err != nil {
		return err
	}
	s.writeJSON(req.w, http.StatusAccepted, statusOut(st))
	return nil
}

func mediaAllowed(c Collection, mt string) bool {
	return len(c.MediaTypes) == 0 || slices.Contains(c.MediaTypes, mt)
}

// headID names a rejected object in a status: its id if it has one.
func headID(raw json.RawMessage, i int) string {
	var h struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &h) == nil && h.ID != "" {
		return h.ID
	}
	return fmt.Sprintf("objects[%d]", i)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
