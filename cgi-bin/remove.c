/* remove.c: DELETE /remove/ID (the original page's shape), POST /remove/ID (form) and
 * GET /remove/ID (the page that asks first, for a browser without JavaScript). */
#include "page.h"
#include "quota.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* Removes the caller's record (one transaction). Needs a key (counted against its
 * per-minute rate; the image it was charged is not given back), or a cookie from our own
 * origin. */
static enum err remove_one(struct req *r)
{
	struct ident id;
	struct db *db = NULL;
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such record");
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)) || (e = quota_charge(r, db, &id, 0)))
		return e;
	if (!id.is_key && !req_same_origin(r))
		return req_fail(r, ERR_FORBIDDEN, "delete needs a same-origin Origin or Referer");
	return rec_remove(db, id.user_id, r->params[0]);
}

static enum err success(struct req *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "message", json_object_new_string("success"));
	return resp_json(r, 200, o);
}

/* DELETE -> {"message": "success"}. */
static enum err del(struct req *r)
{
	enum err e = remove_one(r);

	return e ? e : success(r);
}

/* POST (a form without JavaScript) -> 303 /?flash=removed. */
static enum err post(struct req *r)
{
	enum err e = remove_one(r);

	if (req_wants_json(r) || e == ERR_FORBIDDEN)
		return e ? e : success(r);
	return page_redirect(r, e ? "error" : "removed");
}

/* GET -> the confirmation page of the caller's record (404 for any other). */
static enum err confirm(struct req *r)
{
	struct record rec = { 0 };
	struct buf b = { 0 };
	struct ident id;
	struct db *db = NULL;
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such record");
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)) || (e = quota_charge(r, db, &id, 0)) ||
	    (e = rec_get(db, id.user_id, r->params[0], &rec)) || (e = page_confirm_remove(&b, &rec)))
		goto out;
	resp_header(r, "Cache-Control", "no-store");
	page_headers(r);
	e = resp_html(r, 200, &b);
out:
	buf_free(&b);
	rec_free(&rec);
	return e;
}

static enum err w_confirm(struct req *r)
{
	return quota_serve(r, confirm);
}

static enum err w_del(struct req *r)
{
	return quota_serve(r, del);
}

static enum err w_post(struct req *r)
{
	return quota_serve(r, post);
}

static const struct route routes[] = {
	{ "DELETE", "/remove/*", w_del },
	{ "POST", "/remove/*", w_post },
	{ "GET", "/remove/*", w_confirm },
};

int main(void)
{
	return app_main("remove", routes, sizeof routes / sizeof routes[0]);
}
