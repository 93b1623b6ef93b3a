-- Attribution tags and actors (internal/index/tags). One dataset per imported
-- file or sanctions source; an import replaces its dataset's rows in one
-- transaction. Keep this file equivalent to
-- internal/store/postgres/migrations/0002_tags.up.sql.

CREATE TABLE tag_datasets (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    file        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    imported_at INTEGER NOT NULL,
    tags        INTEGER NOT NULL,
    actors      INTEGER NOT NULL
);

-- address is normalised (chain.NormalizeAddress); concepts is a JSON array.
CREATE TABLE tags (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset         TEXT    NOT NULL REFERENCES tag_datasets (id) ON DELETE CASCADE,
    address         TEXT    NOT NULL,
    network         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    label           TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    confidence      TEXT    NOT NULL,
    level           INTEGER NOT NULL,
    category        TEXT    NOT NULL,
    abuse           TEXT    NOT NULL,
    concepts        TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    date            TEXT    NOT NULL,
    context         TEXT    NOT NULL,
    tag_type        TEXT    NOT NULL,
    cluster_definer INTEGER NOT NULL,
    is_public       INTEGER NOT NULL,
    tlp             TEXT    NOT NULL,
    file            TEXT    NOT NULL,
    line            INTEGER NOT NULL,
    pack_title      TEXT    NOT NULL
);
CREATE INDEX tags_by_address ON tags (address);
CREATE INDEX tags_by_actor ON tags (actor);
CREATE INDEX tags_by_category ON tags (category, level);
CREATE INDEX tags_by_abuse ON tags (abuse, level);
CREATE INDEX tags_by_dataset ON tags (dataset, seq);

-- One row per (dataset, actor id); aliases, categories, jurisdictions and
-- relations are JSON arrays.
CREATE TABLE tag_actors (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset       TEXT    NOT NULL REFERENCES tag_datasets (id) ON DELETE CASCADE,
    id            TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    uri           TEXT    NOT NULL,
    aliases       TEXT    NOT NULL,
    categories    TEXT    NOT NULL,
    jurisdictions TEXT    NOT NULL,
    context       TEXT    NOT NULL,
    lastmod       TEXT    NOT NULL,
    relations     TEXT    NOT NULL,
    file          TEXT    NOT NULL,
    line          INTEGER NOT NULL,
    UNIQUE (dataset, id)
);
