-- 004_retention: when each cookie identity was last seen, so that `backdrop purge` can
-- delete the records of identities unseen for retention_days. Days, not seconds: a
-- visitor's first request of a day writes the row, later ones only read it. An
-- identity without a row (it has not come back since its upload) was last seen at its
-- newest record. API keys' records ("key:" + id) are never purged.
CREATE TABLE users (
	id          TEXT PRIMARY KEY,              -- records.user_id of a cookie identity
	last_seen   TEXT NOT NULL                  -- "YYYY-MM-DD", UTC
);
CREATE INDEX users_last_seen ON users (last_seen);
-- Finished jobs are found by age.
CREATE INDEX jobs_finished ON jobs (status, updated_on);
