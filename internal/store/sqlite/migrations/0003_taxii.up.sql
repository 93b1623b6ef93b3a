-- TAXII 2.1 server and client state (package taxii). Times are INTEGER
-- microseconds since the Unix epoch, UTC, as in 0001. Keep this file
-- equivalent to internal/store/postgres/migrations/0003_taxii.up.sql.

-- The discovery resource: one row.
CREATE TABLE taxii_discovery (
    one         INTEGER PRIMARY KEY CHECK (one = 1),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    contact     TEXT NOT NULL,
    default_root TEXT NOT NULL
);

CREATE TABLE taxii_api_roots (
    name               TEXT    NOT NULL PRIMARY KEY,
    title              TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    versions           TEXT    NOT NULL, -- JSON array
    max_content_length INTEGER NOT NULL
);

-- seq keeps the order collections were created in.
CREATE TABLE taxii_collections (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    api_root    TEXT    NOT NULL REFERENCES taxii_api_roots (name) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    alias       TEXT    NOT NULL,
    can_read    INTEGER NOT NULL,
    can_write   INTEGER NOT NULL,
    media_types TEXT    NOT NULL, -- JSON array
    UNIQUE (api_root, id)
);

-- One row per version of an object in a collection. seq orders versions
-- added at the same date_added; version_us is NULL for objects with neither
-- modified nor created.
CREATE TABLE taxii_objects (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    api_root     TEXT    NOT NULL,
    collection   TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    spec_version TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    version_us   INTEGER,
    date_added   INTEGER NOT NULL,
    media_type   TEXT    NOT NULL,
    owner        TEXT    NOT NULL,
    tlp          TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    FOREIGN KEY (api_root, collection) REFERENCES taxii_collections (api_root, id) ON DELETE CASCADE,
    UNIQUE (api_root, collection, id, version, spec_version)
);
CREATE INDEX taxii_objects_page ON taxii_objects (api_root, collection, date_added, seq);
CREATE INDEX taxii_objects_id ON taxii_objects (api_root, collection, id);

CREATE TABLE taxii_status (
    api_root          TEXT    NOT NULL,
    id                TEXT    NOT NULL,
    owner             TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    request_timestamp INTEGER,
    total_count       INTEGER NOT NULL,
    successes         TEXT    NOT NULL, -- JSON arrays of details
    failures          TEXT    NOT NULL,
    pendings          TEXT    NOT NULL,
    PRIMARY KEY (api_root, id)
);

CREATE TABLE taxii_grants (
    api_root   TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    principal  TEXT    NOT NULL,
    can_read   INTEGER NOT NULL,
    can_write  INTEGER NOT NULL,
    amber      INTEGER NOT NULL,
    PRIMARY KEY (api_root, collection, principal)
);

-- The client's resume points (added_after per remote collection).
CREATE TABLE taxii_client_state (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
