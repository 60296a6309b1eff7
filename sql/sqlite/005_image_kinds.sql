-- 005_image_kinds: more stored images per record: a small thumbnail of the original
-- (the list never shows the original itself), the cutout the result was composed
-- over (the page previews new backgrounds from it, and a re-render that keeps the cut
-- reuses it), the uploaded background image (so a re-render keeps it), and the
-- segmentation network's opinion of the photo (a small gray PNG: a refine stroke cuts
-- again from it in any worker, without running or even loading the network).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt (create the
-- new one, copy, drop, rename), as SQLite's documentation describes for such changes.
-- No other table refers to images, so foreign keys stay on throughout.
CREATE TABLE images_new (
	record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('original', 'processed', 'thumb',
	                                          'original_thumb', 'cutout', 'background',
	                                          'opinion')),
	type        TEXT NOT NULL,                 -- MIME type from our own detection
	bytes       INTEGER NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	etag        TEXT NOT NULL,                 -- hex SHA-256 prefix of data
	data        BLOB NOT NULL,
	PRIMARY KEY (record_id, kind)
);
INSERT INTO images_new (record_id, kind, type, bytes, width, height, etag, data)
	SELECT record_id, kind, type, bytes, width, height, etag, data FROM images;
DROP TABLE images;
ALTER TABLE images_new RENAME TO images;
