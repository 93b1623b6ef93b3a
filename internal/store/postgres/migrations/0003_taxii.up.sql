-- TAXII 2.1 server and client state (package taxii). Keep this file
-- equivalent to internal/store/sqlite/migrations/0003_taxii.up.sql.

CREATE TABLE taxii_discovery (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    contact      TEXT NOT NULL,
    default_root TEXT NOT NULL
);

CREATE TABLE taxii_api_roots (
    name               TEXT   NOT NULL PRIMARY KEY,
    title              TEXT   NOT NULL,
    description        TEXT   NOT NULL,
    versions           JSONB  NOT NULL,
    max_content_length BIGINT NOT NULL
);

CREATE TABLE taxii_collections (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    api_root    TEXT    NOT NULL REFERENCES taxii_api_roots (name) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    alias       TEXT    NOT NULL,
    can_read    BOOLEAN NOT NULL,
    can_write   BOOLEAN NOT NULL,
    media_types JSONB   NOT NULL,
    UNIQUE (api_root, id)
);

-- One row per version of an object in a collection; see the SQLite file.
CREATE TABLE taxii_objects (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    api_root     TEXT        NOT NULL,
    collection   TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    type         TEXT        NOT NULL,
    spec_version TEXT        NOT NULL,
    version      TEXT        NOT NULL,
    version_at   TIMESTAMPTZ,
    date_added   TIMESTAMPTZ NOT NULL,
    media_type   TEXT        NOT NULL,
    owner        TEXT        NOT NULL,
    tlp          TEXT        NOT NULL,
    body         BYTEA       NOT NULL,
    FOREIGN KEY (api_root, collection) REFERENCES taxii_collections (api_root, id) ON DELETE CASCADE,
    UNIQUE (api_root, collection, id, version, spec_version)
);
CREATE INDEX taxii_objects_page ON taxii_objects (api_root, collection, date_added, seq);
CREATE INDEX taxii_objects_id ON taxii_objects (api_root, collection, id);

CREATE TABLE taxii_status (
    api_root          TEXT        NOT NULL,
    id                TEXT        NOT NULL,
    owner             TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    request_timestamp TIMESTAMPTZ,
    total_count       INTEGER     NOT NULL,
    successes         JSONB       NOT NULL,
    failures          JSONB       NOT NULL,
    pendings          JSONB       NOT NULL,
    PRIMARY KEY (api_root, id)
);

CREATE TABLE taxii_grants (
    api_root   TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    principal  TEXT    NOT NULL,
    can_read   BOOLEAN NOT NULL,
    can_write  BOOLEAN NOT NULL,
    amber      BOOLEAN NOT NULL,
    PRIMARY KEY (api_root, collection, principal)
);

CREATE TABLE taxii_client_state (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
