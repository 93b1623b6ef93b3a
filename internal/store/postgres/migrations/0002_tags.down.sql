DROP TABLE tag_actors;
DROP TABLE tags;
DROP TABLE tag_datasets;
