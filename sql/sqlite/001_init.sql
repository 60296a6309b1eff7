-- 001_init: records (one per processed upload) and their images, kept apart so that
-- listing records never reads image bytes.
CREATE TABLE records (
	id          TEXT PRIMARY KEY,              -- 128 random bits as 32 hex digits
	user_id     TEXT NOT NULL,                 -- cookie user id, or "key:" + API key id
	image_name  TEXT NOT NULL,
	created_on  TEXT NOT NULL,                 -- "YYYY-MM-DD HH:MM:SS", UTC
	width       INTEGER NOT NULL,              -- of the processed image
	height      INTEGER NOT NULL,
	options     TEXT NOT NULL DEFAULT '{}'     -- the processing options, as JSON
);
CREATE INDEX records_user_created ON records (user_id, created_on DESC, id);

CREATE TABLE images (
	record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('original', 'processed', 'thumb')),
	type        TEXT NOT NULL,                 -- MIME type from our own detection
	bytes       INTEGER NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	etag        TEXT NOT NULL,                 -- hex SHA-256 prefix of data
	data        BLOB NOT NULL,
	PRIMARY KEY (record_id, kind)
);
