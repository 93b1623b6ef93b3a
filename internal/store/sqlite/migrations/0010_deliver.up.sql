-- Alert delivery (package deliver): webhook endpoints, one delivery per
-- endpoint and alert, and every attempt. Times are INTEGER microseconds since
-- the Unix epoch, UTC, as in 0001. Keep this file equivalent to
-- internal/store/postgres/migrations/0010_deliver.up.sql.

-- The alert log webhooks and the SSE stream read: every alert published
-- once (key: the alert's own id), numbered in publication order.
CREATE TABLE deliver_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT    NOT NULL UNIQUE,
    member     TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliver_endpoints (
    id         TEXT    NOT NULL PRIMARY KEY,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL, -- signs requests; never listed or logged
    member     TEXT    NOT NULL,
    cursor     INTEGER NOT NULL, -- id of the last alert queued
    created_at INTEGER NOT NULL
);

CREATE TABLE deliver_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint        TEXT    NOT NULL REFERENCES deliver_endpoints (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL,
    payload         BLOB    NOT NULL,
    state           TEXT    NOT NULL, -- pending, delivered, dead
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_status     INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    UNIQUE (endpoint, event_id)
);
CREATE INDEX deliver_deliveries_due ON deliver_deliveries (state, next_attempt_at, id);

CREATE TABLE deliver_attempts (
    delivery    INTEGER NOT NULL REFERENCES deliver_deliveries (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    error       TEXT    NOT NULL,
    duration_us INTEGER NOT NULL,
    PRIMARY KEY (delivery, n)
);
