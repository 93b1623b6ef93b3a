package sqlite

// The TAXII store's SQL (tables in migrations/0003_taxii.up.sql).
const (
	qTaxiiPutDiscovery = `INSERT INTO taxii_discovery (one, title, description, contact, default_root) VALUES (1, ?, ?, ?, ?)
ON CONFLICT (one) DO UPDATE SET title = excluded.title, description = excluded.description,
    contact = excluded.contact, default_root = excluded.default_root`
	qTaxiiDiscovery = `SELECT title, description, contact, default_root FROM taxii_discovery WHERE one = 1`

	qTaxiiPutRoot = `INSERT INTO taxii_api_roots (name, title, description, versions, max_content_length) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET title = excluded.title, description = excluded.description,
    versions = excluded.versions, max_content_length = excluded.max_content_length`
	qTaxiiRoots      = `SELECT name, title, description, versions, max_content_length FROM taxii_api_roots ORDER BY name`
	qTaxiiRootExists = `SELECT COUNT(*) FROM taxii_api_roots WHERE name = ?`

	qTaxiiPutCollection = `INSERT INTO taxii_collections (api_root, id, title, description, alias, can_read, can_write, media_types)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (api_root, id) DO UPDATE SET title = excluded.title, description = excluded.description,
    alias = excluded.alias, can_read = excluded.can_read, can_write = excluded.can_write, media_types = excluded.media_types`
	qTaxiiCollections = `SELECT api_root, id, title, description, alias, can_read, can_write, media_types
FROM taxii_collections WHERE api_root = ? ORDER BY seq`
	qTaxiiCollectionExists = `SELECT COUNT(*) FROM taxii_collections WHERE api_root = ? AND id = ?`

	qTaxiiMaxDateAdded = `SELECT COALESCE(MAX(date_added), 0) FROM taxii_objects`
	qTaxiiInsertObject = `INSERT INTO taxii_objects (api_root, collection, id, type, spec_version, version, version_us,
    date_added, media_type, owner, tlp, body)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (api_root, collection, id, version, spec_version) DO NOTHING`
	// qTaxiiMetas is completed with filters and the order. Its visibility
	// test is taxii.Visible: RED to the owner only, AMBER to the owner or
	// the AMBER-cleared.
	qTaxiiMetas = `SELECT seq, id, type, spec_version, version, version_us, date_added, media_type, owner, tlp
FROM taxii_objects WHERE api_root = ? AND collection = ?
AND (tlp <> 'red' OR (owner <> '' AND owner = ?))
AND (tlp NOT IN ('amber', 'amber+strict') OR (owner <> '' AND owner = ?) OR ?)`
	qTaxiiBodies       = `SELECT seq, body FROM taxii_objects WHERE seq IN `
	qTaxiiDeleteObject = `DELETE FROM taxii_objects WHERE api_root = ? AND collection = ? AND seq = ?`

	qTaxiiPutStatus = `INSERT INTO taxii_status (api_root, id, owner, status, request_timestamp, total_count, successes, failures, pendings)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (api_root, id) DO UPDATE SET owner = excluded.owner, status = excluded.status,
    request_timestamp = excluded.request_timestamp, total_count = excluded.total_count,
    successes = excluded.successes, failures = excluded.failures, pendings = excluded.pendings`
	qTaxiiStatus = `SELECT owner, status, request_timestamp, total_count, successes, failures, pendings
FROM taxii_status WHERE api_root = ? AND id = ?`

	qTaxiiPutGrant = `INSERT INTO taxii_grants (api_root, collection, principal, can_read, can_write, amber) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (api_root, collection, principal) DO UPDATE SET can_read = excluded.can_read,
    can_write = excluded.can_write, amber = excluded.amber`
	qTaxiiGrants = `SELECT principal, can_read, can_write, amber FROM taxii_grants
WHERE api_root = ? AND collection = ? ORDER BY principal`

	qTaxiiClientState    = `SELECT value FROM taxii_client_state WHERE name = ?`
	qTaxiiPutClientState = `INSERT INTO taxii_client_state (name, value) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET value = excluded.value`
)
