/* retain.h: what Backdrop keeps and for how long: when each cookie identity was last
 * seen, and the purge of identities unseen for retention_days and of jobs finished
 * job_retention_days ago (with their request bodies and results). */
#ifndef BACKDROP_RETAIN_H
#define BACKDROP_RETAIN_H

#include "db.h"
#include "err.h"

/* What a purge deleted. */
struct retain_counts {
	long identities;   /* identities whose records (and last-seen row) were deleted */
	long records;      /* their records, with every image of each */
	long jobs;         /* delivered or failed jobs */
};

/*
 * Notes that the cookie identity user (32 hex) was seen today. Cheap by design: one
 * primary-key read, and a write only on the identity's first request of a UTC day.
 * Returns ERR_OK or the store's error (callers serving a request log it and go on: a
 * read must keep working when the disk is full).
 */
enum err retain_touch(struct db *db, const char *user);

/*
 * Deletes the records of cookie identities last seen more than days ago (an identity's
 * last seen is its users row or, without one, its newest record; days 0: none), and
 * jobs delivered or failed more than job_days ago (0: none), in small write
 * transactions so that requests are not held up. Adds what it deleted to *n (zero it
 * first). Returns ERR_OK or the store's error (what was deleted before stays deleted).
 */
enum err retain_purge(struct db *db, long days, long job_days, struct retain_counts *n);

#endif
