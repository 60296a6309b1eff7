/* update.c: PUT /update/ID (JSON, the original page's shape) and POST /update/ID (form). */
#include <string.h>
#include <stdlib.h>
#include "mp.h"
#include "page.h"
#include "quota.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* The caller, who must own the request: a key (counted against its per-minute rate),
 * or a cookie from our own origin. */
static enum err caller(struct req *r, sqlite3 **db, struct ident *id)
{
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such record");
	if ((e = store_db(db)) || (e = ident_get(r, *db, id)) || (e = quota_charge(r, *db, id, 0)))
		return e;
	if (!id->is_key && !req_same_origin(r))
		return req_fail(r, ERR_FORBIDDEN, "rename needs a same-origin Origin or Referer");
	return ERR_OK;
}

/* Renames to the validated copy of name. */
static enum err rename_to(struct req *r, sqlite3 *db, const char *user, const char *name, size_t len)
{
	const char *why = NULL;
	char *s;
	enum err e;

	if (strlen(name) != len)
		return req_fail(r, ERR_BAD_FIELD, "name: control characters are not allowed");
	if (!(s = strdup(name)))
		return ERR_NOMEM;
	if ((e = rec_name_check(s, &why)))
		e = req_fail(r, e, "%s", why);
	else
		e = rec_rename(db, user, r->params[0], s);
	free(s);
	return e;
}

/* PUT {"record_name": "..."} (a "record_id" must match the path) -> {"message": "success"}. */
static enum err put(struct req *r)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL, *v;
	struct ident id;
	sqlite3 *db = NULL;
	const char *body;
	size_t len;
	enum err e;

	if ((e = caller(r, &db, &id)) || (e = req_body(r, &body, &len)))
		return e;
	if (len > LIM_JSON_BYTES)
		return req_fail(r, ERR_TOO_LARGE, "a JSON body is at most %d bytes", LIM_JSON_BYTES);
	if (!(tok = json_tokener_new_ex(LIM_JSON_DEPTH)))
		return ERR_NOMEM;
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
		e = req_fail(r, ERR_BAD_JSON, "expected a JSON object");
		goto out;
	}
	if (json_object_object_get_ex(o, "record_id", &v) &&
	    (!json_object_is_type(v, json_type_string) || strcmp(json_object_get_string(v), r->params[0]))) {
		e = req_fail(r, ERR_BAD_FIELD, "record_id: does not match the path");
		goto out;
	}
	if (!json_object_object_get_ex(o, "record_name", &v) || !json_object_is_type(v, json_type_string)) {
		e = req_fail(r, ERR_MISSING_FIELD, "record_name: a string is required");
		goto out;
	}
	if ((e = rename_to(r, db, id.user_id, json_object_get_string(v), (size_t)json_object_get_string_len(v))))
		goto out;
	o = (json_object_put(o), NULL);
	v = json_object_new_object();
	json_object_object_add(v, "message", json_object_new_string("success"));
	e = resp_json(r, 200, v);
out:
	json_object_put(o);
	json_tokener_free(tok);
	return e;
}

/* POST name=... (a form without JavaScript) -> 303 /?flash=renamed. */
static enum err post(struct req *r)
{
	struct fields *fs = calloc(1, sizeof *fs);
	const struct field *f;
	struct ident id;
	sqlite3 *db = NULL;
	enum err e;

	if (!fs)
		return ERR_NOMEM;
	if ((e = caller(r, &db, &id)) || (e = form_read(r, fs)))
		goto out;
	if (!(f = fields_get(fs, "name")) || fields_count(fs, "name") > 1 || f->filename)
		e = req_fail(r, ERR_MISSING_FIELD, "name: one text field is required");
	else
		e = rename_to(r, db, id.user_id, f->value, f->len);
	if (!req_wants_json(r) && e != ERR_FORBIDDEN)
		e = page_redirect(r, e ? "error" : "renamed");
	else if (!e) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "message", json_object_new_string("success"));
		e = resp_json(r, 200, o);
	}
out:
	fields_free(fs);
	free(fs);
	return e;
}

static enum err w_put(struct req *r)
{
	return quota_serve(r, put);
}

static enum err w_post(struct req *r)
{
	return quota_serve(r, post);
}

static const struct route routes[] = {
	{ "PUT", "/update/*", w_put },
	{ "POST", "/update/*", w_post },
};

int main(void)
{
	return app_main("update", routes, sizeof routes / sizeof routes[0]);
}
