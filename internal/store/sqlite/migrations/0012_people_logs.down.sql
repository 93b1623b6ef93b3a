DROP TABLE person_events;
