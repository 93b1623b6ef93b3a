-- The alert engine's stop rule: taint reaching an address tagged with one
-- of these categories (comma-separated) at min_confidence or more is not
-- followed further. Existing settings get the trace's default stop rule.
ALTER TABLE watch_settings ADD COLUMN stop_categories TEXT NOT NULL DEFAULT 'exchange,bridge,mixer,coinjoin';
ALTER TABLE watch_settings ADD COLUMN min_confidence INTEGER NOT NULL DEFAULT 50;

-- A counter of watchlist changes, so the alert engine reloads the watchlist
-- only when it changed (not on every block).
CREATE TABLE watch_list_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO watch_list_version (id, version) VALUES (1, 0);
