DROP TABLE person_identifiers;
DROP TABLE people;
