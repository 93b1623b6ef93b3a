package tags

import (
	"context"
	"fmt"
	"strings"

	"github.com/interdict/interdict/internal/chain"
	"github.com/interdict/interdict/internal/sources/labels"
	"github.com/interdict/interdict/internal/sources/tagpacks"
)

func (im *Importer) importPack(ctx context.Context, d Dataset, p *tagpacks.Pack, opt Options) (Result, error) {
	warns, err := tagpacks.Check(p, im.tax, opt.Strict)
	if err != nil {
		return Result{}, malformed(err)
	}
	d.Title = p.Title
	ts := make([]Tag, 0, len(p.Tags))
	for _, t := range p.Tags {
		level, _ := im.tax.ConfidenceLevel(t.Confidence)
		network := strings.ToLower(t.Network)
		if network == "" {
			network = strings.ToLower(t.Currency)
		}
		ts = append(ts, Tag{
			Address: Address(t.Address), Network: network, Currency: t.Currency, Label: t.Label, Source: t.Source,
			Confidence: t.Confidence, Level: level, Category: t.Category, Abuse: t.Abuse, Concepts: t.Concepts,
			Actor: t.Actor, Date: t.LastMod, Context: t.Context, TagType: t.TagType,
			ClusterDefiner: t.IsClusterDefiner != nil && *t.IsClusterDefiner,
			IsPublic:       p.IsPublic, TLP: tlp(p.IsPublic),
			Dataset: d.ID, File: p.File, Line: t.Line, PackTitle: p.Title,
		})
	}
	rows := len(ts)
	ts, dups := dedup(ts)
	d.Tags = len(ts)
	if err := im.store.ReplaceTags(ctx, d, ts); err != nil {
		return Result{}, fmt.Errorf("%s: store: %w", d.File, err)
	}
	im.log.Info("tagpack imported", "file", d.File, "dataset", d.ID, "tags", len(ts), "duplicates", dups, "warnings", len(warns))
	return Result{File: d.File, Dataset: d.ID, Kind: d.Kind, Title: d.Title, Rows: rows, Tags: len(ts), Duplicates: dups,
		Confidence: countConfidence(ts), Warnings: warns}, nil
}

func (im *Importer) importLabels(ctx context.Context, d Dataset, s *labels.Set, opt Options) (Result, error) {
	level, ok := im.tax.ConfidenceLevel(s.Confidence)
	if !ok {
		return Result{}, fmt.Errorf("%s: confidence %q of the label set is not in the taxonomy: %w", d.File, s.Confidence, tagpacks.ErrUnknownConfidence)
	}
	var warns []tagpacks.Warning
	ts := make([]Tag, 0, len(s.Labels))
	for _, l := range s.Labels {
		for _, c := range []string{l.Category, l.Abuse} {
			if c == "" {
				continue
			}
			if _, known := im.tax.Concepts[c]; !known {
				if opt.Strict {
					return Result{}, malformed(fmt.Errorf("%s:%d: %w %q", d.File, l.Line, tagpacks.ErrUnknownConcept, c))
				}
				warns = append(warns, tagpacks.Warning{File: d.File, Line: l.Line, Msg: fmt.Sprintf("unknown concept %q", c)})
			}
		}
		network := l.Network
		if network == "" {
			network = guessNetwork(l.Address)
		}
		source := l.Source
		if source == "" {
			source = d.File
		}
		if l.Label == "" {
			l.Label = d.ID
		}
		ts = append(ts, Tag{
			Address: Address(l.Address), Network: network, Currency: l.Currency, Label: l.Label, Source: source,
			Confidence: s.Confidence, Level: level, Category: l.Category, Abuse: l.Abuse, Date: l.Date,
			IsPublic: true, TLP: tlp(true), Dataset: d.ID, File: d.File, Line: l.Line,
		})
	}
	rows := len(ts) + len(s.Skipped)
	ts, dups := dedup(ts)
	d.Tags = len(ts)
	if err := im.store.ReplaceTags(ctx, d, ts); err != nil {
		return Result{}, fmt.Errorf("%s: store: %w", d.File, err)
	}
	im.log.Info("label set imported", "file", d.File, "dataset", d.ID, "format", s.Format, "tags", len(ts), "duplicates", dups, "skipped", len(s.Skipped))
	return Result{File: d.File, Dataset: d.ID, Kind: d.Kind, Rows: rows, Tags: len(ts), Duplicates: dups, Skipped: s.Skipped,
		Confidence: countConfidence(ts), Warnings: warns}, nil
}

// guessNetwork names the network of an address a label file gives without
// one, from its format: EVM hex is Ethereum, TRON base58 is TRON, bc1/1/3 is
// Bitcoin; anything else is "unknown".
func guessNetwork(addr string) string {
	a := chain.ParseAddress(addr)
	switch {
	case a.Format == chain.FormatEVM:
		return "eth"
	case a.Format == chain.FormatTron:
		return "trx"
	case a.Format == chain.FormatBech32 && strings.HasPrefix(a.Normalized, "bc1"):
		return "btc"
	case a.Format == chain.FormatBase58 && (strings.HasPrefix(a.Normalized, "1") || strings.HasPrefix(a.Normalized, "3")):
		return "btc"
	}
	return "unknown"
}

func (im *Importer) importActorPack(ctx context.Context, d Dataset, p *tagpacks.ActorPack, opt Options) (Result, error) {
	warns, err := tagpacks.CheckActors(p, im.tax, opt.Strict)
	if err != nil {
		return Result{}, malformed(err)
	}
	d.Title = p.Title
	actors := make([]Actor, 0, len(p.Actors))
	rels := 0
	for _, a := range p.Actors {
		x := Actor{ID: a.ID, Label: a.Label, URI: a.URI, Aliases: a.Aliases, Categories: a.Categories,
			Jurisdictions: a.Jurisdictions, Context: a.Context, LastMod: a.LastMod, Dataset: d.ID, File: p.File, Line: a.Line}
		for _, r := range a.Relations {
			x.Relations = append(x.Relations, Relation{Kind: r.Type, From: a.ID, To: r.Actor, Source: r.Source, Line: r.Line})
		}
		rels += len(x.Relations)
		actors = append(actors, x)
	}
	reg, err := im.registry(ctx, d.ID)
	if err != nil {
		return Result{}, err
	}
	var merged []Relation
	if conflicts := reg.Check(actors); len(conflicts) > 0 {
		if !opt.AllowMerge {
			more := ""
			if len(conflicts) > 1 {
				more = fmt.Sprintf(" (and %d more conflicts)", len(conflicts)-1)
			}
			return Result{}, malformed(fmt.Errorf("%w: %s%s", ErrActorConflict, conflicts[0].Error(), more))
		}
		for _, c := range conflicts {
			r := Relation{Kind: SameAs, From: c.Actor, To: c.Other, Line: c.Line,
				Source: fmt.Sprintf("merge requested at import: name %q of both", c.Name)}
			for i := range actors {
				if actors[i].ID == c.Actor {
					actors[i].Relations = append(actors[i].Relations, r)
				}
			}
			merged = append(merged, r)
			im.log.Warn("actors merged on request", "actor", c.Actor, "other", c.Other, "name", c.Name, "file", c.File, "line", c.Line)
		}
	}
	d.Actors = len(actors)
	if err := im.store.ReplaceActors(ctx, d, actors); err != nil {
		return Result{}, fmt.Errorf("%s: store: %w", d.File, err)
	}
	im.log.Info("actor pack imported", "file", d.File, "dataset", d.ID, "actors", len(actors), "relations", rels, "merged", len(merged))
	return Result{File: d.File, Dataset: d.ID, Kind: d.Kind, Title: d.Title, Rows: len(actors), Actors: len(actors),
		Relations: rels + len(merged), Merged: merged, Warnings: warns}, nil
}

// registry builds the actor registry from the store, leaving out the rows of
// dataset skip (the one being re-imported).
func (im *Importer) registry(ctx context.Context, skip string) (*Registry, error) {
	rows, err := im.store.TagActors(ctx)
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	keep := rows[:0]
	for _, r := range rows {
		if r.Dataset != skip {
			keep = append(keep, r)
		}
	}
	return NewRegistry(keep), nil
}

// Registry returns the merged actors of every stored dataset.
func (im *Importer) Registry(ctx context.Context) (*Registry, error) { return im.registry(ctx, "") }
