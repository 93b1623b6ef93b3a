-- Saved traces (package freeze): a trace request with its owner member and
-- its runs, each with the index tip it ran at and its result. Times are
-- TIMESTAMPTZ. Keep this file
-- equivalent to internal/store/sqlite/migrations/0004_traces.up.sql.

CREATE TABLE saved_traces (
    id      TEXT    NOT NULL PRIMARY KEY,
    owner   TEXT    NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    chain   TEXT    NOT NULL,
    request JSONB   NOT NULL -- JSON freeze.Request
);

CREATE INDEX saved_traces_owner ON saved_traces (owner, created);
CREATE INDEX saved_traces_created ON saved_traces (created);

-- One row per run; seq counts from 1.
CREATE TABLE saved_trace_runs (
    trace_id TEXT    NOT NULL REFERENCES saved_traces (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    tip      BIGINT NOT NULL,
    tip_hash TEXT    NOT NULL,
    reached  INTEGER NOT NULL,
    result   JSONB   NOT NULL, -- JSON trace.Result
    changes  JSONB,             -- JSON freeze.Changes, NULL for the first run
    PRIMARY KEY (trace_id, seq)
);
