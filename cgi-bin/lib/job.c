/* job.c: the job queue in the store, the lease-based claim, rendering and signed delivery. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "conf.h"
#include "fetch.h"
#include "job.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "str.h"

static void now_text(char out[20])
{
	store_stamp(time(NULL), out);
}

/* 1 if url is an absolute http or https URL with an authority: the scheme (RFC 3986
 * section 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), case-insensitive) is exactly
 * "http" or "https" and "://" follows. Else 0. Nothing else is judged here: the fetch
 * checks the whole URL and every address when the job is delivered. */
static int callback_ok(const char *url)
{
	size_t n = strcspn(url, ":");

	if (url[n] != ':' || strncmp(url + n, "://", 3))
		return 0;
	return (n == 4 && !strncasecmp(url, "http", 4)) || (n == 5 && !strncasecmp(url, "https", 5));
}

enum err job_create(struct db *db, const char *request, const char *callback_url,
                    const char *key_id, char id[33])
{
	struct db_stmt *st = NULL;
	char ts[20];
	int rc;
	enum err e = ERR_OK;

	/* A job that can never be delivered is refused now, not failed later. */
	if (!callback_url || !callback_ok(callback_url)) {
		log_info("job refused: callback_url %.80s is not an http or https URL", callback_url ? callback_url : "(none)");
		return ERR_BAD_FIELD;
	}
	if (!str_random_id(id))
		return ERR_INTERNAL;
	now_text(ts);
	if ((rc = db_prepare(db, "INSERT INTO jobs (id, request, callback_url, key_id, next_at, "
	                             "created_on, updated_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)", &st)))
		return db_err(db, "job insert");
	db_bind_text(st, 1, id, -1);
	db_bind_text(st, 2, request, -1);
	db_bind_text(st, 3, callback_url, -1);
	if (key_id)
		db_bind_text(st, 4, key_id, -1);
	db_bind_int(st, 5, (long long)time(NULL));
	db_bind_text(st, 6, ts, -1);
	if ((rc = db_step(st)) != DB_DONE)
		e = db_err(db, "job insert");
	db_finalize(st);
	return e;
}

enum err job_status(struct db *db, const char *id, struct json_object **out)
{
	struct db_stmt *st = NULL;
	struct json_object *o;
	const char *le;
	int rc;
	enum err e = ERR_OK;

	*out = NULL;
	if ((rc = db_prepare(db, "SELECT status, attempts, last_error, created_on, updated_on "
	                             "FROM jobs WHERE id = ?1", &st)))
		return db_err(db, "job status");
	db_bind_text(st, 1, id, -1);
	rc = db_step(st);
	if (rc == DB_DONE) {
		e = ERR_NOT_FOUND;
	} else if (rc != DB_ROW) {
		e = db_err(db, "job status");
	} else if (!(o = json_object_new_object())) {
		e = ERR_NOMEM;
	} else {
		json_object_object_add(o, "job_id", json_object_new_string(id));
		json_object_object_add(o, "status", json_object_new_string(db_col_text(st, 0)));
		json_object_object_add(o, "attempts", json_object_new_int(db_col_int(st, 1)));
		le = db_col_text(st, 2);
		json_object_object_add(o, "last_error", le ? json_object_new_string(le) : NULL);
		json_object_object_add(o, "created_on", json_object_new_string(db_col_text(st, 3)));
		json_object_object_add(o, "updated_on", json_object_new_string(db_col_text(st, 4)));
		*out = o;
	}
	db_finalize(st);
	return e;
}

int job_sign(const unsigned char *key, size_t klen, long ts, const char *body, size_t len, char out[72])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	char pre[32];
	size_t pl = (size_t)snprintf(pre, sizeof pre, "%ld.", ts);
	unsigned char *msg;
	int ok;

	if (len > SIZE_MAX - pl || !(msg = malloc(pl + len + 1)))
		return 0;
	memcpy(msg, pre, pl);
	memcpy(msg + pl, body, len);
	ok = HMAC(EVP_sha256(), key, (int)klen, msg, pl + len, mac, &ml) && ml == 32;
	free(msg);
	if (!ok)
		return 0;
	memcpy(out, "sha256=", 7);
	str_hex(mac, 32, out + 7);
	return 1;
}

/* A claimed job, copied out of the row. */
struct claimed {
	char id[33];
	char *request, *callback, *result;
	int attempts;
	int renders;              /* renders begun, this one included when result is NULL */
};

static void claimed_free(struct claimed *c)
{
	free(c->request);
	free(c->callback);
	free(c->result);
	memset(c, 0, sizeof *c);
}

static char *dup_col(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);
	return s ? strdup(s) : NULL;
}

/* Claims one ready job under a fresh lease. *got is 1 when c holds one. One statement,
 * so no transaction: SQLite runs it under its one write lock; on PostgreSQL workers on
 * many hosts claim at once, and FOR UPDATE SKIP LOCKED makes each pass over a job
 * another is claiming, so that a job goes to exactly one of them. */
static enum err claim(struct db *db, struct claimed *c, int *got)
{
#define CLAIM_SET "UPDATE jobs SET status = 'running', lease_until = ?1 + ?2, updated_on = ?3, " \
                  "renders = renders + CASE WHEN result IS NULL THEN 1 ELSE 0 END "
#define CLAIM_READY "SELECT id FROM jobs WHERE (status = 'queued' AND next_at <= ?1) " \
                    "OR (status = 'running' AND lease_until < ?1) ORDER BY next_at LIMIT 1"
#define CLAIM_RETURNING " RETURNING id, request, callback_url, attempts, result, renders"
	struct db_stmt *st = NULL;
	time_t now = time(NULL);
	char ts[20];
	int rc;
	enum err e = ERR_OK;

	*got = 0;
	now_text(ts);
	if (db_prepare(db, db_pick(db, CLAIM_SET "WHERE id = (" CLAIM_READY ")" CLAIM_RETURNING,
	                           CLAIM_SET "WHERE id = (" CLAIM_READY " FOR UPDATE SKIP LOCKED)" CLAIM_RETURNING),
	               &st)) {
		e = db_err(db, "job claim");
		goto out;
	}
	db_bind_int(st, 1, (long long)now);
	db_bind_int(st, 2, conf_int("job_lease"));
	db_bind_text(st, 3, ts, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(c->id, sizeof c->id, "%s", db_col_text(st, 0));
		c->request = dup_col(st, 1);
		c->callback = dup_col(st, 2);
		c->attempts = (int)db_col_int(st, 3);
		c->result = dup_col(st, 4);
		c->renders = (int)db_col_int(st, 5);
		if (!c->request || !c->callback) {
			e = ERR_NOMEM;
			goto out;
		}
		*got = 1;
		rc = db_step(st);
	}
	if (rc != DB_DONE)
		e = db_err(db, "job claim");
out:
	db_finalize(st);
	if (e) {
		claimed_free(c);
		*got = 0;
	}
	return e;
}

/* Renders the job's request into the callback body (success or failure alike). A job
 * whose render was begun JOB_RENDER_TRIES times without finishing (each time its worker
 * died: out of worker_cpu_seconds or worker_memory_mb, or a crash) is not rendered a
 * further time: its body says it failed. */
#define JOB_RENDER_TRIES 3
static char *render_body(const struct claimed *c)
{
	struct json_object *req = NULL, *o = json_object_new_object(), *d = NULL;
	struct img_result res;
	char why[300];
	char *out = NULL;
	enum err e;

	memset(&res, 0, sizeof res);
	if (!o)
		return NULL;
	json_object_object_add(o, "job_id", json_object_new_string(c->id));
	if (c->renders > JOB_RENDER_TRIES) {
		e = ERR_INTERNAL;
		snprintf(why, sizeof why, "the render was begun %d times and never finished: it needs more than "
		         "a worker may use (worker_cpu_seconds, worker_memory_mb)", JOB_RENDER_TRIES);
		log_warn("job %s: %s", c->id, why);
	} else if (!(e = render_json_parse(c->request, strlen(c->request), &req, why, sizeof why))) {
		e = render_change(req, 0, &res, why, sizeof why);
	}
	if (!e && (d = render_result_json(&res, 1))) {
		json_object_object_add(o, "status", json_object_new_string("succeeded"));
		json_object_object_add(d, "type", json_object_new_string(res.mime));
		json_object_object_add(o, "data", d);
	} else {
		struct json_object *er = json_object_new_object();
		if (!e)
			e = ERR_NOMEM;
		json_object_object_add(er, "code", json_object_new_string(err_code(e)));
		json_object_object_add(er, "message", json_object_new_string(err_str(e)));
		json_object_object_add(er, "detail", json_object_new_string(why));
		json_object_object_add(o, "status", json_object_new_string("failed"));
		json_object_object_add(o, "error", er);
	}
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	json_object_put(req);
	img_result_free(&res);
	return out;
}

/* Runs an UPDATE on job id with text ?2 (may be NULL) and integers ?3, ?4. */
static enum err update(struct db *db, const char *sql, const char *id, const char *text, long long a, long long b)
{
	struct db_stmt *st = NULL;
	char ts[20];
	int rc;
	enum err e = ERR_OK;

	now_text(ts);
	if ((rc = db_prepare(db, sql, &st)))
		return db_err(db, "job update");
	db_bind_text(st, 1, id, -1);
	if (text)
		db_bind_text(st, 2, text, -1);
	db_bind_int(st, 3, a);
	db_bind_int(st, 4, b);
	db_bind_text(st, 5, ts, -1);
	if ((rc = db_step(st)) != DB_DONE)
		e = db_err(db, "job update");
	db_finalize(st);
	return e;
}

enum err job_run_one(struct db *db, int *did)
{
	struct claimed c;
	unsigned char key[64];
	size_t klen = sizeof key;
	char sig[72], h1[100], h2[100], h3[80], why[300] = "";
	const char *hdrs[4];
	long status = 0, ts, backoff;
	int got, attempt;
	enum err e, fe;

	memset(&c, 0, sizeof c);
	*did = 0;
	if ((e = claim(db, &c, &got)) || !got)
		return e;
	*did = 1;
	log_info("job %s: attempt %d to %.200s", c.id, c.attempts + 1, c.callback);
	if (!c.result) {
		if (!(c.result = render_body(&c))) {
			e = ERR_NOMEM;
			goto out;
		}
		/* Keep the body and renew the lease: the render may have taken a while. */
		if ((e = update(db, "UPDATE jobs SET result = ?2, lease_until = ?3, updated_on = ?5 WHERE id = ?1",
		                c.id, c.result, (long long)time(NULL) + conf_int("job_lease"), 0)))
			goto out;
	}
	if ((e = conf_secret(key, &klen)))
		goto out;
	ts = (long)time(NULL);
	if (!job_sign(key, klen, ts, c.result, strlen(c.result), sig)) {
		e = ERR_INTERNAL;
		goto out;
	}
	snprintf(h1, sizeof h1, "X-Backdrop-Signature: %s", sig);
	snprintf(h2, sizeof h2, "X-Backdrop-Timestamp: %ld", ts);
	snprintf(h3, sizeof h3, "X-Backdrop-Job: %s", c.id);
	hdrs[0] = h1;
	hdrs[1] = h2;
	hdrs[2] = h3;
	hdrs[3] = NULL;
	attempt = c.attempts + 1;
	fe = fetch_post(c.callback, "application/json", c.result, strlen(c.result), hdrs, &status, why, sizeof why);
	if (!fe) {
		log_info("job %s: delivered (HTTP %ld)", c.id, status);
		e = update(db, "UPDATE jobs SET status = 'delivered', attempts = ?3, last_error = NULL, "
		           "lease_until = 0, updated_on = ?5 WHERE id = ?1", c.id, NULL, attempt, 0);
	} else if (attempt >= conf_int("webhook_attempts") || fe == ERR_FETCH_BLOCKED || fe == ERR_BAD_FIELD) {
		/* A refused or malformed callback URL will not get better: no retries. */
		log_warn("job %s: failed after %d attempts: %s", c.id, attempt, why);
		e = update(db, "UPDATE jobs SET status = 'failed', attempts = ?3, last_error = ?2, "
		           "lease_until = 0, updated_on = ?5 WHERE id = ?1", c.id, why, attempt, 0);
	} else {
		backoff = conf_int("webhook_backoff") << (attempt - 1 < 20 ? attempt - 1 : 20);
		log_info("job %s: attempt %d failed (%s); next in %lds", c.id, attempt, why, backoff);
		e = update(db, "UPDATE jobs SET status = 'queued', attempts = ?3, last_error = ?2, "
		           "next_at = ?4, lease_until = 0, updated_on = ?5 WHERE id = ?1",
		           c.id, why, attempt, (long long)time(NULL) + backoff);
	}
out:
	claimed_free(&c);
	return e;
}
