-- The alert engine's stop rule: taint reaching an address tagged with one
-- of these categories (comma-separated) at min_confidence or more is not
-- followed further. Existing settings get the trace's default stop rule.
ALTER TABLE watch_settings ADD COLUMN stop_categories TEXT NOT NULL DEFAULT 'exchange,bridge,mixer,coinjoin';
ALTER TABLE watch_settings ADD COLUMN min_confidence INTEGER NOT NULL DEFAULT 50;
