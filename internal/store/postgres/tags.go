package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/interdict/interdict/internal/index/tags"
)

var _ tags.Store = (*Store)(nil)

// Tag queries (schema: migrations/0002_tags.up.sql).
const (
	qUpsertTagDataset = `INSERT INTO tag_datasets (id, kind, title, file, sha256, imported_at, tags, actors)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, file = excluded.file,
  sha256 = excluded.sha256, imported_at = excluded.imported_at, tags = excluded.tags, actors = excluded.actors`
	qDeleteDatasetTags   = `DELETE FROM tags WHERE dataset = $1`
	qDeleteDatasetActors = `DELETE FROM tag_actors WHERE dataset = $1`
	qInsertTag           = `INSERT INTO tags (dataset, address, network, currency, label, source, confidence, level,
  category, abuse, concepts, actor, date, context, tag_type, cluster_definer, is_public, tlp, file, line, pack_title)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`
	qInsertActor = `INSERT INTO tag_actors (dataset, id, label, uri, aliases, categories, jurisdictions, context,
  lastmod, relations, file, line) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	qTagDatasets = `SELECT id, kind, title, file, sha256, imported_at, tags, actors FROM tag_datasets ORDER BY seq`
	tagColumns   = `dataset, address, network, currency, label, source, confidence, level, category, abuse, concepts,
  actor, date, context, tag_type, cluster_definer, is_public, tlp, file, line, pack_title`
	qTagsByAddress   = `SELECT ` + tagColumns + ` FROM tags WHERE address = $1 ORDER BY level DESC, seq`
	qTagsByAddresses = `SELECT ` + tagColumns + ` FROM tags WHERE address = ANY($1) ORDER BY address, level DESC, seq`
	qTagsByActor     = `SELECT ` + tagColumns + ` FROM tags WHERE actor = ANY($1) ORDER BY level DESC, seq`
	qTagsByConcept   = `SELECT ` + tagColumns + ` FROM tags
WHERE (category = $1 OR abuse = $2 OR concepts LIKE $3 ESCAPE '\') AND level >= $4 ORDER BY level DESC, seq LIMIT $5`
	qTagsByDataset = `SELECT ` + tagColumns + ` FROM tags WHERE dataset = $1 ORDER BY seq`
	qTagActors     = `SELECT a.dataset, a.id, a.label, a.uri, a.aliases, a.categories, a.jurisdictions, a.context,
  a.lastmod, a.relations, a.file, a.line FROM tag_actors a JOIN tag_datasets d ON d.id = a.dataset ORDER BY d.seq, a.seq`
)

// ReplaceTags records d and replaces its tags in one transaction; the rows
// go in with COPY. The dataset upsert comes first: its row lock makes a
// concurrent import of the same dataset wait until this one commits, so its
// DELETE then sees (and removes) these rows instead of doubling them.
func (s *Store) ReplaceTags(ctx context.Context, d tags.Dataset, ts []tags.Tag) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := upsertDataset(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, qDeleteDatasetTags, d.ID); err != nil {
			return err
		}
		cols := []string{"dataset", "address", "network", "currency", "label", "source", "confidence", "level", "category",
			"abuse", "concepts", "actor", "date", "context", "tag_type", "cluster_definer", "is_public", "tlp", "file", "line", "pack_title"}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"tags"}, cols, pgx.CopyFromSlice(len(ts), func(i int) ([]any, error) {
			t := &ts[i]
			return []any{d.ID, t.Address, t.Network, t.Currency, t.Label, t.Source, t.Confidence, t.Level, t.Category, t.Abuse,
				jsonList(t.Concepts), t.Actor, t.Date, t.Context, t.TagType, t.ClusterDefiner, t.IsPublic, t.TLP, t.File, t.Line, t.PackTitle}, nil
		}))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: replace tags of %s: %w", d.ID, err)
	}
	return nil
}

// ReplaceActors records d and replaces its actors in one transaction.
func (s *Store) ReplaceActors(ctx context.Context, d tags.Dataset, actors []tags.Actor) error {
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := upsertDataset(ctx, tx, d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, qDeleteDatasetActors, d.ID); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i := range actors {
			a := &actors[i]
			rels, err := json.Marshal(orEmpty(a.Relations))
			if err != nil {
				return err
			}
			b.Queue(qInsertActor, d.ID, a.ID, a.Label, a.URI, jsonList(a.Aliases), jsonList(a.Categories),
				jsonList(a.Jurisdictions), a.Context, a.LastMod, string(rels), a.File, a.Line)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: replace actors of %s: %w", d.ID, err)
	}
	return nil
}

func upsertDataset(ctx context.Context, tx pgx.Tx, d tags.Dataset) error {
	if d.ImportedAt.IsZero() {
		d.ImportedAt = now()
	}
	_, err := tx.Exec(ctx, qUpsertTagDataset, d.ID, d.Kind, d.Title, d.File, d.SHA256, ts(d.ImportedAt), d.Tags, d.Actors)
	return err
}

// TagDatasets lists datasets, oldest import first.
func (s *Store) TagDatasets(ctx context.Context) ([]tags.Dataset, error) {
	rows, err := s.pool.Query(ctx, qTagDatasets)
	if err != nil {
		return nil, fmt.Errorf("postgres: tag datasets: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tags.Dataset, error) {
		var d tags.Dataset
		err := r.Scan(&d.ID, &d.Kind, &d.Title, &d.File, &d.SHA256, &d.ImportedAt, &d.Tags, &d.Actors)
		d.ImportedAt = d.ImportedAt.UTC()
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tag datasets: %w", err)
	}
	return out, nil
}

// TagsByAddress returns an address's tags, strongest confidence first.
func (s *Store) TagsByAddress(ctx context.Context, address string) ([]tags.Tag, error) {
	return s.queryTags(ctx, "tags by address", qTagsByAddress, address)
}

// TagsByAddresses returns the tags of many addresses in one query.
func (s *Store) TagsByAddresses(ctx context.Context, addresses []string) (map[string][]tags.Tag, error) {
	ts, err := s.queryTags(ctx, "tags by addresses", qTagsByAddresses, orEmpty(addresses))
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
	return s.queryTags(ctx, "tags by actor", qTagsByActor, orEmpty(names))
}

// TagsByConcept returns up to limit tags of a concept at minLevel or above.
func (s *Store) TagsByConcept(ctx context.Context, concept string, minLevel, limit int) ([]tags.Tag, error) {
	var lim any = limit
	if limit <= 0 {
		lim = nil // LIMIT NULL: no limit
	}
	return s.queryTags(ctx, "tags by concept", qTagsByConcept, concept, concept, likeJSONString(concept), minLevel, lim)
}

// TagsByDataset returns a dataset's tags in file order.
func (s *Store) TagsByDataset(ctx context.Context, id string) ([]tags.Tag, error) {
	return s.queryTags(ctx, "tags by dataset", qTagsByDataset, id)
}

func (s *Store) queryTags(ctx context.Context, what, q string, args ...any) ([]tags.Tag, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tags.Tag, error) {
		var t tags.Tag
		var concepts string
		if err := r.Scan(&t.Dataset, &t.Address, &t.Network, &t.Currency, &t.Label, &t.Source, &t.Confidence, &t.Level,
			&t.Category, &t.Abuse, &concepts, &t.Actor, &t.Date, &t.Context, &t.TagType, &t.ClusterDefiner, &t.IsPublic,
			&t.TLP, &t.File, &t.Line, &t.PackTitle); err != nil {
			return t, err
		}
		var err error
		t.Concepts, err = fromJSONList(concepts)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

// TagActors returns every stored actor row, by dataset then file order.
func (s *Store) TagActors(ctx context.Context) ([]tags.Actor, error) {
	rows, err := s.pool.Query(ctx, qTagActors)
	if err != nil {
		return nil, fmt.Errorf("postgres: tag actors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tags.Actor, error) {
		var a tags.Actor
		var aliases, cats, juris, rels string
		if err := r.Scan(&a.Dataset, &a.ID, &a.Label, &a.URI, &aliases, &cats, &juris, &a.Context, &a.LastMod, &rels, &a.File, &a.Line); err != nil {
			return a, err
		}
		return a, decodeActorLists(&a, aliases, cats, juris, rels)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tag actors: %w", err)
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
	b, _ := json.Marshal(orEmpty(l))
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

func orEmpty[T any](l []T) []T {
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
