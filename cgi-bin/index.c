/* index.c: GET /, the records page (HTML), or the caller's records as JSON. */
#include <string.h>
#include "conf.h"
#include "log.h"
#include "page.h"
#include "quota.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* A query number in [min, max], or def when absent; 0 when malformed. */
static int query_long(struct req *r, const char *name, long min, long max, long def, long *out)
{
	const struct field *f = fields_get(&r->query, name);

	*out = def;
	return !f || str_to_long(f->value, min, max, out);
}

/* GET /?claim=TOKEN, the redirect of a form upload that came without our cookie (see
 * upload.c): attaches the waiting record to the caller's records (a new id when the
 * caller has none; this GET carries the SameSite=Lax cookie), then 303 to / with the
 * upload's flash: ok, limit (USER_LIMIT reached: the record is dropped) or error (no
 * such claim: unknown, used or expired). Keys have no claims. */
static enum err claim(struct req *r, const char *token)
{
	struct ident id;
	struct db *db = NULL;
	enum err e;

	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)))
		return e;
	if (id.is_key)
		return req_fail(r, ERR_BAD_FIELD, "claim: API keys have no claims");
	e = rec_claim(db, token, id.user_id, conf_int("user_limit"), conf_int("claim_seconds"));
	if (e == ERR_NOT_FOUND)
		log_info("claim refused: unknown, used or expired");
	else if (e && e != ERR_USER_LIMIT)
		return e;
	return page_redirect(r, page_upload_flash(e));
}

/* The page or {"records": [...], "count", "user_limit", "limit", "offset",
 * "max_upload_bytes", "max_pixels"} (limit and offset: this listing's page), newest
 * first. Query: limit 1..1000 (default 100), offset >= 0, flash (a fixed code). A key
 * is counted against its per-minute rate. */
static enum err page(struct req *r)
{
	struct record *recs = NULL;
	struct json_object *o, *arr;
	struct buf b = { 0 };
	struct ident id;
	struct db *db = NULL;
	long limit, offset, used = 0;
	int n = 0, i;
	enum err e;

	if (fields_get(&r->query, "claim"))
		return claim(r, fields_get(&r->query, "claim")->value);
	if (!query_long(r, "limit", 1, 1000, 100, &limit))
		return req_fail(r, ERR_BAD_FIELD, "limit: expected 1..1000");
	if (!query_long(r, "offset", 0, 1000000000, 0, &offset))
		return req_fail(r, ERR_BAD_FIELD, "offset: expected 0 or more");
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)) || (e = quota_charge(r, db, &id, 0)) ||
	    (e = rec_count(db, id.user_id, &used)) ||
	    (e = rec_list(db, id.user_id, limit, offset, &recs, &n)))
		goto out;
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Vary", "Accept, Cookie, X-Api-Key");
	if (req_wants_json(r)) {
		o = json_object_new_object();
		arr = json_object_new_array();
		for (i = 0; o && arr && i < n; i++)
			json_object_array_add(arr, page_record_json(&recs[i]));
		json_object_object_add(o, "records", arr);
		json_object_object_add(o, "count", json_object_new_int64(used));
		json_object_object_add(o, "user_limit", json_object_new_int64(conf_int("user_limit")));
		json_object_object_add(o, "limit", json_object_new_int64(limit));
		json_object_object_add(o, "offset", json_object_new_int64(offset));
		json_object_object_add(o, "max_upload_bytes", json_object_new_int64(conf_int("max_upload_bytes")));
		json_object_object_add(o, "max_pixels", json_object_new_int64(conf_int("max_pixels")));
		e = resp_json(r, 200, o);
		goto out;
	}
	if ((e = page_render(&b, fields_get(&r->query, "flash") ? fields_get(&r->query, "flash")->value : NULL,
	                     recs, n, used, conf_int("user_limit"))))
		goto out;
	page_headers(r);
	e = resp_html(r, 200, &b);
out:
	buf_free(&b);
	rec_list_free(recs, n);
	return e;
}

static enum err w_page(struct req *r)
{
	return quota_serve(r, page);
}

static const struct route routes[] = {
	{ "GET", "/", w_page },
};

int main(void)
{
	return app_main("index", routes, sizeof routes / sizeof routes[0]);
}
