package taxii

import (
	"context"
	"slices"
)

// selectPage returns the page of versions that q selects in collection c,
// and whether more follow. It reads the collection in chunks in page order
// from q's next position instead of whole: for each chunk it loads every
// version of the chunk's objects (which the spec_version and version
// filters need to decide, e.g., which version is the last) and keeps the
// chunk's versions selected among them. With match[version]=all and an
// explicit match[spec_version] each version decides alone, and the chunk
// is the answer.
func (s *Server) selectPage(ctx context.Context, c Collection, base MetaQuery, q Query, defaultVersion string) ([]Object, bool, error) {
	versions := q.Versions
	if len(versions) == 0 {
		versions = []string{defaultVersion}
	}
	rowLocal := slices.Contains(versions, "all") && len(q.SpecVersions) > 0
	chunk := max(q.Limit+1, 256)
	var pos *Position
	if q.Next.set {
		pos = &Position{DateAdded: q.Next.dateAdded, Seq: q.Next.seq}
	}
	var out []Object
	for {
		mq := base
		mq.After, mq.Limit = pos, chunk
		rows, err := s.store.ObjectMetas(ctx, c.APIRoot, c.ID, mq)
		if err != nil {
			return nil, false, err
		}
		kept := rows
		if rowLocal {
			kept = selectVersions(rows, q, defaultVersion)
		} else if len(rows) > 0 {
			ids := make([]string, 0, len(rows))
			for _, o := range rows {
				ids = append(ids, o.ID)
			}
			slices.Sort(ids)
			all := base
			all.IDs = slices.Compact(ids)
			every, err := s.store.ObjectMetas(ctx, c.APIRoot, c.ID, all)
			if err != nil {
				return nil, false, err
			}
			chosen := map[int64]bool{}
			for _, o := range selectVersions(every, q, defaultVersion) {
				chosen[o.Seq] = true
			}
			kept = rows[:0:0]
			for _, o := range rows {
				if chosen[o.Seq] {
					kept = append(kept, o)
				}
			}
		}
		out = append(out, kept...)
		if len(out) > q.Limit {
			return out[:q.Limit], true, nil
		}
		if len(rows) < chunk {
			return out, false, nil
		}
		last := rows[len(rows)-1]
		pos = &Position{DateAdded: last.DateAdded, Seq: last.Seq}
	}
}
