-- 003_list_indexes: what listing a visitor's records reads (SQLite's 008_list_indexes).
-- records_user_recent gives each user's records newest first (read backwards) in the
-- order the list shows them; images_meta gives each image's kind, size and tag from the
-- index alone (an index-only scan), never the rows with the image data.
DROP INDEX records_user_created;
CREATE INDEX records_user_recent ON records (user_id, created_on, rowid);
CREATE INDEX images_meta ON images (record_id, kind) INCLUDE (bytes, etag);
