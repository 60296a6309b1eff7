-- 008_list_indexes: what listing a visitor's records reads, in the order it shows them.
-- records_user_recent holds each user's records by time, then by rowid (every index
-- of a rowid table ends with it), so the newest-first list is this index read
-- backwards, with nothing to sort. images_meta holds each image's kind, size and tag,
-- so the list reads them from the index alone, never the rows with the image data.
DROP INDEX records_user_created;
CREATE INDEX records_user_recent ON records (user_id, created_on);
CREATE INDEX images_meta ON images (record_id, kind, bytes, etag);
