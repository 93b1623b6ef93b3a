package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// medallionFile is the memory-backend data file of medallion, the OASIS
// reference TAXII 2.1 server: "/discovery" plus one member per API root.
type medallionFile map[string]json.RawMessage

type medallionDiscovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Contact     string   `json:"contact"`
	Default     string   `json:"default"`
	APIRoots    []string `json:"api_roots"`
}

type medallionRoot struct {
	Information struct {
		Title            string   `json:"title"`
		Description      string   `json:"description"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	} `json:"information"`
	Status      []medallionStatus     `json:"status"`
	Collections []medallionCollection `json:"collections"`
}

type medallionCollection struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Alias       string            `json:"alias"`
	CanRead     bool              `json:"can_read"`
	CanWrite    bool              `json:"can_write"`
	MediaTypes  []string          `json:"media_types"`
	Objects     []json.RawMessage `json:"objects"`
	Manifest    []medallionEntry  `json:"manifest"`
}

type medallionEntry struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

type medallionStatus struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp"`
	TotalCount       *int           `json:"total_count"`
	TotalObjects     *int           `json:"total_objects"` // a spelling some files use
	Successes        []StatusDetail `json:"successes"`
	Failures         []StatusDetail `json:"failures"`
	Pendings         []StatusDetail `json:"pendings"`
}

// ImportReport counts what an import stored.
type ImportReport struct {
	APIRoots    int `json:"api_roots"`
	Collections int `json:"collections"`
	Objects     int `json:"objects"` // versions
	Statuses    int `json:"statuses"`
}

// ImportMedallion loads a medallion memory-backend data file into st: the
// discovery resource (the default root by name; the root URLs are made by
// the server where it serves them), API roots, collections with their
// can_read/can_write as the default rights of non-admin keys, every object
// version with its date_added and media type from the manifest (or its
// __meta), and status resources. Ids are kept exactly as given.
func ImportMedallion(ctx context.Context, st Store, data []byte) (ImportReport, error) {
	var rep ImportReport
	var file medallionFile
	if err := json.Unmarshal(data, &file); err != nil {
		return rep, fmt.Errorf("%w: medallion data file: %s", ErrInvalid, jsonMessage(err))
	}
	names := make([]string, 0, len(file))
	for k := range file {
		if k != "/discovery" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	roots := map[string]medallionRoot{}
	for _, name := range names {
		var r medallionRoot
		if err := json.Unmarshal(file[name], &r); err != nil {
			return rep, fmt.Errorf("%w: medallion API root %q: %s", ErrInvalid, name, jsonMessage(err))
		}
		if strings.ContainsAny(name, "/?#") || name == "" {
			return rep, fmt.Errorf("%w: medallion API root name %q is not one URL path segment", ErrInvalid, name)
		}
		roots[name] = r
	}
	if raw, ok := file["/discovery"]; ok {
		var d medallionDiscovery
		if err := json.Unmarshal(raw, &d); err != nil {
			return rep, fmt.Errorf("%w: medallion discovery: %s", ErrInvalid, jsonMessage(err))
		}
		def := rootName(d.Default)
		if _, ok := roots[def]; !ok {
			def = ""
		}
		if err := st.PutDiscovery(ctx, Discovery{Title: d.Title, Description: d.Description, Contact: d.Contact, Default: def}); err != nil {
			return rep, err
		}
	}
	for _, name := range names {
		n, err := importRoot(ctx, st, name, roots[name])
		if err != nil {
			return rep, err
		}
		rep.APIRoots++
		rep.Collections += n.Collections
		rep.Objects += n.Objects
		rep.Statuses += n.Statuses
	}
	return rep, nil
}

// rootName is the last path segment of a root URL ("http://h/api1/" → api1).
func rootName(u string) string {
	p := u
	if pu, err := url.Parse(u); err == nil && pu.Path != "" {
		p = pu.Path
	}
	p = strings.Trim(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

func importRoot(ctx context.Context, st Store, name string, r medallionRoot) (ImportReport, error) {
	var rep ImportReport
	info := r.Information
	if err := st.PutAPIRoot(ctx, APIRoot{Name: name, Title: info.Title, Description: info.Description,
		Versions: info.Versions, MaxContentLength: info.MaxContentLength}); err != nil {
		return rep, err
	}
	for _, c := range r.Collections {
		if c.ID == "" {
			return rep, fmt.Errorf("%w: medallion root %q: a collection has no id", ErrInvalid, name)
		}
		if err := st.PutCollection(ctx, Collection{APIRoot: name, ID: c.ID, Title: c.Title, Description: c.Description,
			Alias: c.Alias, CanRead: c.CanRead, CanWrite: c.CanWrite, MediaTypes: c.MediaTypes}); err != nil {
			return rep, err
		}
		objs, err := medallionObjects(name, c)
		if err != nil {
			return rep, err
		}
		if len(objs) > 0 {
			if _, err := st.AddObjects(ctx, name, c.ID, objs); err != nil {
				return rep, err
			}
		}
		rep.Collections++
		rep.Objects += len(objs)
	}
	for _, s := range r.Status {
		out := Status{APIRoot: name, ID: s.ID, Status: s.Status, Successes: s.Successes, Failures: s.Failures, Pendings: s.Pendings}
		if s.ID == "" {
			return rep, fmt.Errorf("%w: medallion root %q: a status has no id", ErrInvalid, name)
		}
		switch {
		case s.TotalCount != nil:
			out.TotalCount = *s.TotalCount
		case s.TotalObjects != nil:
			out.TotalCount = *s.TotalObjects
		default:
			out.TotalCount = len(s.Successes) + len(s.Failures) + len(s.Pendings)
		}
		if s.RequestTimestamp != "" {
			t, err := ParseTimestamp(s.RequestTimestamp)
			if err != nil {
				return rep, fmt.Errorf("medallion status %s: %w", s.ID, err)
			}
			out.RequestTimestamp = t
		}
		if err := st.PutStatus(ctx, out); err != nil {
			return rep, err
		}
		rep.Statuses++
	}
	return rep, nil
}

// medallionObjects pairs each object version with its manifest entry (same
// id and version instant) or its own __meta, which give date_added and the
// media type. A version with neither is an error: its date_added is unknown.
func medallionObjects(root string, c medallionCollection) ([]Object, error) {
	type key struct {
		id string
		us int64
	}
	manifest := map[key]medallionEntry{}
	place := map[key]int{} // manifest position: the order among equal dates
	for i, m := range c.Manifest {
		t, err := ParseTimestamp(m.Version)
		if err != nil {
			return nil, fmt.Errorf("medallion %s/%s manifest entry %s: %w", root, c.ID, m.ID, err)
		}
		manifest[key{m.ID, t.UnixMicro()}] = m
		place[key{m.ID, t.UnixMicro()}] = i
	}
	var (
		out       []Object
		positions []int
	)
	for i, raw := range c.Objects {
		raw, meta, err := splitMeta(raw)
		if err != nil {
			return nil, fmt.Errorf("medallion %s/%s objects[%d]: %w", root, c.ID, i, err)
		}
		o, err := ParseObject(raw)
		if err != nil {
			return nil, fmt.Errorf("medallion %s/%s objects[%d]: %w", root, c.ID, i, err)
		}
		k := key{o.ID, o.VersionTime.UnixMicro()}
		m, ok := manifest[k]
		pos, inManifest := place[k]
		if meta != nil {
			m, ok = *meta, true
		}
		if !inManifest {
			pos = len(c.Manifest) + i
		}
		positions = append(positions, pos)
		if !ok || m.DateAdded == "" {
			return nil, fmt.Errorf("%w: medallion %s/%s: %s version %s has no manifest entry (date_added unknown)", ErrInvalid, root, c.ID, o.ID, o.Version)
		}
		if o.DateAdded, err = ParseTimestamp(m.DateAdded); err != nil {
			return nil, fmt.Errorf("medallion %s/%s %s: date_added: %w", root, c.ID, o.ID, err)
		}
		if m.MediaType != "" {
			o.MediaType = m.MediaType
			if v, ok := strings.CutPrefix(m.MediaType, "application/stix+json;version="); ok {
				o.SpecVersion = v
			}
		}
		out = append(out, o)
	}
	// Insertion order follows date_added, and the manifest's order among
	// equal dates, so pages read in the order medallion serves.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		oa, ob := out[idx[a]], out[idx[b]]
		if !oa.DateAdded.Equal(ob.DateAdded) {
			return oa.DateAdded.Before(ob.DateAdded)
		}
		return positions[idx[a]] < positions[idx[b]]
	})
	sorted := make([]Object, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted, nil
}

// splitMeta removes medallion's "__meta" member from an object, returning
// the object (re-encoded only if it had one) and the metadata.
func splitMeta(raw json.RawMessage) (json.RawMessage, *medallionEntry, error) {
	if !bytes.Contains(raw, []byte(`"__meta"`)) {
		return raw, nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, fmt.Errorf("%w: object is not a JSON object", ErrInvalid)
	}
	metaRaw := m["__meta"]
	delete(m, "__meta")
	b, err := json.Marshal(m)
	if err != nil {
		return nil, nil, err
	}
	if len(metaRaw) == 0 || string(metaRaw) == "null" {
		return b, nil, nil
	}
	var meta medallionEntry
	if err := json.Unmarshal(metaRaw, &meta); err != nil {
		return nil, nil, fmt.Errorf("%w: __meta: %s", ErrInvalid, jsonMessage(err))
	}
	return b, &meta, nil
}
