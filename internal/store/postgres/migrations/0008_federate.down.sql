DROP TABLE federate_rejections;
DROP TABLE federate_cursors;
DROP TABLE federate_outbox;
