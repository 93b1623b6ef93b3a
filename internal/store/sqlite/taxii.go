package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// The TAXII store (taxii.Store). Queries are in taxii_queries.go.

// PutDiscovery replaces the discovery resource.
func (s *Store) PutDiscovery(ctx context.Context, d taxii.Discovery) error {
	if _, err := s.writer.ExecContext(ctx, qTaxiiPutDiscovery, d.Title, d.Description, d.Contact, d.Default); err != nil {
		return fmt.Errorf("sqlite: put taxii discovery: %w", err)
	}
	return nil
}

// Discovery returns the discovery resource, zero if none was stored.
func (s *Store) Discovery(ctx context.Context) (taxii.Discovery, error) {
	var d taxii.Discovery
	err := s.reader.QueryRowContext(ctx, qTaxiiDiscovery).Scan(&d.Title, &d.Description, &d.Contact, &d.Default)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return taxii.Discovery{}, fmt.Errorf("sqlite: taxii discovery: %w", err)
	}
	return d, nil
}

// PutAPIRoot inserts or replaces an API root.
func (s *Store) PutAPIRoot(ctx context.Context, r taxii.APIRoot) error {
	vs, _ := json.Marshal(taxiiStrings(r.Versions))
	if _, err := s.writer.ExecContext(ctx, qTaxiiPutRoot, r.Name, r.Title, r.Description, string(vs), r.MaxContentLength); err != nil {
		return fmt.Errorf("sqlite: put taxii api root %s: %w", r.Name, err)
	}
	return nil
}

// APIRoots lists the API roots by name.
func (s *Store) APIRoots(ctx context.Context) ([]taxii.APIRoot, error) {
	rows, err := s.reader.QueryContext(ctx, qTaxiiRoots)
	if err != nil {
		return nil, fmt.Errorf("sqlite: taxii api roots: %w", err)
	}
	defer rows.Close()
	var out []taxii.APIRoot
	for rows.Next() {
		var (
			r  taxii.APIRoot
			vs string
		)
		if err := rows.Scan(&r.Name, &r.Title, &r.Description, &vs, &r.MaxContentLength); err != nil {
			return nil, fmt.Errorf("sqlite: taxii api roots: %w", err)
		}
		if err := json.Unmarshal([]byte(vs), &r.Versions); err != nil {
			return nil, fmt.Errorf("sqlite: taxii api root %s versions: %w", r.Name, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: taxii api roots: %w", err)
	}
	return out, nil
}

// PutCollection inserts or replaces a collection, keeping its place in the
// order. The root must exist.
func (s *Store) PutCollection(ctx context.Context, c taxii.Collection) error {
	mts, _ := json.Marshal(taxiiStrings(c.MediaTypes))
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, qTaxiiRootExists, c.APIRoot).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: put taxii collection %s: %w", c.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("sqlite: put taxii collection %s: API root %q: %w", c.ID, c.APIRoot, taxii.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, qTaxiiPutCollection, c.APIRoot, c.ID, c.Title, c.Description, c.Alias,
			c.CanRead, c.CanWrite, string(mts)); err != nil {
			return fmt.Errorf("sqlite: put taxii collection %s: %w", c.ID, err)
		}
		return nil
	})
}

// Collections lists a root's collections in creation order.
func (s *Store) Collections(ctx context.Context, root string) ([]taxii.Collection, error) {
	rows, err := s.reader.QueryContext(ctx, qTaxiiCollections, root)
	if err != nil {
		return nil, fmt.Errorf("sqlite: taxii collections: %w", err)
	}
	defer rows.Close()
	var out []taxii.Collection
	for rows.Next() {
		var (
			c   taxii.Collection
			mts string
		)
		if err := rows.Scan(&c.APIRoot, &c.ID, &c.Title, &c.Description, &c.Alias, &c.CanRead, &c.CanWrite, &mts); err != nil {
			return nil, fmt.Errorf("sqlite: taxii collections: %w", err)
		}
		if err := json.Unmarshal([]byte(mts), &c.MediaTypes); err != nil {
			return nil, fmt.Errorf("sqlite: taxii collection %s media types: %w", c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: taxii collections: %w", err)
	}
	return out, nil
}

// AddObjects stores versions; see taxii.Store.
func (s *Store) AddObjects(ctx context.Context, root, collection string, objs []taxii.Object) (int, error) {
	added := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, qTaxiiCollectionExists, root, collection).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("collection %s/%s: %w", root, collection, taxii.ErrNotFound)
		}
		var last int64
		if err := tx.QueryRowContext(ctx, qTaxiiMaxDateAdded).Scan(&last); err != nil {
			return err
		}
		next := max(toMicros(now()), last+1)
		st, err := tx.PrepareContext(ctx, qTaxiiInsertObject)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, o := range objs {
			da := toMicros(o.DateAdded)
			if o.DateAdded.IsZero() {
				da, next = next, next+1
			}
			var vus sql.NullInt64
			if !o.VersionTime.IsZero() {
				vus = sql.NullInt64{Int64: toMicros(o.VersionTime), Valid: true}
			}
			res, err := st.ExecContext(ctx, root, collection, o.ID, o.Type, o.SpecVersion, o.Version, vus, da,
				o.MediaType, o.Owner, string(o.TLP), []byte(o.Body))
			if err != nil {
				return fmt.Errorf("object %s: %w", o.ID, err)
			}
			k, _ := res.RowsAffected()
			added += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: add taxii objects to %s/%s: %w", root, collection, err)
	}
	return added, nil
}

// ObjectMetas returns the selected versions without bodies; see taxii.Store.
func (s *Store) ObjectMetas(ctx context.Context, root, collection string, q taxii.MetaQuery) ([]taxii.Object, error) {
	var b strings.Builder
	b.WriteString(qTaxiiMetas)
	args := []any{root, collection, q.Viewer.Member, q.Viewer.Member, q.Viewer.Amber}
	if !q.AddedAfter.IsZero() {
		b.WriteString(" AND date_added > ?")
		args = append(args, toMicros(q.AddedAfter))
	}
	for _, f := range []struct {
		col  string
		vals []string
	}{{"id", q.IDs}, {"type", q.Types}} {
		if len(f.vals) == 0 {
			continue
		}
		b.WriteString(" AND " + f.col + " IN (" + strings.Repeat("?,", len(f.vals)-1) + "?)")
		for _, v := range f.vals {
			args = append(args, v)
		}
	}
	if q.After != nil {
		us := toMicros(q.After.DateAdded)
		b.WriteString(" AND (date_added > ? OR (date_added = ? AND seq > ?))")
		args = append(args, us, us, q.After.Seq)
	}
	b.WriteString(" ORDER BY date_added, seq")
	if q.Limit > 0 {
		b.WriteString(" LIMIT ?")
		args = append(args, q.Limit)
	}
	rows, err := s.reader.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: taxii objects of %s/%s: %w", root, collection, err)
	}
	defer rows.Close()
	var out []taxii.Object
	for rows.Next() {
		var (
			o   taxii.Object
			vus sql.NullInt64
			da  int64
			tlp string
		)
		if err := rows.Scan(&o.Seq, &o.ID, &o.Type, &o.SpecVersion, &o.Version, &vus, &da, &o.MediaType, &o.Owner, &tlp); err != nil {
			return nil, fmt.Errorf("sqlite: taxii objects of %s/%s: %w", root, collection, err)
		}
		if vus.Valid {
			o.VersionTime = fromMicros(vus.Int64)
		}
		o.DateAdded, o.TLP = fromMicros(da), taxii.TLP(tlp)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: taxii objects of %s/%s: %w", root, collection, err)
	}
	return out, nil
}

// ObjectBodies returns raw objects by seq.
func (s *Store) ObjectBodies(ctx context.Context, seqs []int64) (map[int64]json.RawMessage, error) {
	out := make(map[int64]json.RawMessage, len(seqs))
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), 500)]
		seqs = seqs[len(chunk):]
		args := make([]any, len(chunk))
		for i, v := range chunk {
			args[i] = v
		}
		rows, err := s.reader.QueryContext(ctx, qTaxiiBodies+"("+strings.Repeat("?,", len(chunk)-1)+"?)", args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: taxii object bodies: %w", err)
		}
		for rows.Next() {
			var (
				seq  int64
				body []byte
			)
			if err := rows.Scan(&seq, &body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: taxii object bodies: %w", err)
			}
			out[seq] = body
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: taxii object bodies: %w", err)
		}
	}
	return out, nil
}

// DeleteObjects removes versions of one collection by seq.
func (s *Store) DeleteObjects(ctx context.Context, root, collection string, seqs []int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, seq := range seqs {
			if _, err := tx.ExecContext(ctx, qTaxiiDeleteObject, root, collection, seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete taxii objects from %s/%s: %w", root, collection, err)
	}
	return nil
}

// PutStatus inserts or replaces a status resource.
func (s *Store) PutStatus(ctx context.Context, st taxii.Status) error {
	succ, _ := json.Marshal(taxiiDetails(st.Successes))
	fail, _ := json.Marshal(taxiiDetails(st.Failures))
	pend, _ := json.Marshal(taxiiDetails(st.Pendings))
	var ts sql.NullInt64
	if !st.RequestTimestamp.IsZero() {
		ts = sql.NullInt64{Int64: toMicros(st.RequestTimestamp), Valid: true}
	}
	if _, err := s.writer.ExecContext(ctx, qTaxiiPutStatus, st.APIRoot, st.ID, st.Owner, st.Status, ts, st.TotalCount,
		string(succ), string(fail), string(pend)); err != nil {
		return fmt.Errorf("sqlite: put taxii status %s: %w", st.ID, err)
	}
	return nil
}

// Status returns a status resource or taxii.ErrNotFound.
func (s *Store) Status(ctx context.Context, root, id string) (taxii.Status, error) {
	var (
		st               = taxii.Status{APIRoot: root, ID: id}
		ts               sql.NullInt64
		succ, fail, pend string
	)
	err := s.reader.QueryRowContext(ctx, qTaxiiStatus, root, id).Scan(&st.Owner, &st.Status, &ts, &st.TotalCount, &succ, &fail, &pend)
	if errors.Is(err, sql.ErrNoRows) {
		return taxii.Status{}, fmt.Errorf("sqlite: taxii status %s: %w", id, taxii.ErrNotFound)
	}
	if err != nil {
		return taxii.Status{}, fmt.Errorf("sqlite: taxii status %s: %w", id, err)
	}
	if ts.Valid {
		st.RequestTimestamp = fromMicros(ts.Int64)
	}
	for _, p := range []struct {
		src string
		dst *[]taxii.StatusDetail
	}{{succ, &st.Successes}, {fail, &st.Failures}, {pend, &st.Pendings}} {
		if err := json.Unmarshal([]byte(p.src), p.dst); err != nil {
			return taxii.Status{}, fmt.Errorf("sqlite: taxii status %s: %w", id, err)
		}
	}
	return st, nil
}

// PutGrant inserts or replaces a grant.
func (s *Store) PutGrant(ctx context.Context, g taxii.Grant) error {
	if _, err := s.writer.ExecContext(ctx, qTaxiiPutGrant, g.APIRoot, g.Collection, g.Principal, g.Read, g.Write, g.Amber); err != nil {
		return fmt.Errorf("sqlite: put taxii grant: %w", err)
	}
	return nil
}

// Grants lists a collection's grants by principal.
func (s *Store) Grants(ctx context.Context, root, collection string) ([]taxii.Grant, error) {
	rows, err := s.reader.QueryContext(ctx, qTaxiiGrants, root, collection)
	if err != nil {
		return nil, fmt.Errorf("sqlite: taxii grants: %w", err)
	}
	defer rows.Close()
	var out []taxii.Grant
	for rows.Next() {
		g := taxii.Grant{APIRoot: root, Collection: collection}
		if err := rows.Scan(&g.Principal, &g.Read, &g.Write, &g.Amber); err != nil {
			return nil, fmt.Errorf("sqlite: taxii grants: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: taxii grants: %w", err)
	}
	return out, nil
}

// ClientState returns a client resume point, "" if none.
func (s *Store) ClientState(ctx context.Context, name string) (string, error) {
	var v string
	err := s.reader.QueryRowContext(ctx, qTaxiiClientState, name).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: taxii client state: %w", err)
	}
	return v, nil
}

// PutClientState sets a client resume point.
func (s *Store) PutClientState(ctx context.Context, name, value string) error {
	if _, err := s.writer.ExecContext(ctx, qTaxiiPutClientState, name, value); err != nil {
		return fmt.Errorf("sqlite: put taxii client state: %w", err)
	}
	return nil
}

func taxiiStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func taxiiDetails(s []taxii.StatusDetail) []taxii.StatusDetail {
	if s == nil {
		return []taxii.StatusDetail{}
	}
	return s
}
