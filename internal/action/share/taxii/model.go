package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// MediaType is the only media type the TAXII 2.1 endpoints speak.
const MediaType = "application/taxii+json;version=2.1"

// STIXMediaType is the media type of a STIX object of spec version v.
func STIXMediaType(v string) string { return "application/stix+json;version=" + v }

// Sentinel errors. Stores wrap them; the server maps them to HTTP statuses
// in one table (errors.go).
var (
	ErrNotFound = errors.New("taxii: not found")
	// ErrInvalid marks bad input: a query parameter, an envelope or an
	// object that does not follow the spec.
	ErrInvalid = errors.New("taxii: invalid")
)

// Discovery is the server's discovery resource as stored: the roots it lists
// are the stored API roots, and their URLs are made at request time.
type Discovery struct {
	Title       string
	Description string
	Contact     string
	// Default names the default API root; empty means none.
	Default string
}

// APIRoot is one API root. Name is the URL path segment under /taxii2/.
type APIRoot struct {
	Name             string   `json:"-"`
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collection is one collection of an API root. CanRead and CanWrite are the
// defaults for non-admin keys (see rights.go).
type Collection struct {
	APIRoot     string
	ID          string
	Title       string
	Description string
	Alias       string
	CanRead     bool
	CanWrite    bool
	MediaTypes  []string
}

// Object is one stored version of a STIX object: the envelope fields TAXII
// filters on and the raw JSON. Body is nil when a store lists metadata only.
type Object struct {
	// Seq is the store's insertion number; with DateAdded it orders pages.
	Seq         int64
	ID          string
	Type        string
	SpecVersion string
	// Version is the object's modified (or created) timestamp as written in
	// the object; VersionTime is the same instant parsed.
	Version     string
	VersionTime time.Time
	// DateAdded is when this version entered the collection. A zero value
	// on AddObjects asks the store to assign one (strictly increasing).
	DateAdded time.Time
	MediaType string
	// Owner is the member that posted the version ("" for imported data).
	Owner string
	TLP   TLP
	Body  json.RawMessage
}

// StatusDetail is one entry of a status resource's successes, failures or
// pendings.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
	Message string `json:"message,omitempty"`
}

// Status is a status resource: what became of one POST of objects.
type Status struct {
	APIRoot          string
	ID               string
	Owner            string
	Status           string // "pending" or "complete"
	RequestTimestamp time.Time
	TotalCount       int
	Successes        []StatusDetail
	Failures         []StatusDetail
	Pendings         []StatusDetail
}

// Grant overrides a collection's default rights for one principal: a member
// ("member:NAME") or a single key ("key:ID"). Amber clears the principal for
// TLP:AMBER and TLP:AMBER+STRICT objects of the collection.
type Grant struct {
	APIRoot    string
	Collection string
	Principal  string
	Read       bool
	Write      bool
	Amber      bool
}

// MemberPrincipal and KeyPrincipal name grant principals.
func MemberPrincipal(member string) string { return "member:" + member }

// KeyPrincipal names the principal of one API key.
func KeyPrincipal(keyID string) string { return "key:" + keyID }

// Viewer is who reads: TLP filtering happens in the store query so pages are
// full and counts honest.
type Viewer struct {
	Member string
	// Amber: the viewer may see AMBER and AMBER+STRICT versions.
	Amber bool
}

// MetaQuery selects object versions of one collection. Empty lists match
// everything.
type MetaQuery struct {
	Viewer     Viewer
	AddedAfter time.Time // zero: no bound
	IDs        []string
	Types      []string
	// After, when set, keeps only versions after this position in page
	// order; Limit, when positive, caps how many are returned. Together
	// they read a collection in chunks.
	After *Position
	Limit int
}

// Position is a place in page order: date_added, then insertion.
type Position struct {
	DateAdded time.Time
	Seq       int64
}

// Store is what the server, the importer and the client need of a state
// store. Implementations: internal/store/sqlite and internal/store/postgres;
// the contract suite is storetest.RunTAXII.
type Store interface {
	// PutDiscovery replaces the discovery resource; Discovery returns a
	// zero value when none was stored.
	PutDiscovery(ctx context.Context, d Discovery) error
	Discovery(ctx context.Context) (Discovery, error)

	// PutAPIRoot inserts or replaces a root; APIRoots lists them by name.
	PutAPIRoot(ctx context.Context, r APIRoot) error
	APIRoots(ctx context.Context) ([]APIRoot, error)

	// PutCollection inserts or replaces a collection (the root must exist:
	// ErrNotFound otherwise); Collections lists a root's collections in
	// insertion order.
	PutCollection(ctx context.Context, c Collection) error
	Collections(ctx context.Context, root string) ([]Collection, error)

	// AddObjects stores versions in one transaction and returns how many were
	// new: a version already held (same id and version) is left as it is.
	// Zero DateAdded values are assigned strictly increasing times, later
	// than every date_added already stored, so added_after never splits a
	// batch.
	AddObjects(ctx context.Context, root, collection string, objs []Object) (int, error)
	// ObjectMetas returns the versions q selects without their bodies,
	// ordered by date_added, then insertion.
	ObjectMetas(ctx context.Context, root, collection string, q MetaQuery) ([]Object, error)
	// ObjectBodies returns the raw JSON of the given versions by Seq.
	ObjectBodies(ctx context.Context, seqs []int64) (map[int64]json.RawMessage, error)
	// DeleteObjects removes versions by Seq from one collection.
	DeleteObjects(ctx context.Context, root, collection string, seqs []int64) error

	// PutStatus inserts or replaces a status resource; Status returns one or
	// ErrNotFound.
	PutStatus(ctx context.Context, s Status) error
	Status(ctx context.Context, root, id string) (Status, error)

	// PutGrant inserts or replaces a grant; Grants lists a collection's.
	PutGrant(ctx context.Context, g Grant) error
	Grants(ctx context.Context, root, collection string) ([]Grant, error)

	// ClientState and PutClientState keep the client's resume points by
	// name ("" when none).
	ClientState(ctx context.Context, name string) (string, error)
	PutClientState(ctx context.Context, name, value string) error
}
