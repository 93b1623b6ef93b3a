DROP TABLE deliver_attempts;
DROP TABLE deliver_deliveries;
DROP TABLE deliver_endpoints;
DROP TABLE deliver_events;
