/* quota.h: per-API-key monthly credit quotas and per-minute request rates, counted in
 * SQLite (key_usage, key_rate) and reported in X-RateLimit-* headers. A credit is one
 * image; usage is kept in quarters of a credit (remove.bg charges a preview 0.25). */
#ifndef BACKDROP_QUOTA_H
#define BACKDROP_QUOTA_H

#include "db.h"
#include <time.h>
#include "err.h"
#include "req.h"
#include "uid.h"

/* A key's standing after quota_admit(). A limit of 0 means unlimited. */
struct quota_info {
	long rate_limit, rate_remaining;  /* this minute */
	long reset;                       /* unix seconds when the minute's count resets */
	long retry_after;                 /* seconds, set with ERR_RATE */
	long month_limit;                 /* credits this calendar month (UTC) */
	long month_used_x4;               /* used this month, in quarters of a credit */
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
enum err quota_admit(struct db *db, const char *key_id, long month_limit, long rate_limit,
                     long images, time_t now, struct quota_info *qi);
/* Reserves quarters of a credit of key_id's month, without counting the request's rate
 * (quota_admit() with images 0 did), in one write transaction: ERR_QUOTA when they do
 * not fit in month_limit credits (0: unlimited), nothing reserved. Sets
 * qi->month_limit and qi->month_used_x4. For a request whose cost is known only once
 * it is read (a remove.bg preview costs 1 quarter, a full image 4). */
enum err quota_reserve(struct db *db, const char *key_id, long month_limit, long quarters, time_t now,
                       struct quota_info *qi);
/* Gives back quarters of a credit reserved by quota_admit() (4 per image) for a request
 * that failed, or the part of a whole credit a preview does not cost. */
enum err quota_refund(struct db *db, const char *key_id, long quarters, time_t now);
/* Reads the month's usage of key_id, in quarters of a credit, into *used_x4 without
 * counting anything. */
enum err quota_used(struct db *db, const char *key_id, time_t now, long *used_x4);

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
enum err quota_charge(struct req *r, struct db *db, const struct ident *id, long images);
/* Gives back images reserved by quota_charge() for a request that failed (a key
 * only; logs a failure). */
void quota_give_back(struct db *db, const struct ident *id, long images);

/* quota_serve() for a program with its own per-request state and error shape (the
 * remote APIs): shape (NULL: the default body) runs in the error response after the
 * key's rate headers are added; app, the program's state, is quota_app(r) while fn
 * runs (r->ctx holds the gate). */
enum err quota_serve_app(struct req *r, handler_fn fn, error_fn shape, void *app);
void *quota_app(const struct req *r);
/* For a request whose cost is known only once it is read (a remove.bg preview costs a
 * quarter credit, an image 4 quarters): reserves quarters of the key's month after
 * quota_charge(r, db, id, 0) counted its rate. ERR_QUOTA (402, detail set), nothing
 * reserved; a cookie caller is ERR_OK. quota_give_back_x4() gives quarters back. */
enum err quota_charge_x4(struct req *r, struct db *db, const struct ident *id, long quarters);
void quota_give_back_x4(struct db *db, const struct ident *id, long quarters);

#endif
