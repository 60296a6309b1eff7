/* retain.c: last seen per identity, and the purge of what is kept too long. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "retain.h"
#include "store.h"

/* Identities purged per write transaction: each holds the write lock briefly. */
#define PURGE_BATCH 50
#define STR(x) #x
#define XSTR(x) STR(x)

/* The UTC day `days` days before now as "YYYY-MM-DD" into out. */
static void day_before(long days, char out[11])
{
	store_day(time(NULL) - (time_t)days * 86400, out);
}

/* The identities this process has noted as seen today: a returning visitor's requests
 * after the first of the day read nothing. A slot is the day and id of the last one
 * noted whose id hashes to it. */
#define SEEN_SLOTS 256
static struct {
	char day[11], id[33];
} seen[SEEN_SLOTS];

static unsigned seen_slot(const char *user)
{
	unsigned h = 2166136261u;   /* FNV-1a */

	while (*user)
		h = (h ^ (unsigned char)*user++) * 16777619u;
	return h % SEEN_SLOTS;
}

enum err retain_touch(struct db *db, const char *user)
{
	struct db_stmt *st = NULL;
	enum err e = ERR_OK;
	char today[11];
	unsigned slot = seen_slot(user);
	int rc;

	day_before(0, today);
	if (!strcmp(seen[slot].day, today) && !strcmp(seen[slot].id, user))
		return ERR_OK;
	rc = db_prepare(db, "SELECT 1 FROM users WHERE id = ? AND last_seen >= ?", &st);
	if (rc == 0) {
		db_bind_text(st, 1, user, -1);
		db_bind_text(st, 2, today, -1);
		rc = db_step(st);
	}
	db_finalize(st);
	st = NULL;
	if (rc != DB_ROW && rc != DB_DONE)
		return db_err(db, "read last seen");
	if (rc == DB_ROW)
		goto seen_today;
	rc = db_prepare(db, "INSERT INTO users (id, last_seen) VALUES (?, ?) "
	                        "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen", &st);
	if (rc == 0) {
		db_bind_text(st, 1, user, -1);
		db_bind_text(st, 2, today, -1);
		rc = db_step(st);
	}
	if (rc != DB_DONE)
		e = db_err(db, "write last seen");
	db_finalize(st);
	if (e)
		return e;
seen_today:
	snprintf(seen[slot].day, sizeof seen[slot].day, "%s", today);
	snprintf(seen[slot].id, sizeof seen[slot].id, "%s", user);
	return ERR_OK;
}

/* Runs sql (binding ?1 to arg unless it is NULL) and adds its changes to *n (when n). */
static enum err run(struct db *db, const char *sql, const char *arg, long *n)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(db, sql, &st);

	if (rc == 0) {
		if (arg)
			db_bind_text(st, 1, arg, -1);
		rc = db_step(st);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, "purge");
	if (n)
		*n += db_changes(db);
	return ERR_OK;
}

/* The cookie identities (no ':' in the id: not "key:" or a pending "claim:") whose last
 * seen day is before ?1, at most PURGE_BATCH of them. */
#define STALE "SELECT r.user_id FROM records r LEFT JOIN users u ON u.id = r.user_id " \
              "WHERE r.user_id NOT LIKE '%:%' GROUP BY r.user_id " \
              "HAVING COALESCE(MAX(u.last_seen), '') < ?1 AND substr(MAX(r.created_on), 1, 10) < ?1 " \
              "LIMIT " XSTR(PURGE_BATCH)

/* Deletes one batch of stale identities in one write transaction; *more is 1 when the
 * batch was full. */
static enum err purge_batch(struct db *db, const char *cutoff, struct retain_counts *n, int *more)
{
	long ids = 0;
	enum err e;

	*more = 0;
	if ((e = store_begin(db, 1)))
		return e;
	/* The batch is a temporary table, so the records and the rows go together. */
	if ((e = run(db, "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id TEXT PRIMARY KEY)", NULL, NULL)) ||
	    (e = run(db, "DELETE FROM purge_ids", NULL, NULL)) ||
	    (e = run(db, "INSERT INTO purge_ids " STALE, cutoff, &ids)) ||
	    (e = run(db, "DELETE FROM images WHERE record_id IN (SELECT id FROM records "
	                 "WHERE user_id IN (SELECT id FROM purge_ids))", NULL, NULL)) ||
	    (e = run(db, "DELETE FROM records WHERE user_id IN (SELECT id FROM purge_ids)", NULL,
	             &n->records)) ||
	    (e = run(db, "DELETE FROM users WHERE id IN (SELECT id FROM purge_ids)", NULL, NULL)) ||
	    (e = store_commit(db))) {
		store_rollback(db);
		return e;
	}
	n->identities += ids;
	*more = ids == PURGE_BATCH;
	return ERR_OK;
}

enum err retain_purge(struct db *db, long days, long job_days, struct retain_counts *n)
{
	char cutoff[32];
	enum err e;
	int more = 1;

	if (days > 0) {
		/* The cutoff day once, so every batch agrees on it. */
		day_before(days, cutoff);
		while (more)
			if ((e = purge_batch(db, cutoff, n, &more)))
				return e;
		/* Rows of identities that stored nothing, or whose records are gone. */
		if ((e = run(db, "DELETE FROM users WHERE last_seen < ?1", cutoff, NULL)))
			return e;
	}
	if (job_days > 0) {
		store_stamp(time(NULL) - (time_t)job_days * 86400, cutoff);
		if ((e = run(db, "DELETE FROM jobs WHERE status IN ('delivered', 'failed') "
		                 "AND updated_on < ?1", cutoff, &n->jobs)))
			return e;
	}
	return ERR_OK;
}
