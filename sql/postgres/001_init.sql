-- 001_init (PostgreSQL): the whole schema as SQLite's migrations 001 to 006 left it, in
-- one step. The tables, columns and meanings are the same on both backends (see
-- sql/sqlite/ for what each column holds); integers are BIGINT, bytes are BYTEA, and
-- texts compare byte by byte (COLLATE "C") as SQLite's do, whatever the database's
-- locale: ids, owners and "YYYY-MM-DD HH:MM:SS" stamps are compared and ranged.
CREATE TABLE records (
	id          TEXT COLLATE "C" PRIMARY KEY,
	user_id     TEXT COLLATE "C" NOT NULL,
	image_name  TEXT COLLATE "C" NOT NULL,
	created_on  TEXT COLLATE "C" NOT NULL,
	width       BIGINT NOT NULL,
	height      BIGINT NOT NULL,
	options     TEXT COLLATE "C" NOT NULL DEFAULT '{}',
	-- Insertion order, as SQLite's implicit rowid: the list orders records made in
	-- the same second by it, with one SQL text for both backends.
	rowid       BIGSERIAL NOT NULL
);
CREATE INDEX records_user_created ON records (user_id, created_on DESC, id);

-- Images are kept in the database on both backends, so that any host serves any record.
CREATE TABLE images (
	record_id   TEXT COLLATE "C" NOT NULL REFERENCES records (id) ON DELETE CASCADE,
	kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('original', 'processed', 'thumb',
	                                          'original_thumb', 'cutout', 'background',
	                                          'opinion')),
	type        TEXT COLLATE "C" NOT NULL,
	bytes       BIGINT NOT NULL,
	width       BIGINT NOT NULL,
	height      BIGINT NOT NULL,
	etag        TEXT COLLATE "C" NOT NULL,
	data        BYTEA NOT NULL,
	PRIMARY KEY (record_id, kind)
);
-- Image bytes are read whole and never searched: no compression attempt on them.
ALTER TABLE images ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE api_keys (
	id          TEXT COLLATE "C" PRIMARY KEY,
	name        TEXT COLLATE "C" NOT NULL,
	key_hash    TEXT COLLATE "C" NOT NULL UNIQUE,
	created_on  TEXT COLLATE "C" NOT NULL,
	revoked_on  TEXT COLLATE "C",
	quota_month BIGINT,
	rate_minute BIGINT
);

CREATE TABLE jobs (
	id           TEXT COLLATE "C" PRIMARY KEY,
	status       TEXT COLLATE "C" NOT NULL DEFAULT 'queued'
	             CHECK (status IN ('queued', 'running', 'delivered', 'failed')),
	request      TEXT COLLATE "C" NOT NULL,
	callback_url TEXT COLLATE "C" NOT NULL,
	key_id       TEXT COLLATE "C",
	attempts     BIGINT NOT NULL DEFAULT 0,
	next_at      BIGINT NOT NULL,
	lease_until  BIGINT NOT NULL DEFAULT 0,
	result       TEXT COLLATE "C",
	last_error   TEXT COLLATE "C",
	created_on   TEXT COLLATE "C" NOT NULL,
	updated_on   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX jobs_ready ON jobs (status, next_at);
CREATE INDEX jobs_finished ON jobs (status, updated_on);

CREATE TABLE key_usage (
	key_id   TEXT COLLATE "C" NOT NULL,
	month    TEXT COLLATE "C" NOT NULL,
	quarters BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, month)
);

CREATE TABLE key_rate (
	key_id   TEXT COLLATE "C" NOT NULL,
	minute   BIGINT NOT NULL,
	requests BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, minute)
);

CREATE TABLE users (
	id          TEXT COLLATE "C" PRIMARY KEY,
	last_seen   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX users_last_seen ON users (last_seen);
