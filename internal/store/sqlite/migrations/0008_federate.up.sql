-- Federation of signed flags (package notify/federate): the outbox of
-- records per peer, resume points, and rejected objects. Times are INTEGER
-- microseconds since the Unix epoch, UTC, as in 0001 (0: never). Keep this
-- file equivalent to internal/store/postgres/migrations/0008_federate.up.sql.

CREATE TABLE federate_outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    peer            TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    indicator_id    TEXT    NOT NULL,
    object          BLOB    NOT NULL,
    state           TEXT    NOT NULL, -- pending, delivered, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    queued_at       INTEGER NOT NULL,
    next_at         INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    UNIQUE (peer, record_id)
);
CREATE INDEX federate_outbox_due ON federate_outbox (state, next_at, seq);

CREATE TABLE federate_cursors (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE federate_rejections (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    source    TEXT    NOT NULL,
    via       TEXT    NOT NULL,
    object_id TEXT    NOT NULL,
    version   TEXT    NOT NULL,
    record_id TEXT    NOT NULL,
    reason    TEXT    NOT NULL
);
