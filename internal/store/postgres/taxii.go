package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// The TAXII store (taxii.Store), as in the sqlite package. Queries are in
// taxii_queries.go.

// PutDiscovery replaces the discovery resource.
func (s *Store) PutDiscovery(ctx context.Context, d taxii.Discovery) error {
	if _, err := s.pool.Exec(ctx, qTaxiiPutDiscovery, d.Title, d.Description, d.Contact, d.Default); err != nil {
		return fmt.Errorf("postgres: put taxii discovery: %w", err)
	}
	return nil
}

// Discovery returns the discovery resource, zero if none was stored.
func (s *Store) Discovery(ctx context.Context) (taxii.Discovery, error) {
	var d taxii.Discovery
	err := s.pool.QueryRow(ctx, qTaxiiDiscovery).Scan(&d.Title, &d.Description, &d.Contact, &d.Default)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return taxii.Discovery{}, fmt.Errorf("postgres: taxii discovery: %w", err)
	}
	return d, nil
}

// PutAPIRoot inserts or replaces an API root.
func (s *Store) PutAPIRoot(ctx context.Context, r taxii.APIRoot) error {
	vs, _ := json.Marshal(taxiiStrings(r.Versions))
	if _, err := s.pool.Exec(ctx, qTaxiiPutRoot, r.Name, r.Title, r.Description, string(vs), r.MaxContentLength); err != nil {
		return fmt.Errorf("postgres: put taxii api root %s: %w", r.Name, err)
	}
	return nil
}

// APIRoots lists the API roots by name.
func (s *Store) APIRoots(ctx context.Context) ([]taxii.APIRoot, error) {
	rows, err := s.pool.Query(ctx, qTaxiiRoots)
	if err != nil {
		return nil, fmt.Errorf("postgres: taxii api roots: %w", err)
	}
	defer rows.Close()
	var out []taxii.APIRoot
	for rows.Next() {
		var r taxii.APIRoot
		if err := rows.Scan(&r.Name, &r.Title, &r.Description, &r.Versions, &r.MaxContentLength); err != nil {
			return nil, fmt.Errorf("postgres: taxii api roots: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: taxii api roots: %w", err)
	}
	return out, nil
}

// PutCollection inserts or replaces a collection; the root must exist.
func (s *Store) PutCollection(ctx context.Context, c taxii.Collection) error {
	mts, _ := json.Marshal(taxiiStrings(c.MediaTypes))
	return s.withTx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, qTaxiiRootExists, c.APIRoot).Scan(&n); err != nil {
			return fmt.Errorf("postgres: put taxii collection %s: %w", c.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("postgres: put taxii collection %s: API root %q: %w", c.ID, c.APIRoot, taxii.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, qTaxiiPutCollection, c.APIRoot, c.ID, c.Title, c.Description, c.Alias,
			c.CanRead, c.CanWrite, string(mts)); err != nil {
			return fmt.Errorf("postgres: put taxii collection %s: %w", c.ID, err)
		}
		return nil
	})
}

// Collections lists a root's collections in creation order.
func (s *Store) Collections(ctx context.Context, root string) ([]taxii.Collection, error) {
	rows, err := s.pool.Query(ctx, qTaxiiCollections, root)
	if err != nil {
		return nil, fmt.Errorf("postgres: taxii collections: %w", err)
	}
	defer rows.Close()
	var out []taxii.Collection
	for rows.Next() {
		var c taxii.Collection
		if err := rows.Scan(&c.APIRoot, &c.ID, &c.Title, &c.Description, &c.Alias, &c.CanRead, &c.CanWrite, &c.MediaTypes); err != nil {
			return nil, fmt.Errorf("postgres: taxii collections: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: taxii collections: %w", err)
	}
	return out, nil
}

// AddObjects stores versions; see taxii.Store. An advisory lock serialises
// writers so assigned date_added values follow commit order.
func (s *Store) AddObjects(ctx context.Context, root, collection string, objs []taxii.Object) (int, error) {
	added := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, qAdvisoryXactLock, lockTaxiiAdd); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, qTaxiiCollectionExists, root, collection).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("collection %s/%s: %w", root, collection, taxii.ErrNotFound)
		}
		var last *time.Time
		if err := tx.QueryRow(ctx, qTaxiiMaxDateAdded).Scan(&last); err != nil {
			return err
		}
		next := now()
		if last != nil && !next.After(*last) {
			next = last.Add(time.Microsecond)
		}
		b := &pgx.Batch{}
		for _, o := range objs {
			da := ts(o.DateAdded)
			if o.DateAdded.IsZero() {
				da, next = next, next.Add(time.Microsecond)
			}
			var vat *time.Time
			if !o.VersionTime.IsZero() {
				v := ts(o.VersionTime)
				vat = &v
			}
			b.Queue(qTaxiiInsertObject, root, collection, o.ID, o.Type, o.SpecVersion, o.Version, vat, da,
				o.MediaType, o.Owner, string(o.TLP), []byte(o.Body))
		}
		br := tx.SendBatch(ctx, b)
		for _, o := range objs {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return fmt.Errorf("object %s: %w", o.ID, err)
			}
			added += int(tag.RowsAffected())
		}
		return br.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: add taxii objects to %s/%s: %w", root, collection, err)
	}
	return added, nil
}

// ObjectMetas returns the selected versions without bodies; see taxii.Store.
func (s *Store) ObjectMetas(ctx context.Context, root, collection string, q taxii.MetaQuery) ([]taxii.Object, error) {
	var b strings.Builder
	b.WriteString(qTaxiiMetas)
	args := []any{root, collection, q.Viewer.Member, q.Viewer.Member, q.Viewer.Amber}
	if !q.AddedAfter.IsZero() {
		args = append(args, ts(q.AddedAfter))
		b.WriteString(" AND date_added > $" + strconv.Itoa(len(args)))
	}
	if len(q.IDs) > 0 {
		args = append(args, q.IDs)
		b.WriteString(" AND id = ANY($" + strconv.Itoa(len(args)) + ")")
	}
	if len(q.Types) > 0 {
		args = append(args, q.Types)
		b.WriteString(" AND type = ANY($" + strconv.Itoa(len(args)) + ")")
	}
	if q.After != nil {
		args = append(args, ts(q.After.DateAdded), q.After.Seq)
		n := len(args)
		fmt.Fprintf(&b, " AND (date_added, seq) > ($%d, $%d)", n-1, n)
	}
	b.WriteString(" ORDER BY date_added, seq")
	if q.Limit > 0 {
		args = append(args, q.Limit)
		b.WriteString(" LIMIT $" + strconv.Itoa(len(args)))
	}
	// An unnamed statement is planned with its parameters each time: a
	// cached generic plan reads whole collections for a page (7x slower).
	rows, err := s.pool.Query(ctx, b.String(), append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("postgres: taxii objects of %s/%s: %w", root, collection, err)
	}
	defer rows.Close()
	var out []taxii.Object
	for rows.Next() {
		var (
			o   taxii.Object
			vat *time.Time
			tlp string
		)
		if err := rows.Scan(&o.Seq, &o.ID, &o.Type, &o.SpecVersion, &o.Version, &vat, &o.DateAdded, &o.MediaType, &o.Owner, &tlp); err != nil {
			return nil, fmt.Errorf("postgres: taxii objects of %s/%s: %w", root, collection, err)
		}
		if vat != nil {
			o.VersionTime = vat.UTC()
		}
		o.DateAdded, o.TLP = o.DateAdded.UTC(), taxii.TLP(tlp)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: taxii objects of %s/%s: %w", root, collection, err)
	}
	return out, nil
}

// ObjectBodies returns raw objects by seq.
func (s *Store) ObjectBodies(ctx context.Context, seqs []int64) (map[int64]json.RawMessage, error) {
	out := make(map[int64]json.RawMessage, len(seqs))
	rows, err := s.pool.Query(ctx, qTaxiiBodies, seqs)
	if err != nil {
		return nil, fmt.Errorf("postgres: taxii object bodies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq  int64
			body []byte
		)
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, fmt.Errorf("postgres: taxii object bodies: %w", err)
		}
		out[seq] = body
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: taxii object bodies: %w", err)
	}
	return out, nil
}

// DeleteObjects removes versions of one collection by seq.
func (s *Store) DeleteObjects(ctx context.Context, root, collection string, seqs []int64) error {
	if _, err := s.pool.Exec(ctx, qTaxiiDeleteObject, root, collection, seqs); err != nil {
		return fmt.Errorf("postgres: delete taxii objects from %s/%s: %w", root, collection, err)
	}
	return nil
}

// PutStatus inserts or replaces a status resource.
func (s *Store) PutStatus(ctx context.Context, st taxii.Status) error {
	succ, _ := json.Marshal(taxiiDetails(st.Successes))
	fail, _ := json.Marshal(taxiiDetails(st.Failures))
	pend, _ := json.Marshal(taxiiDetails(st.Pendings))
	var at *time.Time
	if !st.RequestTimestamp.IsZero() {
		t := ts(st.RequestTimestamp)
		at = &t
	}
	if _, err := s.pool.Exec(ctx, qTaxiiPutStatus, st.APIRoot, st.ID, st.Owner, st.Status, at, st.TotalCount,
		string(succ), string(fail), string(pend)); err != nil {
		return fmt.Errorf("postgres: put taxii status %s: %w", st.ID, err)
	}
	return nil
}

// Status returns a status resource or taxii.ErrNotFound.
func (s *Store) Status(ctx context.Context, root, id string) (taxii.Status, error) {
	st := taxii.Status{APIRoot: root, ID: id}
	var at *time.Time
	err := s.pool.QueryRow(ctx, qTaxiiStatus, root, id).Scan(&st.Owner, &st.Status, &at, &st.TotalCount, &st.Successes, &st.Failures, &st.Pendings)
	if errors.Is(err, pgx.ErrNoRows) {
		return taxii.Status{}, fmt.Errorf("postgres: taxii status %s: %w", id, taxii.ErrNotFound)
	}
	if err != nil {
		return taxii.Status{}, fmt.Errorf("postgres: taxii status %s: %w", id, err)
	}
	if at != nil {
		st.RequestTimestamp = at.UTC()
	}
	for _, d := range []*[]taxii.StatusDetail{&st.Successes, &st.Failures, &st.Pendings} {
		if len(*d) == 0 {
			*d = nil
		}
	}
	return st, nil
}

// PutGrant inserts or replaces a grant.
func (s *Store) PutGrant(ctx context.Context, g taxii.Grant) error {
	if _, err := s.pool.Exec(ctx, qTaxiiPutGrant, g.APIRoot, g.Collection, g.Principal, g.Read, g.Write, g.Amber); err != nil {
		return fmt.Errorf("postgres: put taxii grant: %w", err)
	}
	return nil
}

// Grants lists a collection's grants by principal.
func (s *Store) Grants(ctx context.Context, root, collection string) ([]taxii.Grant, error) {
	rows, err := s.pool.Query(ctx, qTaxiiGrants, root, collection)
	if err != nil {
		return nil, fmt.Errorf("postgres: taxii grants: %w", err)
	}
	defer rows.Close()
	var out []taxii.Grant
	for rows.Next() {
		g := taxii.Grant{APIRoot: root, Collection: collection}
		if err := rows.Scan(&g.Principal, &g.Read, &g.Write, &g.Amber); err != nil {
			return nil, fmt.Errorf("postgres: taxii grants: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: taxii grants: %w", err)
	}
	return out, nil
}

// ClientState returns a client resume point, "" if none.
func (s *Store) ClientState(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, qTaxiiClientState, name).Scan(&v)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("postgres: taxii client state: %w", err)
	}
	return v, nil
}

// PutClientState sets a client resume point.
func (s *Store) PutClientState(ctx context.Context, name, value string) error {
	if _, err := s.pool.Exec(ctx, qTaxiiPutClientState, name, value); err != nil {
		return fmt.Errorf("postgres: put taxii client state: %w", err)
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
