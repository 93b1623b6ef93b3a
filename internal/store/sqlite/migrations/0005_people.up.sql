-- Person records for vetting (internal/index/people). No raw identifier is
-- stored: person_identifiers holds a keyed hash (HMAC-SHA256, key outside the
-- database) and the canonical value sealed with AES-GCM, or NULL.
CREATE TABLE people (
    id            TEXT PRIMARY KEY CHECK (id <> ''),
    kind          TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    privileges    TEXT NOT NULL DEFAULT '',  -- comma-separated
    consent_basis TEXT NOT NULL DEFAULT '',
    consent_given INTEGER,                   -- µs since the epoch
    consent_ref   TEXT NOT NULL DEFAULT '',
    retain_until  INTEGER,                   -- µs; NULL: until deleted
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL
);
CREATE INDEX people_retain ON people (retain_until) WHERE retain_until IS NOT NULL;

CREATE TABLE person_identifiers (
    person_id    TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    type         TEXT NOT NULL,
    hash         BLOB NOT NULL,              -- 32 bytes
    sealed       BLOB,
    hint         TEXT NOT NULL DEFAULT '',
    retain_until INTEGER,
    PRIMARY KEY (person_id, seq)
) WITHOUT ROWID;
CREATE INDEX person_identifiers_hash ON person_identifiers (hash, person_id);
CREATE INDEX person_identifiers_retain ON person_identifiers (retain_until) WHERE retain_until IS NOT NULL;

-- The fingerprint of the vault key the identifiers were hashed and sealed
-- with (never the key): a process with another key is refused instead of
-- writing hashes that match nothing.
CREATE TABLE people_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint BLOB NOT NULL
);
