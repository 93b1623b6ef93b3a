-- People workflows (internal/analysis/people: cases.go, rescreen.go): cases
-- on a person or a persona cluster, their audit trail, and the signals
-- re-screening has already seen, kept as keyed fingerprints (no identifier
-- value). Cases outlive purged persons on purpose: they are the record of
-- what a reviewer decided and why.
CREATE TABLE people_cases (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    status      TEXT NOT NULL,
    disposition TEXT NOT NULL DEFAULT '',
    decided     TIMESTAMPTZ,                 -- NULL: undecided
    opened      TIMESTAMPTZ NOT NULL,
    opened_by   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    updated     TIMESTAMPTZ NOT NULL
);
CREATE INDEX people_cases_opened ON people_cases (opened DESC, id);

CREATE TABLE people_case_persons (
    case_id   TEXT NOT NULL REFERENCES people_cases (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX people_case_persons_person ON people_case_persons (person_id, case_id);

CREATE TABLE people_case_events (
    case_id     TEXT NOT NULL REFERENCES people_cases (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    disposition TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    signals     TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE people_signals_seen (
    person_id   TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,               -- 32 bytes, keyed
    rule        TEXT NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, fingerprint)
);
