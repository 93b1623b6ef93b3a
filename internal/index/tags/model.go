// Package tags is Interdict's attribution store: address tags from GraphSense
// TagPacks, label sets and the sanctions lists, each with its source,
// confidence (GraphSense id and numeric level), category and concepts, actor,
// date and provenance (file, line, pack title); and actors with their aliases
// and relations.
//
// Relations keep "the same actor" apart from "a different actor linked to
// it": same_as unifies two actor ids (Lazarus Group = HIDDEN COBRA = Diamond
// Sleet = ZINC are one actor's names); attributed_to and associated_with link
// distinct actors (APT38, TraderTraitor and AppleJeus are clusters attributed
// to Lazarus Group, not Lazarus Group). An import whose aliases would silently
// make two actor ids one is refused (ErrActorConflict) unless the caller asks
// for the merge, which is then recorded as an explicit same_as.
//
// Imports are per dataset (one file, or one sanctions source) and replace the
// dataset's previous content in one transaction: re-importing a file never
// duplicates, and a bad file leaves nothing behind.
package tags

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors; backends return ErrNotFound wrapped.
var (
	ErrNotFound = errors.New("not found")
	// ErrActorConflict is an import that would unify two actor ids.
	ErrActorConflict = errors.New("actor conflict")
)

// Tag attributes one address.
type Tag struct {
	Address  string `json:"address"` // normalised per chain.NormalizeAddress
	Network  string `json:"network"` // lower case: btc, eth, trx, ...
	Currency string `json:"currency,omitempty"`
	Label    string `json:"label"`
	Source   string `json:"source"`
	// Confidence is the GraphSense confidence id; Level its number (5..100).
	Confidence string   `json:"confidence"`
	Level      int      `json:"confidence_level"`
	Category   string   `json:"category,omitempty"` // entity type concept (exchange, mixing_service, ...)
	Abuse      string   `json:"abuse,omitempty"`    // behaviour concept (sanction, phishing, ...)
	Concepts   []string `json:"concepts,omitempty"` // further concepts
	Actor      string   `json:"actor,omitempty"`    // actor id or alias as tagged
	Date       string   `json:"date,omitempty"`     // YYYY-MM-DD (lastmod)
	Context    string   `json:"context,omitempty"`  // JSON text
	TagType    string   `json:"tag_type,omitempty"`
	// ClusterDefiner: the tag may label the address's whole cluster.
	ClusterDefiner bool `json:"is_cluster_definer,omitempty"`
	// IsPublic is the pack's is_public; TLP follows from it (CLEAR or AMBER).
	IsPublic bool   `json:"is_public"`
	TLP      string `json:"tlp"`
	// Provenance.
	Dataset   string `json:"dataset"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	PackTitle string `json:"pack_title,omitempty"`
}

// HasConcept reports whether the tag's category, abuse or concepts name c.
func (t *Tag) HasConcept(c string) bool {
	if t.Category == c || t.Abuse == c {
		return true
	}
	for _, x := range t.Concepts {
		if x == c {
			return true
		}
	}
	return false
}

// Relation kinds.
const (
	SameAs         = "same_as"
	AttributedTo   = "attributed_to"
	AssociatedWith = "associated_with"
)

// Relation links actor From to actor To.
type Relation struct {
	Kind   string `json:"kind"`
	From   string `json:"from"`
	To     string `json:"to"`
	Source string `json:"source,omitempty"`
	Line   int    `json:"line,omitempty"`
}

// Actor is one actor as one dataset describes it. Several datasets may
// describe the same id; Registry merges them.
type Actor struct {
	ID            string     `json:"id"`
	Label         string     `json:"label"`
	URI           string     `json:"uri,omitempty"`
	Aliases       []string   `json:"aliases,omitempty"`
	Categories    []string   `json:"categories,omitempty"`
	Jurisdictions []string   `json:"jurisdictions,omitempty"`
	Context       string     `json:"context,omitempty"`
	LastMod       string     `json:"lastmod,omitempty"`
	Relations     []Relation `json:"relations,omitempty"`
	Dataset       string     `json:"dataset"`
	File          string     `json:"file,omitempty"`
	Line          int        `json:"line,omitempty"`
}

// Dataset records one import: a file or a sanctions source.
type Dataset struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"` // tagpack, actorpack, labels:<format>, sanctions
	Title      string    `json:"title,omitempty"`
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
	Tags       int       `json:"tags"`
	Actors     int       `json:"actors"`
}

// Store keeps datasets, their tags and their actors. Writes replace one
// dataset's whole content atomically.
type Store interface {
	// ReplaceTags records d and replaces every tag of dataset d.ID with tags,
	// in one transaction.
	ReplaceTags(ctx context.Context, d Dataset, tags []Tag) error
	// ReplaceActors records d and replaces every actor (with its aliases and
	// relations) of dataset d.ID, in one transaction.
	ReplaceActors(ctx context.Context, d Dataset, actors []Actor) error
	// TagDatasets lists datasets, oldest import first.
	TagDatasets(ctx context.Context) ([]Dataset, error)
	// TagsByAddress returns the tags of one normalised address, strongest
	// confidence first.
	TagsByAddress(ctx context.Context, address string) ([]Tag, error)
	// TagsByAddresses returns the tags of many normalised addresses at once
	// (one round trip; for tracing, which asks at every node), each
	// address's tags strongest first; untagged addresses are absent.
	TagsByAddresses(ctx context.Context, addresses []string) (map[string][]Tag, error)
	// TagsByActor returns the tags whose actor is one of names.
	TagsByActor(ctx context.Context, names []string) ([]Tag, error)
	// TagsByConcept returns up to limit tags whose category, abuse or concepts
	// hold concept, with a confidence level of at least minLevel, strongest
	// first (limit <= 0: no limit).
	TagsByConcept(ctx context.Context, concept string, minLevel, limit int) ([]Tag, error)
	// TagsByDataset returns a dataset's tags in file order.
	TagsByDataset(ctx context.Context, id string) ([]Tag, error)
	// TagActors returns every stored actor row of every dataset, by dataset
	// import order then file order.
	TagActors(ctx context.Context) ([]Actor, error)
}
