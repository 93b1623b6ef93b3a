DROP TABLE taxii_client_state;
DROP TABLE taxii_grants;
DROP TABLE taxii_status;
DROP TABLE taxii_objects;
DROP TABLE taxii_collections;
DROP TABLE taxii_api_roots;
DROP TABLE taxii_discovery;
