/* page.c: the records page in HTML, records as JSON, flash messages, download names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "html.h"
#include "img.h"
#include "page.h"
#include "resp.h"
#include "str.h"

static const struct {
	const char *code, *msg, *kind;
} flashes[] = {
	{ "ok",      "Image generated successfully",               "ok" },
	{ "failed",  "Failed to generate the image",               "bad" },
	{ "limit",   "Max limit reached. Please remove a record.", "bad" },
	{ "error",   "Something went wrong",                       "bad" },
	{ "renamed", "Record renamed",                             "ok" },
	{ "removed", "Record deleted",                             "ok" },
};

static int flash_index(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof flashes / sizeof flashes[0]; i++)
		if (!strcmp(code, flashes[i].code))
			return (int)i;
	return -1;
}

const char *page_flash(const char *code)
{
	int i = flash_index(code);

	return i < 0 ? NULL : flashes[i].msg;
}

const char *page_upload_flash(enum err e)
{
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_USER_LIMIT: return "limit";
	case ERR_UNSUPPORTED: case ERR_CORRUPT: case ERR_TOO_MANY_PIXELS: case ERR_TOO_LARGE:
		return "failed";
	default: return "error";
	}
}

enum err page_redirect(struct req *r, const char *code)
{
	char loc[32];

	if (flash_index(code) < 0)
		return ERR_INTERNAL;
	snprintf(loc, sizeof loc, "/?flash=%s", code);
	return resp_redirect(r, loc);
}

struct json_object *page_record_json(const struct record *rec)
{
	struct json_object *o = json_object_new_object(), *sizes = json_object_new_object(),
	                   *urls = json_object_new_object();
	char url[64];
	int k;

	if (!o || !sizes || !urls) {
		json_object_put(o);
		json_object_put(sizes);
		json_object_put(urls);
		return NULL;
	}
	json_object_object_add(o, "id", json_object_new_string(rec->id));
	json_object_object_add(o, "image_name", json_object_new_string(rec->name));
	json_object_object_add(o, "created_on", json_object_new_string(rec->created_on));
	json_object_object_add(o, "width", json_object_new_int(rec->width));
	json_object_object_add(o, "height", json_object_new_int(rec->height));
	for (k = 0; k < REC__MAX; k++) {
		snprintf(url, sizeof url, "/image/%s/%s", rec->id, rec_kind_name((enum rec_kind)k));
		json_object_object_add(sizes, rec_kind_name((enum rec_kind)k), json_object_new_int64(rec->bytes[k]));
		json_object_object_add(urls, rec_kind_name((enum rec_kind)k), json_object_new_string(url));
	}
	json_object_object_add(o, "sizes", sizes);
	json_object_object_add(o, "urls", urls);
	return o;
}

static const char head[] =
	"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>Backdrop: remove and replace photo backgrounds</title>\n"
	"<link rel=\"stylesheet\" href=\"/style.css\">\n"
	"<script src=\"/app.js\" defer></script>\n</head>\n<body>\n"
	"<header><h1>Backdrop</h1><p>Remove or replace the background of a photo. "
	"<a href=\"/filter.html\">Color filter (webcam)</a></p></header>\n<main>\n";

static const char form[] =
	"<section class=\"upload\">\n<h2>New image</h2>\n"
	"<form method=\"post\" action=\"/\" enctype=\"multipart/form-data\">\n"
	"<label>Image <input type=\"file\" name=\"image\" accept=\"image/*\" required></label>\n"
	"<label>Name <input type=\"text\" name=\"name\" maxlength=\"200\" required placeholder=\"My photo\"></label>\n"
	"<fieldset><legend>Processing</legend>\n"
	"<label>Result <select name=\"mode\">"
	"<option value=\"remove\">Cut out (transparent background)</option>"
	"<option value=\"change\">Change the background</option>"
	"<option value=\"filter\">Color filter only</option></select></label>\n"
	"<label>Background color <select name=\"bg_color\"><option value=\"\">none</option>"
	"<option value=\"white\">white</option><option value=\"black\">black</option>"
	"<option value=\"#9ca3af\">gray</option><option value=\"#2563eb\">blue</option>"
	"<option value=\"#16a34a\">green</option><option value=\"#dc2626\">red</option>"
	"<option value=\"#facc15\">yellow</option></select></label>\n"
	"<label>Background image <input type=\"file\" name=\"bg_image_file\" accept=\"image/*\"></label>\n"
	"<label>Filter <select name=\"filter\"><option value=\"\">none</option>"
	"<option value=\"grayscale\">grayscale</option><option value=\"sepia\">sepia</option>"
	"<option value=\"invert\">invert</option><option value=\"red\">red only</option>"
	"<option value=\"green\">green only</option><option value=\"blue\">blue only</option>"
	"<option value=\"no_red\">no red</option><option value=\"no_green\">no green</option>"
	"<option value=\"no_blue\">no blue</option></select></label>\n"
	"</fieldset>\n<button type=\"submit\">Upload and process</button>\n</form>\n</section>\n";

/* Appends one record's list item. */
static enum err item(struct buf *b, const struct record *rec)
{
	const char *id = rec->id;   /* validated hex: safe anywhere, escaped anyway */
	enum err e = ERR_OK;

#define A(s) if (!e) e = buf_adds(b, s)
#define T(s) if (!e) e = html_text(b, s)
#define AT(s) if (!e) e = html_attr(b, s)
	A("<li class=\"record\" data-id=\""); AT(id); A("\">\n<div class=\"pair\">");
	A("<figure><a href=\"/image/"); AT(id); A("/original\"><img src=\"/image/"); AT(id);
	A("/original\" alt=\"Original\" loading=\"lazy\"></a><figcaption>Original</figcaption></figure>");
	A("<figure><a class=\"checker\" href=\"/image/"); AT(id); A("/processed\"><img src=\"/image/"); AT(id);
	A("/thumb\" alt=\"Result\" loading=\"lazy\"></a><figcaption>Result</figcaption></figure></div>\n");
	A("<div class=\"meta\"><h3 class=\"name\">"); T(rec->name); A("</h3>\n<p class=\"when\"><time>");
	T(rec->created_on); A("</time>");
	if (!e)
		e = buf_printf(b, " &middot; %d &times; %d px</p>\n", rec->width, rec->height);
	A("<p class=\"links\"><a href=\"/image/"); AT(id); A("/processed?download=1\">Download result</a> ");
	A("<a href=\"/image/"); AT(id); A("/original?download=1\">Download original</a></p>\n");
	A("<form class=\"rename\" method=\"post\" action=\"/update/"); AT(id);
	A("\"><input type=\"text\" name=\"name\" maxlength=\"200\" required aria-label=\"New name\" value=\"");
	AT(rec->name); A("\"><button type=\"submit\">Rename</button></form>\n");
	A("<form class=\"remove\" method=\"post\" action=\"/remove/"); AT(id);
	A("\"><button type=\"submit\" class=\"danger\">Delete</button></form>\n</div>\n</li>\n");
#undef A
#undef T
#undef AT
	return e;
}

/* Appends the page's end: the Source link every page carries (AGPL-3.0 section 13:
 * network users are offered the running version's source), from the source_url
 * setting; request-independent, escaped like any other attribute value. */
static enum err tail(struct buf *b)
{
	const char *url = conf_str("source_url");
	enum err e;

	if (!*url)
		url = "/source.tar.gz";   /* what nginx serves from the build */
	if ((e = buf_adds(b, "<footer class=\"links\"><a href=\"")) || (e = html_attr(b, url)) ||
	    (e = buf_adds(b, "\">Source</a> (AGPL-3.0-or-later)</footer>\n")))
		return e;
	return buf_adds(b, "</main>\n</body>\n</html>\n");
}

enum err page_render(struct buf *b, const char *flash_code, const struct record *recs, int n,
                     long used, long limit)
{
	int i = flash_index(flash_code);
	enum err e;

	if ((e = buf_adds(b, head)))
		return e;
	if (i >= 0 && ((e = buf_printf(b, "<p class=\"flash flash-%s\" role=\"status\">", flashes[i].kind)) ||
	               (e = html_text(b, flashes[i].msg)) || (e = buf_adds(b, "</p>\n"))))
		return e;
	if ((e = buf_adds(b, form)) ||
	    (e = buf_printf(b, "<section class=\"records\">\n<h2>Your images <span class=\"usage\">"
	                    "%ld of %ld used</span></h2>\n", used, limit)))
		return e;
	if (n == 0) {
		if ((e = buf_adds(b, "<p class=\"empty\">No images yet. Upload one above.</p>\n</section>\n")))
			return e;
		return tail(b);
	}
	if ((e = buf_adds(b, "<ul class=\"list\">\n")))
		return e;
	for (i = 0; i < n; i++)
		if ((e = item(b, &recs[i])))
			return e;
	if ((e = buf_adds(b, "</ul>\n</section>\n")))
		return e;
	return tail(b);
}

/* The file extension of a MIME type we produce. */
static const char *ext_of(const char *type)
{
	int f;

	for (f = 1; f < IMG_FMT__MAX; f++)
		if (!strcmp(type, img_fmt_mime((enum img_fmt)f)))
			return img_fmt_ext((enum img_fmt)f);
	return "bin";
}

enum err page_filename(const char *name, enum rec_kind kind, const char *type,
                       char *ascii, size_t n, struct buf *utf8)
{
	static const char *const suffix[REC__MAX] = { "-original", "", "-thumb" };
	const char *ext = ext_of(type);
	size_t j = 0, room;
	const char *p;
	char full[64], *safe;
	enum err e;

	/* Controls and bidi overrides never reach either name (RFC 8187 would carry them). */
	if (!(safe = str_strip_unsafe(name)))
		return ERR_NOMEM;
	room = n > 64 ? 48 : n / 2;
	for (p = safe; *p && j < room; p++) {
		unsigned char c = (unsigned char)*p;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		           c == '-' || c == '.';
		if (c >= 0x80 && (c & 0xc0) == 0x80)
			continue;   /* one '_' per non-ASCII character */
		if (!keep && j > 0 && ascii[j - 1] == '_')
			continue;
		if (!keep && j == 0)
			continue;
		if (c == '.' && j == 0)
			continue;
		ascii[j++] = keep ? (char)c : '_';
	}
	while (j > 0 && (ascii[j - 1] == '_' || ascii[j - 1] == '.'))
		j--;
	ascii[j] = '\0';
	if (!j)
		snprintf(ascii, n, "image");
	snprintf(full, sizeof full, "%s.%s", suffix[kind < REC__MAX ? kind : 0], ext);
	if (strlen(ascii) + strlen(full) < n)
		strcat(ascii, full);
	utf8->len = 0;
	if (!(e = html_url(utf8, *safe ? safe : "image")))
		e = html_url(utf8, full);
	free(safe);
	return e;
}
