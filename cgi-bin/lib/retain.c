/* retain.c: last seen per identity, and the purge of what is kept too long. */
#include <stdio.h>
#include "retain.h"
#include "store.h"

/* Identities purged per write transaction: each holds the write lock briefly. */
#define PURGE_BATCH 50
#define STR(x) #x
#define XSTR(x) STR(x)

enum err retain_touch(sqlite3 *db, const char *user)
{
	sqlite3_stmt *st = NULL;
	enum err e = ERR_OK;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM users WHERE id = ? AND last_seen >= date('now')", -1,
	                        &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_ROW)
		return ERR_OK;
	if (rc != SQLITE_DONE)
		return store_err(db, rc, "read last seen");
	rc = sqlite3_prepare_v2(db, "INSERT INTO users (id, last_seen) VALUES (?, date('now')) "
	                        "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE)
		e = store_err(db, rc, "write last seen");
	sqlite3_finalize(st);
	return e;
}

/* Runs sql (binding ?1 to arg unless it is NULL) and adds its changes to *n (when n). */
static enum err run(sqlite3 *db, const char *sql, const char *arg, long *n)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_err(db, rc, "purge");
	if (n)
		*n += sqlite3_changes(db);
	return ERR_OK;
}

/* The cookie identities (no ':' in the id: not "key:" or a pending "claim:") whose last
 * seen day is before ?1, at most PURGE_BATCH of them. */
#define STALE "SELECT r.user_id FROM records r LEFT JOIN users u ON u.id = r.user_id " \
              "WHERE instr(r.user_id, ':') = 0 GROUP BY r.user_id " \
              "HAVING MAX(COALESCE(MAX(u.last_seen), ''), date(MAX(r.created_on))) < ?1 " \
              "LIMIT " XSTR(PURGE_BATCH)

/* Deletes one batch of stale identities in one write transaction; *more is 1 when the
 * batch was full. */
static enum err purge_batch(sqlite3 *db, const char *cutoff, struct retain_counts *n, int *more)
{
	long ids = 0;
	enum err e;

	*more = 0;
	if ((e = store_begin(db, 1)))
		return e;
	/* The batch is a temporary table, so the records and the rows go together. */
	if ((e = run(db, "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)", NULL, NULL)) ||
	    (e = run(db, "DELETE FROM temp.purge_ids", NULL, NULL)) ||
	    (e = run(db, "INSERT INTO temp.purge_ids " STALE, cutoff, &ids)) ||
	    (e = run(db, "DELETE FROM images WHERE record_id IN (SELECT id FROM records "
	                 "WHERE user_id IN (SELECT id FROM temp.purge_ids))", NULL, NULL)) ||
	    (e = run(db, "DELETE FROM records WHERE user_id IN (SELECT id FROM temp.purge_ids)", NULL,
	             &n->records)) ||
	    (e = run(db, "DELETE FROM users WHERE id IN (SELECT id FROM temp.purge_ids)", NULL, NULL)) ||
	    (e = store_commit(db))) {
		store_rollback(db);
		return e;
	}
	n->identities += ids;
	*more = ids == PURGE_BATCH;
	return ERR_OK;
}

/* The UTC day `days` days ago as "YYYY-MM-DD" into out (SQLite's clock, as the rows'). */
static enum err day_before(sqlite3 *db, long days, char out[11])
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT date('now', printf('-%d days', ?1))", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, days);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		snprintf(out, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? ERR_OK : store_err(db, rc, "purge cutoff");
}

enum err retain_purge(sqlite3 *db, long days, long job_days, struct retain_counts *n)
{
	char cutoff[32];
	enum err e;
	int more = 1;

	if (days > 0) {
		/* The cutoff day once, so every batch agrees on it. */
		if ((e = day_before(db, days, cutoff)))
			return e;
		while (more)
			if ((e = purge_batch(db, cutoff, n, &more)))
				return e;
		/* Rows of identities that stored nothing, or whose records are gone. */
		if ((e = run(db, "DELETE FROM users WHERE last_seen < ?1", cutoff, NULL)))
			return e;
	}
	if (job_days > 0) {
		snprintf(cutoff, sizeof cutoff, "-%ld days", job_days);
		if ((e = run(db, "DELETE FROM jobs WHERE status IN ('delivered', 'failed') "
		                 "AND updated_on < datetime('now', ?1)", cutoff, &n->jobs)))
			return e;
	}
	return ERR_OK;
}
