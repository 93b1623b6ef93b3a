-- Self-inspections (package inspect). Times are INTEGER microseconds since
-- the Unix epoch, UTC, as in 0001. Keep this file equivalent to
-- internal/store/postgres/migrations/0006_inspect.up.sql.

CREATE TABLE inspect_inspections (
    id         TEXT    NOT NULL PRIMARY KEY,
    org        TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    previous   TEXT    NOT NULL
);
CREATE INDEX inspect_inspections_org ON inspect_inspections (org, created_at);

-- Every answer ever given; the latest per control (highest seq) is current.
CREATE TABLE inspect_answers (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection    TEXT    NOT NULL REFERENCES inspect_inspections (id) ON DELETE CASCADE,
    control       TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    justification TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    answered_by   TEXT    NOT NULL,
    answered_at   INTEGER NOT NULL
);
CREATE INDEX inspect_answers_control ON inspect_answers (inspection, control, seq);

CREATE TABLE inspect_evidence (
    inspection TEXT    NOT NULL REFERENCES inspect_inspections (id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    control    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    taken_at   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, -- 0: never
    sha256     TEXT    NOT NULL,
    uri        TEXT    NOT NULL,
    collector  TEXT    NOT NULL,
    PRIMARY KEY (inspection, id)
);
