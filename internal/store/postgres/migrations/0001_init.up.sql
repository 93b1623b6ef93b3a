-- Initial state schema. Keep this file equivalent to
-- internal/store/sqlite/migrations/0001_init.up.sql. Tables are created
-- unqualified so the search_path picks the schema (tests use one per run).

-- List versions. seq records load order; the blob lives in its own table so
-- listing versions never reads tens of megabytes.
CREATE TABLE list_versions (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id        TEXT        NOT NULL UNIQUE,
    source    TEXT        NOT NULL,
    published TIMESTAMPTZ NOT NULL,
    sha256    TEXT        NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    entities  INTEGER     NOT NULL,
    addresses INTEGER     NOT NULL,
    UNIQUE (source, sha256)
);

CREATE TABLE list_blobs (
    version_id TEXT  NOT NULL PRIMARY KEY REFERENCES list_versions (id) ON DELETE CASCADE,
    blob       BYTEA NOT NULL
);

-- Every subject ever screened, re-screened when a new list version loads.
CREATE TABLE screened (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT        NOT NULL,
    query      TEXT        NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, query)
);

-- Identity values are never reused: clients page with AfterID.
CREATE TABLE alerts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at   TIMESTAMPTZ      NOT NULL,
    list_version TEXT             NOT NULL,
    kind         TEXT             NOT NULL,
    query        TEXT             NOT NULL,
    entity_id    TEXT             NOT NULL,
    name         TEXT             NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    reason       TEXT             NOT NULL
);

CREATE TABLE api_keys (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         TEXT        NOT NULL UNIQUE,
    name       TEXT        NOT NULL,
    member     TEXT        NOT NULL,
    role       TEXT        NOT NULL,
    hash       BYTEA       NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE audit_log (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      TIMESTAMPTZ NOT NULL,
    key_id  TEXT        NOT NULL,
    member  TEXT        NOT NULL,
    action  TEXT        NOT NULL,
    target  TEXT        NOT NULL,
    status  INTEGER     NOT NULL
);
