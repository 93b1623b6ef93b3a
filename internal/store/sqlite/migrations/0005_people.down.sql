DROP TABLE people_key;
DROP TABLE person_identifiers;
DROP TABLE people;
