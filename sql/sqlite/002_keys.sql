-- 002_keys: API keys for scripts (X-Api-Key). Only a SHA-256 of each key is kept; the
-- key itself is shown once, by `backdrop key add`. A key's records belong to the user
-- id "key:" + id. quota_month and rate_minute override key_quota_month and
-- key_rate_minute of the conf for this key when not NULL.
CREATE TABLE api_keys (
	id          TEXT PRIMARY KEY,              -- 128 random bits as 32 hex digits
	name        TEXT NOT NULL,
	key_hash    TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the whole key
	created_on  TEXT NOT NULL,                 -- "YYYY-MM-DD HH:MM:SS", UTC
	revoked_on  TEXT,                          -- NULL while the key is valid
	quota_month INTEGER,                       -- images per calendar month, 0 = unlimited
	rate_minute INTEGER                        -- requests per minute
);
