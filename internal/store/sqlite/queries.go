package sqlite

// Every SQL statement the store runs, apart from the migration scripts. Times are
// bound as microseconds since the epoch (see migrations/0001_init.up.sql).
const (
	qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
)`
	qMigrationVersion = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	qInsertMigration  = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	qDeleteMigration  = `DELETE FROM schema_migrations WHERE version = ?`

	qInsertVersion = `INSERT INTO list_versions (id, source, published, sha256, loaded_at, entities, addresses)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	qInsertBlob    = `INSERT INTO list_blobs (version_id, blob) VALUES (?, ?)`
	versionColumns = `id, source, published, sha256, loaded_at, entities, addresses`
	qVersions      = `SELECT ` + versionColumns + ` FROM list_versions ORDER BY loaded_at, seq`
	qVersion       = `SELECT ` + versionColumns + ` FROM list_versions WHERE id = ?`
	qVersionBlob   = `SELECT blob FROM list_blobs WHERE version_id = ?`

	qRecordScreened = `INSERT INTO screened (kind, query, first_seen) VALUES (?, ?, ?)
ON CONFLICT (kind, query) DO NOTHING`
	qScreened    = `SELECT kind, query, first_seen FROM screened ORDER BY seq`
	qInsertAlert = `INSERT INTO alerts (created_at, list_version, kind, query, entity_id, name, score, reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qAlerts = `SELECT id, created_at, list_version, kind, query, entity_id, name, score, reason
FROM alerts WHERE id > ? ORDER BY id LIMIT ?`

	qInsertKey = `INSERT INTO api_keys (id, name, member, role, hash, created_at, revoked_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	keyColumns = `id, name, member, role, hash, created_at, revoked_at`
	qKeyByHash = `SELECT ` + keyColumns + ` FROM api_keys WHERE hash = ?`
	qKeys      = `SELECT ` + keyColumns + ` FROM api_keys ORDER BY created_at, seq`
	// A second revocation keeps the first time: the audit trail says when the
	// key stopped working.
	qRevokeKey   = `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`
	qInsertAudit = `INSERT INTO audit_log (at, key_id, member, action, target, status) VALUES (?, ?, ?, ?, ?, ?)`
	qAudit       = `SELECT id, at, key_id, member, action, target, status FROM audit_log ORDER BY id DESC LIMIT ?`
)
