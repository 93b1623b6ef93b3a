-- The notification network (package notify): members and their keys,
-- accepted signed records, flags as they stand, and refused records. Times
-- are BIGINT microseconds since the Unix epoch, UTC, as in the SQLite file
-- (so both backends read rows the same way); 0 means none. Keep this file
-- equivalent to
-- internal/store/sqlite/migrations/0007_notify.up.sql.

CREATE TABLE notify_members (
    id                  TEXT    NOT NULL PRIMARY KEY,
    org                 TEXT    NOT NULL,
    role                TEXT    NOT NULL,
    endpoint_url        TEXT    NOT NULL,
    endpoint_credential TEXT    NOT NULL, -- a secret: never printed or logged
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);

CREATE TABLE notify_member_keys (
    key_id     TEXT    NOT NULL PRIMARY KEY,
    member     TEXT    NOT NULL REFERENCES notify_members (id) ON DELETE CASCADE,
    public_key BYTEA   NOT NULL,
    added_at   BIGINT  NOT NULL,
    revoked_at BIGINT  NOT NULL -- 0: in force
);
CREATE INDEX notify_member_keys_member ON notify_member_keys (member);

-- Every accepted envelope, byte for byte.
CREATE TABLE notify_records (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    ref         TEXT    NOT NULL, -- '' for a flag
    issuer      TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    payload     BYTEA   NOT NULL,
    signature   BYTEA   NOT NULL,
    source      TEXT    NOT NULL,
    received_at BIGINT  NOT NULL
);
CREATE INDEX notify_records_ref ON notify_records (ref, seq);

-- One row per flag: its effective record (after amendments) and state.
CREATE TABLE notify_flags (
    id          TEXT    NOT NULL PRIMARY KEY,
    issuer      TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    state       TEXT    NOT NULL, -- active, amended, revoked
    issued_at   BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    amended_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    revoked_by  TEXT    NOT NULL,
    pending     BOOLEAN NOT NULL, -- true: revoked before the flag arrived
    record      TEXT    NOT NULL  -- canonical JSON of the effective record
);
CREATE INDEX notify_flags_live ON notify_flags (state, expires_at);

CREATE TABLE notify_rejections (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT  NOT NULL,
    source    TEXT    NOT NULL,
    record_id TEXT    NOT NULL,
    issuer    TEXT    NOT NULL,
    key_id    TEXT    NOT NULL,
    size      BIGINT  NOT NULL,
    sha256    TEXT    NOT NULL,
    reason    TEXT    NOT NULL
);
