DROP TABLE notify_rejections;
DROP TABLE notify_flags;
DROP TABLE notify_records;
DROP TABLE notify_member_keys;
DROP TABLE notify_members;
