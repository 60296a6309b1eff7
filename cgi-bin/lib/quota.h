/* quota.h: per-API-key monthly image quotas and per-minute request rates, counted in
 * SQLite (key_usage, key_rate) and reported in X-RateLimit-* headers. */
#ifndef BACKDROP_QUOTA_H
#define BACKDROP_QUOTA_H

#include <sqlite3.h>
#include <time.h>
#include "err.h"
#include "req.h"
#include "uid.h"

/* A key's standing after quota_admit(). A limit of 0 means unlimited. */
struct quota_info {
	long rate_limit, rate_remaining;  /* this minute */
	long reset;                       /* unix seconds when the minute's count resets */
	long retry_after;                 /* seconds, set with ERR_RATE */
	long month_limit, month_used;     /* images this calendar month (UTC) */
};

/* The effective limits of a key: its override when >= 0, else the conf default
 * (key_quota_month, key_rate_minute). */
long quota_month_limit(long override);
long quota_rate_limit(long override);

/*
 * Admits one request of key_id at time now, in one write transaction: counts it
 * against the minute's rate (ERR_RATE when over, with retry_after), and when images > 0
 * reserves that many images of the month's quota (ERR_QUOTA when they do not fit,
 * nothing reserved). month_limit and rate_limit are the effective limits. Fills *qi
 * either way. ERR_STORE_BUSY / ERR_STORE on database trouble.
 */
enum err quota_admit(sqlite3 *db, const char *key_id, long month_limit, long rate_limit,
                     long images, time_t now, struct quota_info *qi);
/* Gives back images reserved by quota_admit() for a request that failed. */
enum err quota_refund(sqlite3 *db, const char *key_id, long images, time_t now);
/* Reads the month's usage of key_id into *used without counting anything. */
enum err quota_used(sqlite3 *db, const char *key_id, time_t now, long *used);

/*
 * The shared gate for the programs that serve keys (upload, update, remove, index):
 * quota_serve() wraps a handler so that its error response still carries the key's
 * X-RateLimit-* headers (and Retry-After on 429), and quota_charge() admits the
 * request inside it.
 */

/* Runs fn(r) with a quota context in r->ctx and an error hook in r->on_error, and
 * composes fn's error response (logged like the router does) while that context
 * lives. Returns what a handler returns: ERR_OK once a response is composed. */
enum err quota_serve(struct req *r, handler_fn fn);

/*
 * Admits r for the caller id (already identified by ident_get): for a key, one
 * quota_admit() with the key's effective limits, counting the request against the
 * minute's rate and reserving `images` images of the month's quota (0: the rate
 * alone), then adds X-RateLimit-Limit/Remaining/Reset to r. ERR_RATE (429, detail
 * set; Retry-After under quota_serve) or ERR_QUOTA (402, detail set, the request still
 * counted against the rate); ERR_STORE_BUSY / ERR_STORE. A cookie caller is ERR_OK,
 * nothing counted. Call it before any image work; give reserved images back with
 * quota_give_back() when the work fails. Under quota_serve() (r->ctx), whose error
 * response keeps the headers; elsewhere only a success carries them.
 */
enum err quota_charge(struct req *r, sqlite3 *db, const struct ident *id, long images);
/* Gives back images reserved by quota_charge() for a request that failed (a key
 * only; logs a failure). */
void quota_give_back(sqlite3 *db, const struct ident *id, long images);

#endif
