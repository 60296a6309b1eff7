/* update.c: PUT /update/ID (rename, JSON, the original page's shape) and POST /update/ID
 * (rename, or re-render with new processing options, from a form). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "conf.h"
#include "log.h"
#include "mp.h"
#include "page.h"
#include "quota.h"
#include "rec_make.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* The caller, who must own the request: a key, or a cookie from our own origin. The
 * caller charges it (quota_charge). */
static enum err caller(struct req *r, struct db **db, struct ident *id)
{
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such record");
	if ((e = store_db(db)) || (e = ident_get(r, *db, id)))
		return e;
	if (!id->is_key && !req_same_origin(r))
		return req_fail(r, ERR_FORBIDDEN, "a change needs a same-origin Origin or Referer");
	return ERR_OK;
}

/* Renames to the validated copy of name. */
static enum err rename_to(struct req *r, struct db *db, const char *user, const char *name, size_t len)
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
	struct db *db = NULL;
	const char *body;
	size_t len;
	enum err e;

	if ((e = caller(r, &db, &id)) || (e = quota_charge(r, db, &id, 0)) || (e = req_body(r, &body, &len)))
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

/* The stored images a re-render starts from, owned here. */
struct stored {
	struct rec_image img[REC__MAX];
	void *data[REC__MAX];
};

static void stored_free(struct stored *s)
{
	int k;

	for (k = 0; k < REC__MAX; k++)
		free(s->data[k]);
}

/* Reads image kind of the record into s (absent: left empty unless required). */
static enum err stored_get(struct db *db, const char *user, const char *id, enum rec_kind kind,
                           int required, struct stored *s)
{
	char *name = NULL;
	enum err e = rec_image(db, user, id, kind, &s->img[kind], &s->data[kind], &name);

	free(name);
	if (e == ERR_NOT_FOUND && !required) {
		memset(&s->img[kind], 0, sizeof s->img[kind]);
		return ERR_OK;
	}
	return e;
}

/*
 * Re-renders the caller's record from its stored original with the options of fs over
 * the stored ones (rec_make), then replaces the record's result in one transaction
 * (the previous version stays until then; nothing is charged against USER_LIMIT), or
 * with save_as_new=1 stores a new record (USER_LIMIT applies). A key is charged one
 * image, given back when it fails. JSON: the record as GET / lists it (200, or 201 with
 * a Location for a new one). A form: 303 to /?flash=saved#rec-ID, or the error's flash.
 */
static enum err rerender(struct req *r, struct db *db, const struct ident *id, const struct fields *fs)
{
	const struct field *sn = fields_get(fs, "save_as_new");
	struct record rec = { 0 };
	struct stored st = { 0 };
	struct rec_made m = { 0 };
	struct rec_base base = { 0 };
	long limit = conf_int("user_limit");
	char loc[64];
	int as_new = 0, charged = 0;
	enum err e;

	if (sn && (sn->filename || fields_count(fs, "save_as_new") > 1 || !str_to_bool(sn->value, &as_new))) {
		e = req_fail(r, ERR_BAD_FIELD, "save_as_new: expected 1 or 0");
		goto done;
	}
	if ((e = quota_charge(r, db, id, 1)))
		goto out;
	charged = 1;
	if ((e = rec_get(db, id->user_id, r->params[0], &rec)) ||
	    (e = stored_get(db, id->user_id, rec.id, REC_ORIGINAL, 1, &st)) ||
	    (e = stored_get(db, id->user_id, rec.id, REC_CUTOUT, 0, &st)) ||
	    (e = stored_get(db, id->user_id, rec.id, REC_BACKGROUND, 0, &st)) ||
	    (e = stored_get(db, id->user_id, rec.id, REC_OPINION, 0, &st))) {
		if (e == ERR_NOT_FOUND)
			req_fail(r, e, "no such record");
		goto done;
	}
	base.rec = &rec;
	base.original = &st.img[REC_ORIGINAL];
	base.cutout = st.data[REC_CUTOUT] ? &st.img[REC_CUTOUT] : NULL;
	base.background = st.data[REC_BACKGROUND] ? &st.img[REC_BACKGROUND] : NULL;
	base.opinion = st.data[REC_OPINION] ? &st.img[REC_OPINION] : NULL;
	if ((e = rec_make(r, fs, &base, &m)))
		goto done;
	if (as_new) {
		if (!str_random_id(m.rec.id)) {
			e = ERR_INTERNAL;
			goto done;
		}
		rec_now(m.rec.created_on);
		if ((e = rec_insert(db, id->user_id, limit, &m.rec, m.options_json, m.img)) == ERR_USER_LIMIT)
			req_fail(r, e, "%ld of %ld records are stored: delete one to save another", limit, limit);
	} else {
		e = rec_replace(db, id->user_id, &m.rec, m.options_json, m.img);
		if (e == ERR_NOT_FOUND)
			req_fail(r, e, "no such record (it was deleted meanwhile)");
	}
done:
	if (e && charged)
		quota_give_back(db, id, 1);
	if (!e)
		resp_cutout_engine(r, m.res.engine);
	if (!req_wants_json(r)) {
		if (e)
			log_info("re-render from a form failed: %s%s%s", err_code(e), *r->detail ? ": " : "", r->detail);
		e = page_redirect_rec(r, e ? page_upload_flash(e) : "saved",
		                      e && as_new ? NULL : (!e ? m.rec.id : r->params[0]));
	} else if (!e) {
		if (as_new) {
			snprintf(loc, sizeof loc, "/image/%s/processed", m.rec.id);
			resp_header(r, "Location", "%s", loc);
		}
		e = resp_json(r, as_new ? 201 : 200, page_record_json(&m.rec));
	}
out:
	rec_made_free(&m);
	stored_free(&st);
	rec_free(&rec);
	return e;
}

/* 1 when fs holds nothing but the name: a rename. */
static int rename_only(const struct fields *fs)
{
	int i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].name, "name"))
			return 0;
	return 1;
}

/* POST name=... (a form without JavaScript) -> 303 /?flash=renamed; POST with any
 * processing option -> a re-render. */
static enum err post(struct req *r)
{
	struct fields *fs = calloc(1, sizeof *fs);
	const struct field *f;
	struct ident id;
	struct db *db = NULL;
	enum err e;

	if (!fs)
		return ERR_NOMEM;
	if ((e = caller(r, &db, &id)) || (e = form_read(r, fs)))
		goto out;
	if (!rename_only(fs)) {
		e = rerender(r, db, &id, fs);
		goto out;
	}
	if ((e = quota_charge(r, db, &id, 0)))
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
