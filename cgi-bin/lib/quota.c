/* quota.c: per-key monthly quotas and per-minute rates in SQLite, one transaction each. */
#include <stdio.h>
#include <string.h>
#include "conf.h"
#include "quota.h"
#include "store.h"

long quota_month_limit(long override)
{
	return override >= 0 ? override : conf_int("key_quota_month");
}

long quota_rate_limit(long override)
{
	return override >= 0 ? override : conf_int("key_rate_minute");
}

static void month_of(time_t now, char out[16])
{
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, 16, "%04d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100);
}

/* Runs one statement with text/integer bindings ("t" or "i" per parameter); *out (may
 * be NULL) gets column 0 of the first row as an integer, 0 when there is none. */
static enum err run(sqlite3 *db, const char *sql, const char *types, const char *s1,
                    const char *s2, long long i1, long long *out)
{
	sqlite3_stmt *st = NULL;
	enum err e = ERR_OK;
	int rc, k, si = 0;

	if (out)
		*out = 0;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_err(db, rc, "quota prepare");
	for (k = 0; types[k]; k++) {
		if (types[k] == 't')
			sqlite3_bind_text(st, k + 1, si++ ? s2 : s1, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, k + 1, i1);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (out)
			*out = sqlite3_column_int64(st, 0);
	} else if (rc != SQLITE_DONE) {
		e = store_err(db, rc, "quota step");
	}
	sqlite3_finalize(st);
	return e;
}

enum err quota_admit(sqlite3 *db, const char *key_id, long month_limit, long rate_limit,
                     long images, time_t now, struct quota_info *qi)
{
	char month[16];
	long long minute = now / 60, used = 0, reqs = 0;
	enum err e;

	memset(qi, 0, sizeof *qi);
	month_of(now, month);
	qi->rate_limit = rate_limit;
	qi->month_limit = month_limit;
	qi->reset = (long)(minute + 1) * 60;
	if ((e = store_begin(db, 1)))
		return e;
	if ((e = run(db, "DELETE FROM key_rate WHERE key_id = ?1 AND minute < ?2", "ti", key_id, NULL, minute, NULL)) ||
	    (e = run(db, "SELECT requests FROM key_rate WHERE key_id = ?1 AND minute = ?2", "ti", key_id, NULL, minute, &reqs)) ||
	    (e = run(db, "SELECT images FROM key_usage WHERE key_id = ?1 AND month = ?2", "tt", key_id, month, 0, &used)))
		goto out;
	qi->month_used = (long)used;
	if (rate_limit > 0 && reqs >= rate_limit) {
		qi->rate_remaining = 0;
		qi->retry_after = (long)(qi->reset - now);
		if (qi->retry_after < 1)
			qi->retry_after = 1;
		e = ERR_RATE;
		goto out;
	}
	if ((e = run(db, "INSERT INTO key_rate (key_id, minute, requests) VALUES (?1, ?2, 1) "
	             "ON CONFLICT (key_id, minute) DO UPDATE SET requests = requests + 1",
	             "ti", key_id, NULL, minute, NULL)))
		goto out;
	qi->rate_remaining = rate_limit > 0 ? rate_limit - (long)reqs - 1 : 0;
	if (images > 0) {
		if (month_limit > 0 && used + images > month_limit) {
			/* The request still counts against the rate. */
			if (!(e = store_commit(db)))
				e = ERR_QUOTA;
			return e;
		}
		if ((e = run(db, "INSERT INTO key_usage (key_id, month, images) VALUES (?1, ?2, ?3) "
		             "ON CONFLICT (key_id, month) DO UPDATE SET images = images + ?3",
		             "tti", key_id, month, images, NULL)))
			goto out;
		qi->month_used += images;
	}
	e = store_commit(db);
out:
	if (e)
		store_rollback(db);
	return e;
}

enum err quota_refund(sqlite3 *db, const char *key_id, long images, time_t now)
{
	char month[16];

	month_of(now, month);
	return run(db, "UPDATE key_usage SET images = max(images - ?3, 0) WHERE key_id = ?1 AND month = ?2",
	           "tti", key_id, month, images, NULL);
}

enum err quota_used(sqlite3 *db, const char *key_id, time_t now, long *used)
{
	char month[16];
	long long u;
	enum err e;

	month_of(now, month);
	e = run(db, "SELECT images FROM key_usage WHERE key_id = ?1 AND month = ?2", "tt", key_id, month, 0, &u);
	*used = (long)u;
	return e;
}
