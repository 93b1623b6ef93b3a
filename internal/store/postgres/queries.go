package postgres

// Every SQL statement the store runs, apart from the migration scripts. Names
// are unqualified: the connection's search_path chooses the schema.
const (
	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	qMigrationVersion  = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	qMigrationVersions = `SELECT version FROM schema_migrations ORDER BY version`
	qInsertMigration   = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	qDeleteMigration   = `DELETE FROM schema_migrations WHERE version = $1`
	// Transaction-scoped, so the lock goes with the transaction however it ends.
	qAdvisoryXactLock = `SELECT pg_advisory_xact_lock($1)`

	qInsertVersion = `INSERT INTO list_versions (id, source, published, sha256, loaded_at, entities, addresses)
VALUES ($1, $2, $3, $4, $5, $6, $7)`
	qInsertBlob    = `INSERT INTO list_blobs (version_id, blob) VALUES ($1, $2)`
	versionColumns = `id, source, published, sha256, loaded_at, entities, addresses`
	qVersions      = `SELECT ` + versionColumns + ` FROM list_versions ORDER BY loaded_at, seq`
	qVersion       = `SELECT ` + versionColumns + ` FROM list_versions WHERE id = $1`
	qVersionBlob   = `SELECT blob FROM list_blobs WHERE version_id = $1`

	qRecordScreened = `INSERT INTO screened (kind, query, first_seen) VALUES ($1, $2, $3)
ON CONFLICT (kind, query) DO NOTHING`
	qScreened = `SELECT kind, query, first_seen FROM screened ORDER BY seq`
	// One statement for any batch size; WITH ORDINALITY keeps the caller's
	// order in the assigned IDs.
	qInsertAlerts = `INSERT INTO alerts (created_at, list_version, kind, query, entity_id, name, score, reason)
SELECT created_at, list_version, kind, query, entity_id, name, score, reason
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[])
    WITH ORDINALITY AS a (created_at, list_version, kind, query, entity_id, name, score, reason, n)
ORDER BY n`
	qAlerts = `SELECT id, created_at, list_version, kind, query, entity_id, name, score, reason
FROM alerts WHERE id > $1 ORDER BY id LIMIT $2`

	qInsertKey = `INSERT INTO api_keys (id, name, member, role, hash, created_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`
	keyColumns = `id, name, member, role, hash, created_at, revoked_at`
	qKeyByHash = `SELECT ` + keyColumns + ` FROM api_keys WHERE hash = $1`
	qKeys      = `SELECT ` + keyColumns + ` FROM api_keys ORDER BY created_at, seq`
	// A second revocation keeps the first time: the audit trail says when the
	// key stopped working.
	qRevokeKey   = `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`
	qInsertAudit = `INSERT INTO audit_log (at, key_id, member, action, target, status) VALUES ($1, $2, $3, $4, $5, $6)`
	qAudit       = `SELECT id, at, key_id, member, action, target, status FROM audit_log ORDER BY id DESC LIMIT $1`
)

// Advisory lock keys: arbitrary constants, fixed forever, that no other
// application on the database is expected to use.
const (
	lockMigrate int64 = 0x696e7464_6d696772 // "intdmigr"
	lockAlerts  int64 = 0x696e7464_616c7274 // "intdalrt"
)
