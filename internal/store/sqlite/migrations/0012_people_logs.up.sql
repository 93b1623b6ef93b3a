-- Login and activity events of persons (internal/index/people logs.go,
-- interdict people logs import). No raw identifier: the IP and the GitHub
-- login are keyed hashes (empty: none); country and ASN name networks.
-- Times are µs since the epoch; account_created 0: none.
CREATE TABLE person_events (
    person_id       TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    ip_hash         BLOB NOT NULL DEFAULT x'',
    country         TEXT NOT NULL DEFAULT '',
    asn             TEXT NOT NULL DEFAULT '',
    login_hash      BLOB NOT NULL DEFAULT x'',
    account_created INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, at, source, kind, ip_hash, country, asn, login_hash, account_created)
) WITHOUT ROWID;
CREATE INDEX person_events_ip ON person_events (ip_hash, person_id);
