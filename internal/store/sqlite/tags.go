package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/interdict/interdict/internal/index/tags"
)

var _ tags.Store = (*Store)(nil)

// Tag queries (schema: migrations/0002_tags.up.sql).
const (
	qUpsertTagDataset = `INSERT INTO tag_datasets (id, kind, title, file, sha256, imported_at, tags, actors)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, file = excluded.file,
  sha256 = excluded.sha256, imported_at = excluded.imported_at, tags = excluded.tags, actors = excluded.actors`
	qDeleteDatasetTags   = `DELETE FROM tags WHERE dataset = ?`
	qDeleteDatasetActors = `DELETE FROM tag_actors WHERE dataset = ?`
	qInsertTag           = `INSERT INTO tags (dataset, address, network, currency, label, source, confidence, level,
  category, abuse, concepts, actor, date, context, tag_type, cluster_definer, is_public, tlp, file, line, pack_title)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertActor = `INSERT INTO tag_actors (dataset, id, label, uri, aliases, categories, jurisdictions, context,
  lastmod, relations, file, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qTagDatasets = `SELECT id, kind, title, file, sha256, imported_at, tags, actors FROM tag_datasets ORDER BY seq`
	tagColumns   = `dataset, address, network, currency, label, source, confidence, level, category, abuse, concepts,
  actor, date, context, tag_type, cluster_definer, is_public, tlp, file, line, pack_title`
	qTagsByAddress   = `SELECT ` + tagColumns + ` FROM tags WHERE address = ? ORDER BY level DESC, seq`
	qTagsByAddresses = `SELECT ` + tagColumns + ` FROM tags WHERE address IN (SELECT value FROM json_each(?)) ORDER BY address, level DESC, seq`
	qTagsByActor     = `SELECT ` + tagColumns + ` FROM tags WHERE actor IN (SELECT value FROM json_each(?)) ORDER BY level DESC, seq`
	qTagsByConcept   = `SELECT ` + tagColumns + ` FROM tags
WHERE (category = ? OR abuse = ? OR concepts LIKE ? ESCAPE '\') AND level >= ? ORDER BY level DESC, seq LIMIT ?`
	qTagsByDataset = `SELECT ` + tagColumns + ` FROM tags WHERE dataset = ? ORDER BY seq`
	qTagActors     = `SELECT a.dataset, a.id, a.label, a.uri, a.aliases, a.categories, a.jurisdictions, a.context,
  a.lastmod, a.relations, a.file, a.line FROM tag_actors a JOIN tag_datasets d ON d.id = a.dataset ORDER BY d.seq, a.seq`
)

// ReplaceTags records d and replaces its tags in one transaction.
func (s *Store) ReplaceTags(ctx context.Context, d tags.Dataset, ts []tags.Tag) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := upsertDataset(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDeleteDatasetTags, d.ID); err != nil {
			return err
		}
		return insertTags(ctx, tx, d.ID, ts)
	})
	if err != nil {
		return fmt.Errorf("sqlite: replace tags of %s: %w", d.ID, err)
	}
	return nil
}

// ReplaceActors records d and replaces its actors in one transaction.
func (s *Store) ReplaceActors(ctx context.Context, d tags.Dataset, actors []tags.Actor) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := upsertDataset(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDeleteDatasetActors, d.ID); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, qInsertActor)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range actors {
			a := &actors[i]
			rels, err := json.Marshal(nonNil(a.Relations))
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, d.ID, a.ID, a.Label, a.URI, jsonList(a.Aliases), jsonList(a.Categories),
				jsonList(a.Jurisdictions), a.Context, a.LastMod, string(rels), a.File, a.Line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: replace actors of %s: %w", d.ID, err)
	}
	return nil
}

// tagRowsPerInsert rows go into one INSERT: a statement per row costs more
// than the row (76k real tags: 33 µs a row one by one).
const tagRowsPerInsert = 200

// insertTags inserts ts with multi-row INSERTs of tagRowsPerInsert rows.
func insertTags(ctx context.Context, tx *sql.Tx, dataset string, ts []tags.Tag) error {
	const cols = 21
	var full *sql.Stmt
	args := make([]any, 0, cols*tagRowsPerInsert)
	for start := 0; start < len(ts); start += tagRowsPerInsert {
		batch := ts[start:min(start+tagRowsPerInsert, len(ts))]
		args = args[:0]
		for i := range batch {
			t := &batch[i]
			args = append(args, dataset, t.Address, t.Network, t.Currency, t.Label, t.Source, t.Confidence, t.Level,
				t.Category, t.Abuse, jsonList(t.Concepts), t.Actor, t.Date, t.Context, t.TagType, t.ClusterDefiner, t.IsPublic,
				t.TLP, t.File, t.Line, t.PackTitle)
		}
		var err error
		if len(batch) == tagRowsPerInsert {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, multiRowInsert(tagRowsPerInsert)); err != nil {
					return err
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, multiRowInsert(len(batch)), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// multiRowInsert is qInsertTag with n value rows.
func multiRowInsert(n int) string {
	head, row, _ := strings.Cut(qInsertTag, "VALUES ")
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func upsertDataset(ctx context.Context, tx *sql.Tx, d tags.Dataset) error {
	if d.ImportedAt.IsZero() {
		d.ImportedAt = now()
	}
	_, err := tx.ExecContext(ctx, qUpsertTagDataset, d.ID, d.Kind, d.Title, d.File, d.SHA256, toMicros(d.ImportedAt), d.Tags, d.Actors)
	return err
}

// TagDatasets lists datasets, oldest import first.
func (s *Store) TagDatasets(ctx context.Context) ([]tags.Dataset, error) {
	rows, err := s.reader.QueryContext(ctx, qTagDatasets)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag datasets: %w", err)
	}
	defer rows.Close()
	var out []tags.Dataset
	for rows.Next() {
		var d tags.Dataset
		var at int64
		if err := rows.Scan(&d.ID, &d.Kind, &d.Title, &d.File, &d.SHA256, &at, &d.Tags, &d.Actors); err != nil {
			return nil, fmt.Errorf("sqlite: tag datasets: %w", err)
		}
		d.ImportedAt = fromMicros(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: tag datasets: %w", err)
	}
	return out, nil
}

// TagsByAddress returns an address's tags, strongest confidence first.
func (s *Store) TagsByAddress(ctx context.Context, address string) ([]tags.Tag, error) {
	return s.queryTags(ctx, "tags by address", qTagsByAddress, address)
}

// TagsByAddresses returns the tags of many addresses in one query.
func (s *Store) TagsByAddresses(ctx context.Context, addresses []string) (map[string][]tags.Tag, error) {
	ts, err := s.queryTags(ctx, "tags by addresses", qTagsByAddresses, jsonList(addresses))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]tags.Tag)
	for _, t := range ts {
		out[t.Address] = append(out[t.Address], t)
	}
	return out, nil
}

// TagsByActor returns the tags whose actor is one of names.
func (s *Store) TagsByActor(ctx context.Context, names []string) ([]tags.Tag, error) {
	return s.queryTags(ctx, "tags by actor", qTagsByActor, jsonList(names))
}

// TagsByConcept returns up to limit tags of a concept at minLevel or above.
func (s *Store) TagsByConcept(ctx context.Context, concept string, minLevel, limit int) ([]tags.Tag, error) {
	if limit <= 0 {
		limit = -1
	}
	return s.queryTags(ctx, "tags by concept", qTagsByConcept, concept, concept, likeJSONString(concept), minLevel, limit)
}

// TagsByDataset returns a dataset's tags in file order.
func (s *Store) TagsByDataset(ctx context.Context, id string) ([]tags.Tag, error) {
	return s.queryTags(ctx, "tags by dataset", qTagsByDataset, id)
}

func (s *Store) queryTags(ctx context.Context, what, q string, args ...any) ([]tags.Tag, error) {
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var out []tags.Tag
	for rows.Next() {
		var t tags.Tag
		var concepts string
		if err := rows.Scan(&t.Dataset, &t.Address, &t.Network, &t.Currency, &t.Label, &t.Source, &t.Confidence, &t.Level,
			&t.Category, &t.Abuse, &concepts, &t.Actor, &t.Date, &t.Context, &t.TagType, &t.ClusterDefiner, &t.IsPublic,
			&t.TLP, &t.File, &t.Line, &t.PackTitle); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		if t.Concepts, err = fromJSONList(concepts); err != nil {
			return nil, fmt.Errorf("sqlite: %s: concepts: %w", what, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}

// TagActors returns every stored actor row, by dataset then file order.
func (s *Store) TagActors(ctx context.Context) ([]tags.Actor, error) {
	rows, err := s.reader.QueryContext(ctx, qTagActors)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag actors: %w", err)
	}
	defer rows.Close()
	var out []tags.Actor
	for rows.Next() {
		var a tags.Actor
		var aliases, cats, juris, rels string
		if err := rows.Scan(&a.Dataset, &a.ID, &a.Label, &a.URI, &aliases, &cats, &juris, &a.Context, &a.LastMod, &rels, &a.File, &a.Line); err != nil {
			return nil, fmt.Errorf("sqlite: tag actors: %w", err)
		}
		if err := decodeActorLists(&a, aliases, cats, juris, rels); err != nil {
			return nil, fmt.Errorf("sqlite: tag actor %s: %w", a.ID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: tag actors: %w", err)
	}
	return out, nil
}

func decodeActorLists(a *tags.Actor, aliases, cats, juris, rels string) error {
	var err error
	if a.Aliases, err = fromJSONList(aliases); err != nil {
		return err
	}
	if a.Categories, err = fromJSONList(cats); err != nil {
		return err
	}
	if a.Jurisdictions, err = fromJSONList(juris); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(rels), &a.Relations); err != nil {
		return err
	}
	if len(a.Relations) == 0 {
		a.Relations = nil
	}
	return nil
}

// jsonList encodes a string list as a JSON array ("[]" for none).
func jsonList(l []string) string {
	b, _ := json.Marshal(nonNil(l))
	return string(b)
}

func fromJSONList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// likeJSONString is a LIKE pattern (escape \) matching s as a JSON string
// inside a JSON array.
func likeJSONString(s string) string {
	b, _ := json.Marshal(s)
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(string(b)) + "%"
}
