// Package lists keeps every loaded version of every sanctions list: it stores a
// parsed list with its source, date and sha256, computes the diff between two
// versions, and hands the latest version of each source to the screening index.
package lists

import (
	"context"
	"errors"
	"time"

	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Sentinel errors; backends return them (wrapped) so callers can branch.
var (
	ErrNotFound = errors.New("list version not found")
	ErrExists   = errors.New("list version already loaded")
)

// Version describes one stored list version.
type Version struct {
	// ID is "<source>-<published YYYY-MM-DD>-<first 12 hex of sha256>".
	ID        string           `json:"id"`
	Source    sanctions.Source `json:"source"`
	Published time.Time        `json:"published"`
	// SHA256 is the hex digest of the uncompressed list file.
	SHA256    string    `json:"sha256"`
	LoadedAt  time.Time `json:"loaded_at"`
	Entities  int       `json:"entities"`
	Addresses int       `json:"addresses"`
}

// Store persists list versions. Entities are stored as an opaque blob (the
// encoding is this package's business), written atomically with the version row.
type Store interface {
	// SaveVersion stores v and its entity blob in one transaction; ErrExists if a
	// version with the same source and SHA256 is already stored.
	SaveVersion(ctx context.Context, v Version, blob []byte) error
	// Versions lists all versions, oldest loaded first.
	Versions(ctx context.Context) ([]Version, error)
	// Version returns one version; ErrNotFound if absent.
	Version(ctx context.Context, id string) (Version, error)
	// VersionBlob returns the entity blob of a version; ErrNotFound if absent.
	VersionBlob(ctx context.Context, id string) ([]byte, error)
}
