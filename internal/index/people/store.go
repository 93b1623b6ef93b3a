package people

import (
	"context"
	"time"
)

// Store keeps person records. Backends: internal/store/sqlite and
// internal/store/postgres; the contract is storetest.RunPeople.
type Store interface {
	// PutPerson inserts r, or replaces the person with r's id and all its
	// identifiers. A zero Created is set to the time of the first insert.
	PutPerson(ctx context.Context, r Record) error
	// PutPeople puts every record in one transaction: all or none.
	PutPeople(ctx context.Context, rs []Record) error
	// Person returns the record with id, or an error wrapping ErrNotFound.
	Person(ctx context.Context, id string) (Record, error)
	// People returns up to limit records (0 or less: 100) with ids after
	// after, in id order.
	People(ctx context.Context, after string, limit int) ([]Record, error)
	// LinksByHash returns every stored identifier with one of hashes, with its
	// person, ordered by hash and person id.
	LinksByHash(ctx context.Context, hashes []Hash) ([]Link, error)
	// DeletePerson removes a person and its identifiers; ErrNotFound if absent.
	DeletePerson(ctx context.Context, id string) error
	// PurgeExpired deletes the persons whose RetainUntil is at or before now
	// and the identifiers whose own RetainUntil is, and counts both.
	PurgeExpired(ctx context.Context, now time.Time) (Purged, error)
	// CheckKey records fingerprint as the store's vault key fingerprint if
	// none is recorded, and otherwise returns an error wrapping ErrKey unless
	// it is the recorded one.
	CheckKey(ctx context.Context, fingerprint []byte) error
}

// Purged counts what PurgeExpired deleted.
type Purged struct {
	Persons     int `json:"persons"`
	Identifiers int `json:"identifiers"`
}
