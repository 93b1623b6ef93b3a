// Package sanctions is the shared vocabulary of sanctions lists: a parsed list,
// its entities (people, organisations, vessels, aircraft), their names, identifiers
// and digital-currency addresses. The parsers in ofac/ and un/ produce it, the
// list versioning in index/lists stores it, and analysis/screen indexes it.
// It does no I/O.
package sanctions

import (
	"errors"
	"time"
)

// Source names the publisher of a list.
type Source string

// Known list sources.
const (
	SourceOFAC Source = "ofac" // US Treasury OFAC SDN list (advanced XML)
	SourceUN   Source = "un"   // UN Security Council consolidated list
)

// ParseSource returns the Source named by s, or ErrUnknownSource.
func ParseSource(s string) (Source, error) {
	switch Source(s) {
	case SourceOFAC, SourceUN:
		return Source(s), nil
	}
	return "", ErrUnknownSource
}

// ErrUnknownSource is returned for a list source Interdict cannot read.
var ErrUnknownSource = errors.New("unknown list source (want ofac or un)")

// ErrMalformed wraps every parse error of a list file, so callers can tell bad
// input (a 4xx, exit code 65) from an I/O failure.
var ErrMalformed = errors.New("malformed list")

// EntityType is the kind of a listed party.
type EntityType string

// Entity types, as OFAC's PartySubType and the UN's INDIVIDUAL/ENTITY split them.
const (
	TypeIndividual   EntityType = "individual"
	TypeOrganization EntityType = "entity"
	TypeVessel       EntityType = "vessel"
	TypeAircraft     EntityType = "aircraft"
)

// List is one published version of a sanctions list, fully parsed.
type List struct {
	Source Source
	// Published is the list's own date of issue (OFAC DateOfIssue, UN dateGenerated).
	Published time.Time
	Entities  []Entity
}

// Entity is one listed party.
type Entity struct {
	// ID is the list's own entry id: OFAC FixedRef (the legacy ent_num), UN DATAID.
	ID string `json:"id"`
	// Reference is a human reference where the list has one (UN KPi.001); may be empty.
	Reference string     `json:"reference,omitempty"`
	Type      EntityType `json:"type"`
	// Names holds every name; Names[0] is the primary name.
	Names         []Name           `json:"names"`
	Programs      []string         `json:"programs,omitempty"`
	Identifiers   []Identifier     `json:"identifiers,omitempty"`
	BirthDates    []string         `json:"birth_dates,omitempty"` // as published: YYYY, YYYY-MM or YYYY-MM-DD
	BirthPlaces   []string         `json:"birth_places,omitempty"`
	Nationalities []string         `json:"nationalities,omitempty"` // country names as published
	Addresses     []DigitalAddress `json:"addresses,omitempty"`
	Emails        []string         `json:"emails,omitempty"`    // as published (OFAC "Email Address" features)
	ListedOn      string           `json:"listed_on,omitempty"` // YYYY-MM-DD
	Remarks       string           `json:"remarks,omitempty"`
}

// PrimaryName returns the entity's primary name, or "" if it has none.
func (e *Entity) PrimaryName() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0].Full
}

// Name is one name of an entity in one script.
type Name struct {
	Full string `json:"full"`
	// Script is the ISO 15924 code or the list's script name ("Latin", "Hangul", ...).
	Script  string `json:"script,omitempty"`
	Primary bool   `json:"primary,omitempty"`
	// LowQuality marks weak aliases (OFAC LowQuality, UN "Low" quality).
	LowQuality bool `json:"low_quality,omitempty"`
	// Kind is the alias type: "name", "a.k.a.", "f.k.a.", "n.k.a.".
	Kind string `json:"kind,omitempty"`
}

// Identifier is an identity or registration document.
type Identifier struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"`
}

// DigitalAddress is a "Digital Currency Address - XXX" feature: the currency label
// the list gives (XBT, ETH, USDT, ...) and the address as published. The label does
// not fix the address format; see chain.ParseAddress.
type DigitalAddress struct {
	Currency string `json:"currency"`
	Address  string `json:"address"`
}
