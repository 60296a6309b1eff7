/* quota.c: per-key monthly quotas and per-minute rates in SQLite, one transaction each,
 * and the gate that charges keys in the records programs. */
#include <stdio.h>
#include <string.h>
#include "conf.h"
#include "log.h"
#include "quota.h"
#include "resp.h"
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
static enum err run(struct db *db, const char *sql, const char *types, const char *s1,
                    const char *s2, long long i1, long long *out)
{
	struct db_stmt *st = NULL;
	enum err e = ERR_OK;
	int rc, k, si = 0;

	if (out)
		*out = 0;
	if ((rc = db_prepare(db, sql, &st)) != 0)
		return db_err(db, "quota prepare");
	for (k = 0; types[k]; k++) {
		if (types[k] == 't')
			db_bind_text(st, k + 1, si++ ? s2 : s1, -1);
		else
			db_bind_int(st, k + 1, i1);
	}
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (out)
			*out = db_col_int(st, 0);
	} else if (rc != DB_DONE) {
		e = db_err(db, "quota step");
	}
	db_finalize(st);
	return e;
}

/* Inside a write transaction: adds quarters to the month's usage (qi->month_used_x4
 * holds it) unless that would pass month_limit credits (0: unlimited): ERR_QUOTA, nothing
 * added. */
static enum err take(struct db *db, const char *key_id, const char *month, long month_limit, long quarters,
                     struct quota_info *qi)
{
	enum err e;

	if (month_limit > 0 && (long long)qi->month_used_x4 + quarters > (long long)month_limit * 4)
		return ERR_QUOTA;
	if ((e = run(db, "INSERT INTO key_usage (key_id, month, quarters) VALUES (?1, ?2, ?3) "
	             "ON CONFLICT (key_id, month) DO UPDATE SET quarters = key_usage.quarters + ?3",
	             "tti", key_id, month, quarters, NULL)))
		return e;
	qi->month_used_x4 += quarters;
	return ERR_OK;
}

enum err quota_admit(struct db *db, const char *key_id, long month_limit, long rate_limit,
                     long images, time_t now, struct quota_info *qi)
{
	char month[16];
	long long minute = now / 60, used = 0, reqs = 0;
	enum err e;

	memset(qi, 0, sizeof *qi);
	month_of(now, month);
	qi->rate_limit = rate_limit;
	qi->month_limit = month_limit;
	images *= 4;                    /* counted in quarters of a credit */
	qi->reset = (long)(minute + 1) * 60;
	if ((e = store_begin(db, 1)))
		return e;
	if ((e = run(db, "DELETE FROM key_rate WHERE key_id = ?1 AND minute < ?2", "ti", key_id, NULL, minute, NULL)) ||
	    (e = run(db, "SELECT requests FROM key_rate WHERE key_id = ?1 AND minute = ?2", "ti", key_id, NULL, minute, &reqs)) ||
	    (e = run(db, "SELECT quarters FROM key_usage WHERE key_id = ?1 AND month = ?2", "tt", key_id, month, 0, &used)))
		goto out;
	qi->month_used_x4 = (long)used;
	if (rate_limit > 0 && reqs >= rate_limit) {
		qi->rate_remaining = 0;
		qi->retry_after = (long)(qi->reset - now);
		if (qi->retry_after < 1)
			qi->retry_after = 1;
		e = ERR_RATE;
		goto out;
	}
	if ((e = run(db, "INSERT INTO key_rate (key_id, minute, requests) VALUES (?1, ?2, 1) "
	             "ON CONFLICT (key_id, minute) DO UPDATE SET requests = key_rate.requests + 1",
	             "ti", key_id, NULL, minute, NULL)))
		goto out;
	qi->rate_remaining = rate_limit > 0 ? rate_limit - (long)reqs - 1 : 0;
	if (images > 0 && (e = take(db, key_id, month, month_limit, images, qi)) == ERR_QUOTA) {
		/* The request still counts against the rate. */
		if (!(e = store_commit(db)))
			e = ERR_QUOTA;
		return e;
	}
	if (!e)
		e = store_commit(db);
out:
	if (e)
		store_rollback(db);
	return e;
}

enum err quota_reserve(struct db *db, const char *key_id, long month_limit, long quarters, time_t now,
                       struct quota_info *qi)
{
	char month[16];
	long long used = 0;
	enum err e;

	month_of(now, month);
	qi->month_limit = month_limit;
	if ((e = store_begin(db, 1)))
		return e;
	if ((e = run(db, "SELECT quarters FROM key_usage WHERE key_id = ?1 AND month = ?2", "tt", key_id, month, 0, &used)))
		goto out;
	qi->month_used_x4 = (long)used;
	if ((e = take(db, key_id, month, month_limit, quarters, qi)))
		goto out;
	e = store_commit(db);
out:
	if (e)
		store_rollback(db);
	return e;
}

enum err quota_refund(struct db *db, const char *key_id, long quarters, time_t now)
{
	char month[16];

	month_of(now, month);
	return run(db, "UPDATE key_usage SET quarters = CASE WHEN quarters > ?3 THEN quarters - ?3 ELSE 0 END "
	           "WHERE key_id = ?1 AND month = ?2",
	           "tti", key_id, month, quarters, NULL);
}

enum err quota_used(struct db *db, const char *key_id, time_t now, long *used_x4)
{
	char month[16];
	long long u;
	enum err e;

	month_of(now, month);
	e = run(db, "SELECT quarters FROM key_usage WHERE key_id = ?1 AND month = ?2", "tt", key_id, month, 0, &u);
	*used_x4 = (long)u;
	return e;
}

/* ---- the gate of the records programs ---- */

/* What quota_serve() keeps for the error response: the key's standing, once admitted,
 * and a program's own error shape and state (quota_serve_app). */
struct gate {
	int charged;              /* quota_admit() gave a standing (ok, rate or quota) */
	struct quota_info qi;
	error_fn shape;
	void *app;
};

static void rate_headers(struct req *r, const struct quota_info *qi)
{
	resp_header(r, "X-RateLimit-Limit", "%ld", qi->rate_limit);
	resp_header(r, "X-RateLimit-Remaining", "%ld", qi->rate_remaining);
	resp_header(r, "X-RateLimit-Reset", "%ld", qi->reset);
}

/* The error hook: the rate headers survive the error response; 429 says when to retry. */
static void gate_on_error(struct req *r, enum err e, const char *detail)
{
	const struct gate *g = r->ctx;

	if (!g)
		return;
	if (g->charged) {
		rate_headers(r, &g->qi);
		if (e == ERR_RATE)
			resp_header(r, "Retry-After", "%ld", g->qi.retry_after > 0 ? g->qi.retry_after : 60);
	}
	if (g->shape)
		g->shape(r, e, detail);
}

enum err quota_serve(struct req *r, handler_fn fn)
{
	return quota_serve_app(r, fn, NULL, NULL);
}

void *quota_app(const struct req *r)
{
	const struct gate *g = r->ctx;

	return g ? g->app : NULL;
}

enum err quota_serve_app(struct req *r, handler_fn fn, error_fn shape, void *app)
{
	struct gate g;
	enum err e;

	memset(&g, 0, sizeof g);
	g.shape = shape;
	g.app = app;
	r->ctx = &g;
	r->on_error = gate_on_error;
	if ((e = fn(r))) {
		log_info("%s %s -> %d %s%s%s", r->method, r->path, err_status(e), err_code(e),
		         *r->detail ? ": " : "", r->detail);
		resp_error(r, e, *r->detail ? r->detail : NULL);
	}
	r->ctx = NULL;
	r->on_error = NULL;
	return r->done ? ERR_OK : e;
}

enum err quota_charge(struct req *r, struct db *db, const struct ident *id, long images)
{
	struct gate *g = r->ctx;
	struct quota_info qi;
	enum err e;

	if (!id->is_key)
		return ERR_OK;
	e = quota_admit(db, id->key_id, quota_month_limit(id->quota_month), quota_rate_limit(id->rate_minute),
	                images, time(NULL), &qi);
	if (e != ERR_OK && e != ERR_RATE && e != ERR_QUOTA)
		return e;
	if (g) {
		g->charged = 1;
		g->qi = qi;
	}
	if (e == ERR_RATE)
		return req_fail(r, e, "more than %ld requests this minute", qi.rate_limit);
	if (e == ERR_QUOTA)
		return req_fail(r, e, "the monthly quota of %ld credits is used up", qi.month_limit);
	rate_headers(r, &qi);
	return ERR_OK;
}

enum err quota_charge_x4(struct req *r, struct db *db, const struct ident *id, long quarters)
{
	struct gate *g = r->ctx;
	struct quota_info qi;
	enum err e;

	if (!id->is_key)
		return ERR_OK;
	memset(&qi, 0, sizeof qi);
	if (g && g->charged)
		qi = g->qi;
	e = quota_reserve(db, id->key_id, quota_month_limit(id->quota_month), quarters, time(NULL), &qi);
	if (g && g->charged)
		g->qi = qi;
	if (e == ERR_QUOTA)
		return req_fail(r, e, "the monthly quota of %ld credits is used up", qi.month_limit);
	return e;
}

void quota_give_back_x4(struct db *db, const struct ident *id, long quarters)
{
	if (id->is_key && quarters > 0 && quota_refund(db, id->key_id, quarters, time(NULL)))
		log_warn("could not refund %ld quarter credits to key %s", quarters, id->key_id);
}

void quota_give_back(struct db *db, const struct ident *id, long images)
{
	quota_give_back_x4(db, id, images * 4);
}
