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
#include "uid.h"

/* Charges a key one image (its rate and monthly quota, in one write transaction: 429 or
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
	sqlite3 *db = NULL;
	long limit = conf_int("user_limit"), used = 0;
	char loc[64];
	int charged = 0;
	enum err e;

	if (!fs)
		return ERR_NOMEM;
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)) || (e = quota_charge(r, db, &id, 1)))
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
	if ((e = rec_make(r, fs, &m)))
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
		e = page_redirect(r, page_upload_flash(e));
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
