package lists

import "github.com/interdict/interdict/internal/sources/sanctions"

// Diff is what changed between two versions of the same list.
type Diff struct {
	From             string         `json:"from"`
	To               string         `json:"to"`
	Counts           DiffCounts     `json:"counts"`
	EntitiesAdded    []EntityRef    `json:"entities_added"`
	EntitiesRemoved  []EntityRef    `json:"entities_removed"`
	EntitiesChanged  []EntityChange `json:"entities_changed"`
	AddressesAdded   []AddressRef   `json:"addresses_added"`
	AddressesRemoved []AddressRef   `json:"addresses_removed"`
}

// DiffCounts summarises a Diff.
type DiffCounts struct {
	EntitiesAdded    int `json:"entities_added"`
	EntitiesRemoved  int `json:"entities_removed"`
	EntitiesChanged  int `json:"entities_changed"`
	AddressesAdded   int `json:"addresses_added"`
	AddressesRemoved int `json:"addresses_removed"`
	// AddressPairsAdded / AddressPairsRemoved count distinct (currency,
	// address) pairs new to or gone from the whole list, whichever entity
	// holds them: what a per-asset blocklist gains and loses. The two fields
	// above count (entity, currency, address) triples.
	AddressPairsAdded   int `json:"address_pairs_added"`
	AddressPairsRemoved int `json:"address_pairs_removed"`
}

// EntityRef names an entity in a diff.
type EntityRef struct {
	ID       string               `json:"id"`
	Name     string               `json:"name"`
	Type     sanctions.EntityType `json:"type"`
	Programs []string             `json:"programs,omitempty"`
}

// EntityChange is an entity present in both versions whose fields differ.
type EntityChange struct {
	EntityRef
	Fields []string `json:"fields"` // e.g. "names", "programs", "addresses"
}

// AddressRef is one (currency, address) pair of an entity.
type AddressRef struct {
	EntityID string `json:"entity_id"`
	Currency string `json:"currency"`
	Address  string `json:"address"`
}
