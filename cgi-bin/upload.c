/* upload.c: POST /, a new record from an uploaded image (multipart form). */
#include <stdio.h>
#include <stdlib.h>
#include "conf.h"
#include "log.h"
#include "mp.h"
#include "page.h"
#include "quota.h"
#include "rec_make.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* A form posted without our cookie may come from a page on another site, which cannot
 * send the SameSite=Lax cookie: answering it with a new id would replace the visitor's
 * own. So it gets no id: its record waits under a single-use claim (rec_claim) and the
 * 303 goes to /?claim=TOKEN, whose GET carries the cookie and attaches the record there
 * (index.c). An API client (JSON) without a cookie gets a new id as before.
 *
 * Charges a key one image (its rate and monthly quota, in one write transaction: 429 or
 * 402 before the body is read; given back when the upload fails), reads and validates
 * the form, runs the engine outside any transaction, then counts and inserts in one
 * write transaction (rec_insert). A browser form gets 303 to / with
 * a flash code; an API client (Accept: application/json or X-Api-Key) 201 with the
 * record and a Location, or the error response. Uploads from other origins are
 * allowed: the 303 lands the user on their own records. */
static enum err upload(struct req *r)
{
	struct fields *fs = calloc(1, sizeof *fs);
	struct rec_made m = { 0 };
	struct ident id;
	struct db *db = NULL;
	long limit = conf_int("user_limit"), used = 0;
	char loc[64], token[33] = "";
	int charged = 0;
	enum err e;

	if (!fs)
		return ERR_NOMEM;
	if ((e = store_db(&db)) || (e = (req_wants_json(r) ? ident_get : ident_find)(r, db, &id)))
		goto out;
	if (!*id.user_id) {
		if (!str_random_id(token) || !rec_claim_owner(token, id.user_id)) {
			e = ERR_INTERNAL;
			goto out;
		}
		rec_claim_purge(db, conf_int("claim_seconds"));
	}
	if ((e = quota_charge(r, db, &id, 1)))
		goto out;
	charged = 1;
	if ((e = form_read(r, fs)))
		goto done;
	/* A cheap early refusal; rec_insert checks again under the write lock. */
	if ((e = rec_count(db, id.user_id, &used)))
		goto done;
	if (used >= limit) {
		e = req_fail(r, ERR_USER_LIMIT, "%ld of %ld records are stored", used, limit);
		goto done;
	}
	if ((e = rec_make(r, fs, NULL, &m)))
		goto done;
	if ((e = rec_insert(db, id.user_id, limit, &m.rec, m.options_json, m.img)) == ERR_USER_LIMIT)
		req_fail(r, e, "%ld records are stored", limit);
done:
	if (e && charged)
		quota_give_back(db, &id, 1);
	if (!e)
		resp_cutout_engine(r, m.res.engine);
	if (!req_wants_json(r)) {
		if (e)
			log_info("upload from a form failed: %s%s%s", err_code(e), *r->detail ? ": " : "", r->detail);
		if (!e && *token) {
			snprintf(loc, sizeof loc, "/?claim=%s", token);
			e = resp_redirect(r, loc);
		} else {
			e = page_redirect(r, page_upload_flash(e));
		}
	} else if (!e) {
		snprintf(loc, sizeof loc, "/image/%s/processed", m.rec.id);
		resp_header(r, "Location", "%s", loc);
		e = resp_json(r, 201, page_record_json(&m.rec));
	}
out:
	rec_made_free(&m);
	fields_free(fs);
	free(fs);
	return e;
}

static enum err w_upload(struct req *r)
{
	return quota_serve(r, upload);
}

static const struct route routes[] = {
	{ "POST", "/", w_upload },
};

int main(void)
{
	return app_main("upload", routes, sizeof routes / sizeof routes[0]);
}
