-- 003_jobs: asynchronous Background Change jobs with webhook delivery, and the usage
-- counters behind per-key monthly quotas and per-minute rates.
CREATE TABLE jobs (
	id           TEXT PRIMARY KEY,             -- 128 random bits as 32 hex digits
	status       TEXT NOT NULL DEFAULT 'queued'
	             CHECK (status IN ('queued', 'running', 'delivered', 'failed')),
	request      TEXT NOT NULL,                -- the JSON request, as received
	callback_url TEXT NOT NULL,
	key_id       TEXT,                         -- the API key that asked, if any
	attempts     INTEGER NOT NULL DEFAULT 0,   -- webhook deliveries tried
	next_at      INTEGER NOT NULL,             -- unix seconds: not to be tried before
	lease_until  INTEGER NOT NULL DEFAULT 0,   -- unix seconds: a running job's lease
	result       TEXT,                         -- the callback body, once rendered
	last_error   TEXT,
	created_on   TEXT NOT NULL,                -- "YYYY-MM-DD HH:MM:SS", UTC
	updated_on   TEXT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (status, next_at);

-- Images per key per calendar month ("YYYY-MM", UTC).
CREATE TABLE key_usage (
	key_id  TEXT NOT NULL,
	month   TEXT NOT NULL,
	images  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, month)
);

-- Requests per key per minute (unix seconds / 60); old minutes are pruned.
CREATE TABLE key_rate (
	key_id   TEXT NOT NULL,
	minute   INTEGER NOT NULL,
	requests INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, minute)
);
