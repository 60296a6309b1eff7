/* image.c: GET /image/ID/KIND (original, processed, thumb, original_thumb, cutout,
 * background), the stored bytes, owner only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "page.h"
#include "render.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* Makes and stores the original_thumb of a record from before there was one. */
static enum err original_thumb(struct db *db, const char *user, const char *id)
{
	struct img_limits lim;
	struct img_result th = { 0 };
	struct rec_image img;
	char *name = NULL;
	void *data = NULL;
	enum err e;

	render_limits(&lim);
	if ((e = rec_image(db, user, id, REC_ORIGINAL, &img, &data, &name)) ||
	    (e = img_thumb(img.data, img.len, &lim, (int)conf_int("thumb_size"), &th)))
		goto out;
	img = (struct rec_image){ .type = th.mime, .data = th.data, .len = th.len,
	                          .width = th.width, .height = th.height };
	e = rec_image_add(db, user, id, REC_ORIGINAL_THUMB, &img);
out:
	img_result_free(&th);
	free(data);
	free(name);
	return e;
}

/* The bytes with our detected type, a strong ETag (304 on If-None-Match), caching
 * (immutable for the original and its thumbnail, and for a URL with the record's
 * version, ?v=, as the listing gives; the others change when the record is re-rendered,
 * so they are revalidated), nosniff, a CSP without scripts, and a Content-Disposition naming the record
 * (inline, or attachment with ?download=1). Another user's record is 404. */
static enum err image(struct req *r)
{
	const struct field *dl = fields_get(&r->query, "download");
	enum rec_kind kind = rec_kind_from_name(r->params[1]);
	struct rec_image img;
	struct buf utf8 = { 0 };
	struct ident id;
	struct db *db = NULL;
	char etag[40], ascii[128], *name = NULL;
	const char *inm;
	void *data = NULL;
	enum err e;

	if (!str_is_id(r->params[0]) || kind == REC__MAX || kind == REC_OPINION)
		return req_fail(r, ERR_NOT_FOUND, "no such image");
	if (dl && strcmp(dl->value, "1") && strcmp(dl->value, "0"))
		return req_fail(r, ERR_BAD_FIELD, "download: expected 0 or 1");
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)))
		goto out;
	e = rec_image(db, id.user_id, r->params[0], kind, &img, &data, &name);
	if (e == ERR_NOT_FOUND && kind == REC_ORIGINAL_THUMB &&
	    !(e = original_thumb(db, id.user_id, r->params[0])))
		e = rec_image(db, id.user_id, r->params[0], kind, &img, &data, &name);
	if (e)
		goto out;
	snprintf(etag, sizeof etag, "\"%s\"", img.etag);
	resp_header(r, "ETag", "%s", etag);
	resp_header(r, "Cache-Control", "%s", kind == REC_ORIGINAL || kind == REC_ORIGINAL_THUMB ||
	            fields_get(&r->query, "v") ? "private, max-age=31536000, immutable" : "private, no-cache");
	resp_header(r, "Vary", "Cookie, X-Api-Key");
	if ((inm = req_header(r, "If-None-Match")) && req_etag_match(inm, etag)) {
		r->status = 304;
		r->done = 1;
		goto out;
	}
	if ((e = page_filename(name, kind, img.type, ascii, sizeof ascii, &utf8)))
		goto out;
	resp_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	resp_header(r, "Content-Disposition", "%s; filename=\"%s\"; filename*=UTF-8''%s",
	            dl && !strcmp(dl->value, "1") ? "attachment" : "inline", ascii, utf8.data ? utf8.data : "");
	e = resp_body(r, 200, img.type, img.data, img.len);
out:
	buf_free(&utf8);
	free(data);
	free(name);
	return e;
}

static const struct route routes[] = {
	{ "GET", "/image/*/*", image },
};

int main(void)
{
	return app_main("image", routes, sizeof routes / sizeof routes[0]);
}
