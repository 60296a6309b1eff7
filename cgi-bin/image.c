/* image.c: GET /image/ID/original|processed|thumb, the stored bytes, owner only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "page.h"
#include "records.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* 1 when If-None-Match lists our strong ETag (or "*"). */
static int not_modified(const char *inm, const char *etag)
{
	const char *p = inm;
	size_t el = strlen(etag);

	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (!strncmp(p, etag, el) && (p[el] == '\0' || p[el] == ',' || p[el] == ' '))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

/* The bytes with our detected type, a strong ETag (304 on If-None-Match), immutable
 * caching, nosniff, a CSP without scripts, and a Content-Disposition naming the record
 * (inline, or attachment with ?download=1). Another user's record is 404. */
static enum err image(struct req *r)
{
	const struct field *dl = fields_get(&r->query, "download");
	enum rec_kind kind = rec_kind_from_name(r->params[1]);
	struct rec_image img;
	struct buf utf8 = { 0 };
	struct ident id;
	sqlite3 *db = NULL;
	char etag[40], ascii[128], *name = NULL;
	const char *inm;
	void *data = NULL;
	enum err e;

	if (!str_is_id(r->params[0]) || kind == REC__MAX)
		return req_fail(r, ERR_NOT_FOUND, "no such image");
	if (dl && strcmp(dl->value, "1") && strcmp(dl->value, "0"))
		return req_fail(r, ERR_BAD_FIELD, "download: expected 0 or 1");
	if ((e = store_db(&db)) || (e = ident_get(r, db, &id)) ||
	    (e = rec_image(db, id.user_id, r->params[0], kind, &img, &data, &name)))
		goto out;
	snprintf(etag, sizeof etag, "\"%s\"", img.etag);
	resp_header(r, "ETag", "%s", etag);
	resp_header(r, "Cache-Control", "private, max-age=31536000, immutable");
	resp_header(r, "Vary", "Cookie, X-Api-Key");
	if ((inm = req_header(r, "If-None-Match")) && not_modified(inm, etag)) {
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
