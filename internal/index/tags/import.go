package tags

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/sources/labels"
	"github.com/interdict/interdict/internal/sources/tagpacks"
)

// ErrMalformed wraps every error about an imported file's content, whichever
// decoder found it.
var ErrMalformed = errors.New("malformed tag file")

// Options tune an import.
type Options struct {
	// Strict makes unknown concepts and jurisdictions errors, not warnings.
	Strict bool
	// AllowMerge turns actor conflicts into recorded same_as relations
	// instead of refusing the file.
	AllowMerge bool
	// Dataset overrides the dataset id derived from the file name.
	Dataset string
}

// Result reports one imported file.
type Result struct {
	File    string `json:"file"`
	Dataset string `json:"dataset"`
	Kind    string `json:"kind"`
	Title   string `json:"title,omitempty"`
	// Rows is what the file holds; Tags what was stored (Rows minus
	// Duplicates and Skipped).
	Rows       int                `json:"rows"`
	Tags       int                `json:"tags"`
	Duplicates int                `json:"duplicates"`
	Skipped    []labels.Skip      `json:"skipped,omitempty"`
	Actors     int                `json:"actors"`
	Relations  int                `json:"relations"`
	Merged     []Relation         `json:"merged,omitempty"`
	Confidence map[string]int     `json:"confidence,omitempty"`
	Warnings   []tagpacks.Warning `json:"warnings,omitempty"`
	Unchanged  bool               `json:"unchanged"`
}

// Importer turns files into datasets in a Store.
type Importer struct {
	store Store
	tax   *tagpacks.Taxonomy
	log   *slog.Logger
	now   func() time.Time
}

// NewImporter returns an Importer over store checking against tax (nil: the
// embedded GraphSense taxonomy). A nil logger discards.
func NewImporter(store Store, tax *tagpacks.Taxonomy, logger *slog.Logger) (*Importer, error) {
	if tax == nil {
		var err error
		if tax, err = tagpacks.DefaultTaxonomy(); err != nil {
			return nil, err
		}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Importer{store: store, tax: tax, log: logger,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}, nil
}

// Taxonomy returns the taxonomy the importer checks against.
func (im *Importer) Taxonomy() *tagpacks.Taxonomy { return im.tax }

// malformedError marks a decoder's error as bad input, keeping its message.
type malformedError struct{ err error }

func (e malformedError) Error() string   { return e.err.Error() }
func (e malformedError) Unwrap() []error { return []error{e.err, ErrMalformed} }

func malformed(err error) error {
	if err == nil || errors.Is(err, ErrMalformed) {
		return err
	}
	return malformedError{err}
}

// ImportFile reads one file (plain or gzip) named name and stores it as one
// dataset: a TagPack, an ActorPack or a label set, told apart by content and
// name. A file whose content is already stored under its dataset is not
// written again (Unchanged). Content errors wrap ErrMalformed and name
// file:line; nothing of a bad file is stored.
func (im *Importer) ImportFile(ctx context.Context, name string, r io.Reader, opt Options) (Result, error) {
	data, err := readMaybeGzip(r)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	d := Dataset{File: name, SHA256: hex.EncodeToString(sum[:]), ImportedAt: im.now()}
	base := strings.TrimSuffix(name, ".gz")
	switch kind := detectKind(base, data); kind {
	case "tagpack":
		d.Kind, d.ID = kind, datasetID(kind, name, opt.Dataset)
		if unchanged, res, err := im.unchanged(ctx, d, name); err != nil || unchanged {
			return res, err
		}
		p, err := tagpacks.ParsePack(bytes.NewReader(data), name)
		if err != nil {
			return Result{}, malformed(err)
		}
		return im.importPack(ctx, d, p, opt)
	case "actorpack":
		d.Kind, d.ID = kind, datasetID(kind, name, opt.Dataset)
		if unchanged, res, err := im.unchanged(ctx, d, name); err != nil || unchanged {
			return res, err
		}
		p, err := tagpacks.ParseActorPack(bytes.NewReader(data), name)
		if err != nil {
			return Result{}, malformed(err)
		}
		return im.importActorPack(ctx, d, p, opt)
	default:
		head := data[:min(len(data), 4096)]
		f, err := labels.Detect(base, head)
		if err != nil {
			return Result{}, malformed(err)
		}
		d.Kind = "labels:" + string(f)
		d.ID = datasetID(string(f), name, opt.Dataset)
		if unchanged, res, err := im.unchanged(ctx, d, name); err != nil || unchanged {
			return res, err
		}
		s, err := labels.Parse(bytes.NewReader(data), f, name)
		if err != nil {
			return Result{}, malformed(err)
		}
		return im.importLabels(ctx, d, s, opt)
	}
}

// unchanged reports a dataset already stored with the same content.
func (im *Importer) unchanged(ctx context.Context, d Dataset, name string) (bool, Result, error) {
	ds, err := im.store.TagDatasets(ctx)
	if err != nil {
		return false, Result{}, err
	}
	for _, x := range ds {
		if x.ID == d.ID && x.SHA256 == d.SHA256 {
			return true, Result{File: name, Dataset: d.ID, Kind: x.Kind, Title: x.Title, Tags: x.Tags, Rows: x.Tags, Actors: x.Actors, Unchanged: true}, nil
		}
	}
	return false, Result{}, nil
}

func readMaybeGzip(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, malformed(fmt.Errorf("gzip: %w", err))
		}
		defer zr.Close()
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, malformed(fmt.Errorf("gzip: %w", err))
		}
		return data, nil
	}
	return io.ReadAll(br)
}

var (
	topTags   = regexp.MustCompile(`(?m)^tags:`)
	topActors = regexp.MustCompile(`(?m)^actors:`)
)

// detectKind tells TagPacks and ActorPacks (YAML mappings with a top-level
// tags: or actors: key) from label sets.
func detectKind(name string, data []byte) string {
	lower := strings.ToLower(name)
	if !strings.HasSuffix(lower, ".yaml") && !strings.HasSuffix(lower, ".yml") {
		return "labels"
	}
	switch {
	case topActors.Match(data) && !topTags.Match(data):
		return "actorpack"
	case topTags.Match(data):
		return "tagpack"
	}
	return "labels"
}

// datasetID names a file's dataset by its kind and last two path elements
// (Forta's labels/1/ and labels/10/ hold files of one name), without .gz.
func datasetID(kind, name, override string) string {
	if override != "" {
		return override
	}
	p := strings.TrimSuffix(strings.ReplaceAll(name, "\\", "/"), ".gz")
	dir, file := path.Split(path.Clean(p))
	if parent := path.Base(dir); parent != "." && parent != "/" && parent != "" {
		file = parent + "/" + file
	}
	return kind + ":" + file
}

// Address returns the normalised form of an address for lookups.
func Address(s string) string { return chain.NormalizeAddress(s) }

// tlp maps is_public to a Traffic Light Protocol level.
func tlp(public bool) string {
	if public {
		return "CLEAR"
	}
	return "AMBER"
}

// dedup drops repeated (address, network, label, actor, source) tags of one
// dataset, keeping the first.
func dedup(ts []Tag) ([]Tag, int) {
	type key struct{ a, n, l, ac, s string }
	seen := make(map[key]bool, len(ts))
	out := ts[:0]
	dups := 0
	for _, t := range ts {
		k := key{t.Address, t.Network, t.Label, t.Actor, t.Source}
		if seen[k] {
			dups++
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out, dups
}

func countConfidence(ts []Tag) map[string]int {
	m := map[string]int{}
	for _, t := range ts {
		m[t.Confidence]++
	}
	return m
}
