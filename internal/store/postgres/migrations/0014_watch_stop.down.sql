DROP TABLE watch_list_version;
ALTER TABLE watch_settings DROP COLUMN min_confidence;
ALTER TABLE watch_settings DROP COLUMN stop_categories;
