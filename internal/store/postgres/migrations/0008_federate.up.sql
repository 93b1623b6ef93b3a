-- Federation of signed flags (package notify/federate): the outbox of
-- records per peer, resume points, and rejected objects. Keep this file
-- equivalent to internal/store/sqlite/migrations/0008_federate.up.sql.

CREATE TABLE federate_outbox (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    peer            TEXT        NOT NULL,
    record_id       TEXT        NOT NULL,
    indicator_id    TEXT        NOT NULL,
    object          BYTEA       NOT NULL,
    state           TEXT        NOT NULL, -- pending, delivered, dead
    attempts        INTEGER     NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    queued_at       TIMESTAMPTZ NOT NULL,
    next_at         TIMESTAMPTZ NOT NULL,
    last_attempt_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    last_error      TEXT        NOT NULL DEFAULT '',
    UNIQUE (peer, record_id)
);
CREATE INDEX federate_outbox_due ON federate_outbox (state, next_at, seq);

CREATE TABLE federate_cursors (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE federate_rejections (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    source    TEXT        NOT NULL,
    via       TEXT        NOT NULL,
    object_id TEXT        NOT NULL,
    version   TEXT        NOT NULL,
    record_id TEXT        NOT NULL,
    reason    TEXT        NOT NULL
);
