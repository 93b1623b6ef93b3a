-- Watchlists and the alert engine (package watch). Times are INTEGER
-- microseconds since the Unix epoch, UTC, as in 0001; amounts are integer
-- strings in the smallest unit. Keep this file equivalent to
-- internal/store/postgres/migrations/0009_watch.up.sql.

-- Watched addresses; a hashed one keeps only the HMAC of the address.
CREATE TABLE watch_addresses (
    chain   TEXT    NOT NULL,
    address TEXT    NOT NULL,
    hashed  INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    label   TEXT    NOT NULL,
    added   INTEGER NOT NULL,
    PRIMARY KEY (chain, address)
);

-- The member's alert settings: one row.
CREATE TABLE watch_settings (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    model      TEXT    NOT NULL,
    max_hops   INTEGER NOT NULL,
    min_amount TEXT    NOT NULL
);

-- How far the engine has processed each chain, and the blocks it processed
-- (kept over the reorg window, to find the fork).
CREATE TABLE watch_cursors (
    chain  TEXT    NOT NULL PRIMARY KEY,
    height INTEGER NOT NULL,
    hash   TEXT    NOT NULL
);
CREATE TABLE watch_blocks (
    chain  TEXT    NOT NULL,
    height INTEGER NOT NULL,
    hash   TEXT    NOT NULL,
    PRIMARY KEY (chain, height)
);

-- Taint state per origin flag: a tainted output (ref txid:vout) or an
-- account pool (ref address/asset), written at height, spent at spent.
CREATE TABLE watch_taint (
    chain   TEXT    NOT NULL,
    flag    TEXT    NOT NULL,
    ref     TEXT    NOT NULL,
    height  INTEGER NOT NULL,
    address TEXT    NOT NULL,
    asset   TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    taint   TEXT    NOT NULL, -- watch.EncodeTaint
    hop     INTEGER NOT NULL,
    path    TEXT    NOT NULL, -- tx ids, comma separated
    spent   INTEGER,
    PRIMARY KEY (chain, flag, ref, height)
);
CREATE INDEX watch_taint_live ON watch_taint (chain, flag, ref) WHERE spent IS NULL;
CREATE INDEX watch_taint_spent ON watch_taint (chain, spent) WHERE spent IS NOT NULL;

-- Flags whose retro trace ran, with the cursor height it ran at.
CREATE TABLE watch_evaluated (
    chain  TEXT    NOT NULL,
    flag   TEXT    NOT NULL,
    height INTEGER NOT NULL,
    PRIMARY KEY (chain, flag)
);

-- Addresses newly tainted per block (the hub's per-block filter).
CREATE TABLE watch_tainted (
    chain   TEXT    NOT NULL,
    height  INTEGER NOT NULL,
    address TEXT    NOT NULL,
    PRIMARY KEY (chain, height, address)
);

-- Chain alerts; id is derived from (flag, chain, address, tx, vout).
CREATE TABLE watch_alerts (
    id       TEXT    NOT NULL PRIMARY KEY,
    status   TEXT    NOT NULL,
    chain    TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    asset    TEXT    NOT NULL,
    amount   TEXT    NOT NULL,
    flag_id  TEXT    NOT NULL,
    incident TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    tx       TEXT    NOT NULL,
    vout     INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    block    TEXT    NOT NULL,
    hop      INTEGER NOT NULL,
    path     TEXT    NOT NULL,
    model    TEXT    NOT NULL,
    retro    INTEGER NOT NULL,
    orphaned INTEGER NOT NULL,
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL,
    UNIQUE (flag_id, chain, address, tx, vout)
);
CREATE INDEX watch_alerts_created ON watch_alerts (created, id);
CREATE INDEX watch_alerts_height ON watch_alerts (chain, height);

-- Every lifecycle transition of a chain alert.
CREATE TABLE watch_alert_history (
    alert_id    TEXT    NOT NULL REFERENCES watch_alerts (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    by_whom     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    note        TEXT    NOT NULL,
    PRIMARY KEY (alert_id, seq)
);
