package postgres

// The TAXII store's SQL (tables in migrations/0003_taxii.up.sql).
const (
	qTaxiiPutDiscovery = `INSERT INTO taxii_discovery (one, title, description, contact, default_root) VALUES (1, $1, $2, $3, $4)
ON CONFLICT (one) DO UPDATE SET title = excluded.title, description = excluded.description,
    contact = excluded.contact, default_root = excluded.default_root`
	qTaxiiDiscovery = `SELECT title, description, contact, default_root FROM taxii_discovery WHERE one = 1`

	qTaxiiPutRoot = `INSERT INTO taxii_api_roots (name, title, description, versions, max_content_length) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (name) DO UPDATE SET title = excluded.title, description = excluded.description,
    versions = excluded.versions, max_content_length = excluded.max_content_length`
	qTaxiiRoots      = `SELECT name, title, description, versions, max_content_length FROM taxii_api_roots ORDER BY name`
	qTaxiiRootExists = `SELECT COUNT(*) FROM taxii_api_roots WHERE name = $1`

	qTaxiiPutCollection = `INSERT INTO taxii_collections (api_root, id, title, description, alias, can_read, can_write, media_types)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (api_root, id) DO UPDATE SET title = excluded.title, description = excluded.description,
    alias = excluded.alias, can_read = excluded.can_read, can_write = excluded.can_write, media_types = excluded.media_types`
	qTaxiiCollections = `SELECT api_root, id, title, description, alias, can_read, can_write, media_types
FROM taxii_collections WHERE api_root = $1 ORDER BY seq`
	qTaxiiCollectionExists = `SELECT COUNT(*) FROM taxii_collections WHERE api_root = $1 AND id = $2`

	qTaxiiMaxDateAdded = `SELECT MAX(date_added) FROM taxii_objects`
	qTaxiiInsertObject = `INSERT INTO taxii_objects (api_root, collection, id, type, spec_version, version, version_at,
    date_added, media_type, owner, tlp, body)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (api_root, collection, id, version, spec_version) DO NOTHING`
	// qTaxiiMetas is completed with filters and the order. Its visibility
	// test is taxii.Visible: RED to the owner only, AMBER to the owner or
	// the AMBER-cleared.
	qTaxiiMetas = `SELECT seq, id, type, spec_version, version, version_at, date_added, media_type, owner, tlp
FROM taxii_objects WHERE api_root = $1 AND collection = $2
AND (tlp <> 'red' OR (owner <> '' AND owner = $3))
AND (tlp NOT IN ('amber', 'amber+strict') OR (owner <> '' AND owner = $4) OR $5::boolean)`
	qTaxiiBodies       = `SELECT seq, body FROM taxii_objects WHERE seq = ANY($1)`
	qTaxiiDeleteObject = `DELETE FROM taxii_objects WHERE api_root = $1 AND collection = $2 AND seq = ANY($3)`

	qTaxiiPutStatus = `INSERT INTO taxii_status (api_root, id, owner, status, request_timestamp, total_count, successes, failures, pendings)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (api_root, id) DO UPDATE SET owner = excluded.owner, status = excluded.status,
    request_timestamp = excluded.request_timestamp, total_count = excluded.total_count,
    successes = excluded.successes, failures = excluded.failures, pendings = excluded.pendings`
	qTaxiiStatus = `SELECT owner, status, request_timestamp, total_count, successes, failures, pendings
FROM taxii_status WHERE api_root = $1 AND id = $2`

	qTaxiiPutGrant = `INSERT INTO taxii_grants (api_root, collection, principal, can_read, can_write, amber) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (api_root, collection, principal) DO UPDATE SET can_read = excluded.can_read,
    can_write = excluded.can_write, amber = excluded.amber`
	qTaxiiGrants = `SELECT principal, can_read, can_write, amber FROM taxii_grants
WHERE api_root = $1 AND collection = $2 ORDER BY principal`

	qTaxiiClientState    = `SELECT value FROM taxii_client_state WHERE name = $1`
	qTaxiiPutClientState = `INSERT INTO taxii_client_state (name, value) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`
)

// lockTaxiiAdd serialises AddObjects, so date_added order is commit order and
// added_after never skips a version committed late.
const lockTaxiiAdd int64 = 0x696e7464_74617869 // "intdtaxi"
