DROP TABLE inspect_evidence;
DROP TABLE inspect_answers;
DROP TABLE inspect_inspections;
