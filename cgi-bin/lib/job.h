/* job.h: asynchronous Background Change jobs: queued in the store, claimed under a lease
 * by `backdrop worker`, rendered, and delivered to a callback URL as signed JSON. */
#ifndef BACKDROP_JOB_H
#define BACKDROP_JOB_H

#include <stddef.h>
#include <time.h>
#include "db.h"
#include <json-c/json.h>
#include "err.h"

/* Queues a job for request (the JSON text as received) delivering to callback_url;
 * key_id may be NULL. id[33] gets the new job id. ERR_BAD_FIELD when callback_url's
 * scheme is not exactly http or https. */
enum err job_create(struct db *db, const char *request, const char *callback_url,
                    const char *key_id, char id[33]);

/* {"job_id", "status", "attempts", "last_error", "created_on", "updated_on"} of job id
 * into *out (caller puts); ERR_NOT_FOUND for an unknown id. */
enum err job_status(struct db *db, const char *id, struct json_object **out);

/*
 * Claims one ready job (queued and due, or running with an expired lease: its worker
 * died) in one statement, renders it once (the callback body is kept in the row, so a
 * retry does not render again; a render begun three times without finishing, its
 * worker killed by its limits each time, is answered as failed), and POSTs it to the callback through the
 * SSRF-checked fetch with X-Backdrop-Timestamp: T and X-Backdrop-Signature:
 * sha256=HEX(HMAC-SHA256(secret, T "." body)). 2xx marks it delivered; anything else
 * queues it again after webhook_backoff * 2^(attempts-1) seconds, or marks it failed
 * after webhook_attempts (at once for a refused callback address), keeping the last
 * error. Delivery is at least once: a worker
 * killed after the POST may deliver again. *did is 1 when a job was handled, 0 when
 * none was ready. Errors are database errors only.
 */
enum err job_run_one(struct db *db, int *did);

/* The signature header value "sha256=" + 64 hex of HMAC-SHA256(key, ts "." body)
 * into out[72]. Returns 1 or 0. */
int job_sign(const unsigned char *key, size_t klen, long ts, const char *body, size_t len, char out[72]);

#endif
