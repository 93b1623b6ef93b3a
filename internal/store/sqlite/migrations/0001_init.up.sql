-- Initial state schema. Times are INTEGER microseconds since the Unix epoch,
-- UTC (PostgreSQL's timestamptz has the same precision), so both backends
-- return identical values. Keep this file equivalent to
-- internal/store/postgres/migrations/0001_init.up.sql.

-- List versions. seq records load order; the blob lives in its own table so
-- listing versions never reads tens of megabytes.
CREATE TABLE list_versions (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT    NOT NULL UNIQUE,
    source    TEXT    NOT NULL,
    published INTEGER NOT NULL,
    sha256    TEXT    NOT NULL,
    loaded_at INTEGER NOT NULL,
    entities  INTEGER NOT NULL,
    addresses INTEGER NOT NULL,
    UNIQUE (source, sha256)
);

CREATE TABLE list_blobs (
    version_id TEXT NOT NULL PRIMARY KEY REFERENCES list_versions (id) ON DELETE CASCADE,
    blob       BLOB NOT NULL
);

-- Every subject ever screened, re-screened when a new list version loads.
CREATE TABLE screened (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    UNIQUE (kind, query)
);

-- AUTOINCREMENT so an ID is never reused: clients page with AfterID.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   INTEGER NOT NULL,
    list_version TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    query        TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    score        REAL    NOT NULL,
    reason       TEXT    NOT NULL
);

CREATE TABLE api_keys (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    member     TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    key_id  TEXT    NOT NULL,
    member  TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    status  INTEGER NOT NULL
);
