DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE alerts;
DROP TABLE screened;
DROP TABLE list_blobs;
DROP TABLE list_versions;
