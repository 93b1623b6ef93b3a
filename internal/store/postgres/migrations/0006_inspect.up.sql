-- Self-inspections (package inspect). Keep this file equivalent to
-- internal/store/sqlite/migrations/0006_inspect.up.sql.

CREATE TABLE inspect_inspections (
    id         TEXT        NOT NULL PRIMARY KEY,
    org        TEXT        NOT NULL,
    title      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    previous   TEXT        NOT NULL
);
CREATE INDEX inspect_inspections_org ON inspect_inspections (org, created_at);

-- Every answer ever given; the latest per control (highest seq) is current.
CREATE TABLE inspect_answers (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection    TEXT        NOT NULL REFERENCES inspect_inspections (id) ON DELETE CASCADE,
    control       TEXT        NOT NULL,
    status        TEXT        NOT NULL,
    justification TEXT        NOT NULL,
    note          TEXT        NOT NULL,
    answered_by   TEXT        NOT NULL,
    answered_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX inspect_answers_control ON inspect_answers (inspection, control, seq);

CREATE TABLE inspect_evidence (
    inspection TEXT        NOT NULL REFERENCES inspect_inspections (id) ON DELETE CASCADE,
    id         TEXT        NOT NULL,
    control    TEXT        NOT NULL,
    kind       TEXT        NOT NULL,
    title      TEXT        NOT NULL,
    owner      TEXT        NOT NULL,
    taken_at   TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ, -- NULL: never
    sha256     TEXT        NOT NULL,
    uri        TEXT        NOT NULL,
    collector  TEXT        NOT NULL,
    PRIMARY KEY (inspection, id)
);
