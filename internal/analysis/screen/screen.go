// Package screen decides whether an address or a name is on a sanctions list:
// an exact, per-chain normalised address index and a fuzzy name index, built
// in memory from parsed list versions. It is pure: no HTTP, no SQL.
package screen

import (
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// VersionRef identifies the list version an index entry came from.
type VersionRef struct {
	ID        string           `json:"id"`
	Source    sanctions.Source `json:"source"`
	Published time.Time        `json:"published"`
}

// Dataset is one list version's entities, the input of NewIndex.
type Dataset struct {
	Version  VersionRef
	Entities []sanctions.Entity
}

// Match is one hit: which entity of which list version matched, and why.
type Match struct {
	List        string               `json:"list"`         // source: "ofac", "un"
	ListVersion string               `json:"list_version"` // VersionRef.ID
	EntityID    string               `json:"entity_id"`    // the list's own entry id
	Name        string               `json:"name"`         // the entity's primary name
	Type        sanctions.EntityType `json:"type"`
	Programs    []string             `json:"programs"`
	// Score is 1 for an exact address hit, in [0,1] for a name hit.
	Score float64 `json:"score"`
	// Address hits: the currency label the list gives and the address as published.
	Currency string `json:"currency,omitempty"`
	Address  string `json:"address,omitempty"`
	// Email hits: the email address as published.
	Email string `json:"email,omitempty"`
	// Name hits: the name (primary or alias) that matched, and the token alignment.
	MatchedName string       `json:"matched_name,omitempty"`
	Explanation []TokenMatch `json:"explanation,omitempty"`
}

// TokenMatch explains a name score: a query token, the listed token it was
// aligned with ("" if none) and their similarity.
type TokenMatch struct {
	Query  string  `json:"query"`
	Listed string  `json:"listed"`
	Score  float64 `json:"score"`
}

// Result is the answer for one query.
type Result struct {
	Query   string  `json:"query"`
	Kind    string  `json:"kind"` // "address" or "name"
	Hit     bool    `json:"hit"`
	Matches []Match `json:"matches"`
}

// NameQuery is a fuzzy name search with optional filters.
type NameQuery struct {
	Name string
	// Types, Programs: when non-empty, only entities of these types / in any of these programs.
	Types    []sanctions.EntityType
	Programs []string
	// Country filters on nationality or birth place (case-insensitive substring).
	Country string
	// BirthYear, when non-zero, drops individuals with a known birth year more than one year off.
	BirthYear int
	// Threshold is the minimum score reported; 0 means DefaultThreshold.
	Threshold float64
	// Limit caps the matches returned; 0 means 10.
	Limit int
}

// Index screens addresses and names against one or more list versions.
// It is immutable once built and safe for concurrent use.
type Index struct {
	versions  []VersionRef
	addresses *addressIndex
	emails    *emailIndex
	names     *nameIndex
}

// NewIndex builds the address and name indexes for the given datasets.
func NewIndex(datasets ...Dataset) *Index {
	ix := &Index{addresses: newAddressIndex(datasets), emails: newEmailIndex(datasets), names: newNameIndex(datasets)}
	for _, d := range datasets {
		ix.versions = append(ix.versions, d.Version)
	}
	return ix
}

// Versions lists the list versions the index was built from.
func (ix *Index) Versions() []VersionRef { return ix.versions }

// ScreenAddress looks addr up exactly, after per-chain normalisation.
func (ix *Index) ScreenAddress(addr string) Result {
	m := ix.addresses.lookup(addr)
	return Result{Query: addr, Kind: "address", Hit: len(m) > 0, Matches: nonNil(m)}
}

// ScreenName searches names fuzzily; matches are ordered best first.
func (ix *Index) ScreenName(q NameQuery) Result {
	m := ix.names.search(q)
	return Result{Query: q.Name, Kind: "name", Hit: len(m) > 0, Matches: nonNil(m)}
}

func nonNil(m []Match) []Match {
	if m == nil {
		return []Match{}
	}
	return m
}
