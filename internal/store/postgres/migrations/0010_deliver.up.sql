-- Alert delivery (package deliver): webhook endpoints, one delivery per
-- endpoint and alert, and every attempt. Keep this file equivalent to
-- internal/store/sqlite/migrations/0010_deliver.up.sql.

-- The alert log webhooks and the SSE stream read: every alert published
-- once (key: the alert's own id), numbered in publication order.
CREATE TABLE deliver_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        TEXT        NOT NULL UNIQUE,
    member     TEXT        NOT NULL,
    payload    BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE deliver_endpoints (
    id         TEXT        NOT NULL PRIMARY KEY,
    url        TEXT        NOT NULL,
    secret     TEXT        NOT NULL, -- signs requests; never listed or logged
    member     TEXT        NOT NULL,
    cursor     BIGINT      NOT NULL, -- id of the last alert queued
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE deliver_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint        TEXT        NOT NULL REFERENCES deliver_endpoints (id) ON DELETE CASCADE,
    event_id        BIGINT      NOT NULL,
    payload         BYTEA       NOT NULL,
    state           TEXT        NOT NULL, -- pending, delivered, dead
    attempts        INTEGER     NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    last_status     INTEGER     NOT NULL,
    last_error      TEXT        NOT NULL,
    UNIQUE (endpoint, event_id)
);
CREATE INDEX deliver_deliveries_due ON deliver_deliveries (state, next_attempt_at, id);

CREATE TABLE deliver_attempts (
    delivery    BIGINT      NOT NULL REFERENCES deliver_deliveries (id) ON DELETE CASCADE,
    n           INTEGER     NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    status      INTEGER     NOT NULL,
    error       TEXT        NOT NULL,
    duration_us BIGINT      NOT NULL,
    PRIMARY KEY (delivery, n)
);
