DROP TABLE people_signals_seen;
DROP TABLE people_case_events;
DROP TABLE people_case_persons;
DROP TABLE people_cases;
