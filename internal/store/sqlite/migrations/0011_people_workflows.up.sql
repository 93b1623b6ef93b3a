-- People workflows (internal/analysis/people: cases.go, rescreen.go): cases
-- on a person or a persona cluster, their audit trail, and the signals
-- re-screening has already seen, kept as keyed fingerprints (no identifier
-- value). Cases outlive purged persons on purpose: they are the record of
-- what a reviewer decided and why.
CREATE TABLE people_cases (
    id          TEXT PRIMARY KEY CHECK (id <> ''),
    status      TEXT NOT NULL,
    disposition TEXT NOT NULL DEFAULT '',
    decided     INTEGER,                     -- µs since the epoch; NULL: undecided
    opened      INTEGER NOT NULL,
    opened_by   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    updated     INTEGER NOT NULL
);
CREATE INDEX people_cases_opened ON people_cases (opened DESC, id);

CREATE TABLE people_case_persons (
    case_id   TEXT NOT NULL REFERENCES people_cases (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
) WITHOUT ROWID;
CREATE INDEX people_case_persons_person ON people_case_persons (person_id, case_id);

CREATE TABLE people_case_events (
    case_id     TEXT NOT NULL REFERENCES people_cases (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    disposition TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    signals     TEXT NOT NULL DEFAULT '',    -- newline-separated signal references
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

CREATE TABLE people_signals_seen (
    person_id   TEXT NOT NULL,
    fingerprint BLOB NOT NULL,               -- 32 bytes, keyed
    rule        TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    PRIMARY KEY (person_id, fingerprint)
) WITHOUT ROWID;
