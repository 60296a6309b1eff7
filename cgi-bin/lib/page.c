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

/* The flash codes and their messages; a message naming a limit ("%s") gets it from
 * the settings (page_flash). */
static const struct {
	const char *code, *msg, *kind;
} flashes[] = {
	{ "ok",      "Image generated successfully",               "ok" },
	{ "failed",  "Failed to generate the image",               "bad" },
	{ "limit",   "Max limit reached. Please remove a record.", "bad" },
	{ "error",   "Something went wrong",                       "bad" },
	{ "renamed", "Record renamed",                             "ok" },
	{ "removed", "Record deleted",                             "ok" },
	{ "saved",   "Saved",                                      "ok" },
	{ "not_image", "That file is not an image. Choose a photo.", "bad" },
	{ "unsupported", "That image format is not supported. Use JPEG, PNG, WebP, GIF, BMP, "
	                 "TIFF, AVIF or HEIC.", "bad" },
	{ "corrupt", "That image file is damaged or incomplete.",  "bad" },
	{ "too_large", "That file is too large: the limit is %s.", "bad" },
	{ "too_many_pixels", "That image has too many pixels: the limit is %s.", "bad" },
	{ "fetch",   "The image at that address could not be downloaded.", "bad" },
	{ "invalid", "One of the choices is not valid. Please check them and try again.", "bad" },
	{ "busy",    "The server is busy. Please try again in a moment.", "bad" },
};

#define NFLASH (sizeof flashes / sizeof flashes[0])

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
	/* Settings, not request data: filled once per process (conf is loaded at start). */
	static char said[NFLASH][160];
	char lim[40];
	int i = flash_index(code);

	if (i < 0)
		return NULL;
	if (!strstr(flashes[i].msg, "%s"))
		return flashes[i].msg;
	if (!said[i][0]) {
		if (!strcmp(flashes[i].code, "too_large"))
			snprintf(lim, sizeof lim, "%ld MB", conf_int("max_upload_bytes") >> 20);
		else
			snprintf(lim, sizeof lim, "%.0f megapixels", (double)conf_int("max_pixels") / 1e6);
		snprintf(said[i], sizeof said[i], flashes[i].msg, lim);
	}
	return said[i];
}

const char *page_upload_flash(enum err e)
{
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_USER_LIMIT: return "limit";
	case ERR_NOT_IMAGE: return "not_image";
	case ERR_UNSUPPORTED: return "unsupported";
	case ERR_CORRUPT: return "corrupt";
	case ERR_TOO_LARGE: return "too_large";
	case ERR_TOO_MANY_PIXELS: return "too_many_pixels";
	case ERR_FETCH: case ERR_FETCH_BLOCKED: return "fetch";
	case ERR_BAD_FIELD: case ERR_MISSING_FIELD: return "invalid";
	case ERR_STORE_BUSY: case ERR_RATE: case ERR_UPSTREAM: return "busy";
	default: return "error";
	}
}

enum err page_redirect(struct req *r, const char *code)
{
	return page_redirect_rec(r, code, NULL);
}

enum err page_redirect_rec(struct req *r, const char *code, const char *id)
{
	char loc[96];

	if (flash_index(code) < 0 || (id && !str_is_id(id)))
		return ERR_INTERNAL;
	snprintf(loc, sizeof loc, "/?flash=%s%s%s", code, id ? "#rec-" : "", id ? id : "");
	return resp_redirect(r, loc);
}

struct json_object *page_record_json(const struct record *rec)
{
	struct json_object *o = json_object_new_object(), *sizes = json_object_new_object(),
	                   *urls = json_object_new_object(), *opts = NULL;
	char url[96];
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
	json_object_object_add(o, "version", json_object_new_string(rec->version));
	/* original_thumb is listed always (the image program makes a missing one); cutout
	 * and background only when the record has them. */
	for (k = 0; k < REC__MAX; k++) {
		if ((!rec->bytes[k] && (k == REC_CUTOUT || k == REC_BACKGROUND)) || k == REC_OPINION)
			continue;
		/* The result's images change with a re-render: their URLs carry the version. */
		snprintf(url, sizeof url, "/image/%s/%s%s%s", rec->id, rec_kind_name((enum rec_kind)k),
		         k == REC_ORIGINAL || k == REC_ORIGINAL_THUMB || !*rec->version ? "" : "?v=",
		         k == REC_ORIGINAL || k == REC_ORIGINAL_THUMB ? "" : rec->version);
		json_object_object_add(sizes, rec_kind_name((enum rec_kind)k), json_object_new_int64(rec->bytes[k]));
		json_object_object_add(urls, rec_kind_name((enum rec_kind)k), json_object_new_string(url));
	}
	json_object_object_add(o, "sizes", sizes);
	json_object_object_add(o, "urls", urls);
	/* The options as stored (our own JSON text, a flat object of strings). */
	if (rec->options)
		opts = json_tokener_parse(rec->options);
	if (!json_object_is_type(opts, json_type_object)) {
		json_object_put(opts);
		opts = json_object_new_object();
	}
	json_object_object_add(o, "options", opts);
	return o;
}

/* The top of every page index renders: the bar with the brand and the main links. */
static const char head[] =
	"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>Backdrop: remove and replace photo backgrounds</title>\n"
	"<meta name=\"description\" content=\"Remove the background of a photo, or put it on a new one.\">\n"
	"<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
	"<link rel=\"stylesheet\" href=\"/style.css\">\n"
	"<script src=\"/app.js\" defer></script>\n<script src=\"/editor.js\" defer></script>\n"
	"</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
	"<header class=\"bar\"><a class=\"brand\" href=\"/\"><img src=\"/favicon.svg\" alt=\"\" width=\"28\" height=\"28\">"
	"Backdrop</a>\n<nav aria-label=\"Main\"><a href=\"/#history\">Your images</a>"
	"<a href=\"/filter.html\">Webcam</a><a href=\"/docs\">API</a></nav></header>\n<main id=\"main\">\n";

/* The start: drop zone, picker, camera, URL, options, progress and status line. */
static const char start_top[] =
	"<section class=\"start\" id=\"start\" aria-labelledby=\"start-h\">\n"
	"<h1 id=\"start-h\">Remove the background of any photo</h1>\n"
	"<p class=\"lead\">A clean cutout in seconds, then any colour, picture or canvas behind it. "
	"No sign-up.</p>\n";

static const char start_form[] =
	"<div class=\"drop\" id=\"drop\">\n"
	"<div class=\"preview\" id=\"preview\" hidden><img id=\"preview-img\" alt=\"The photo you chose\">"
	"<p class=\"preview-name\" id=\"preview-name\"></p></div>\n"
	"<div class=\"drop-body\" id=\"drop-body\">\n"
	"<svg class=\"drop-icon\" viewBox=\"0 0 48 48\" aria-hidden=\"true\" focusable=\"false\"><rect x=\"6\" y=\"10\" "
	"width=\"36\" height=\"28\" rx=\"4\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"3\"/><circle cx=\"17\" "
	"cy=\"20\" r=\"4\" fill=\"currentColor\"/><path d=\"M9 35l10-10 7 7 5-5 9 8\" fill=\"none\" stroke=\"currentColor\" "
	"stroke-width=\"3\" stroke-linejoin=\"round\"/></svg>\n"
	"<label class=\"pick\" for=\"image\">Choose a photo</label>\n"
	"<input type=\"file\" id=\"image\" name=\"image\" accept=\"image/*,.heic,.heif,.avif\">\n"
	"<p class=\"hint\">or drop it anywhere on the page, or paste it with Ctrl+V</p>\n"
	"<p class=\"camera-row js-only\" hidden><label class=\"btn\" for=\"camera\">Take a photo</label>"
	"<input type=\"file\" id=\"camera\" accept=\"image/*\" capture=\"environment\" class=\"vh\">"
	"<button type=\"button\" class=\"btn\" id=\"webcam-open\">Use the webcam</button></p>\n"
	"</div>\n</div>\n"
	"<div class=\"grid fields\"><label>Or an image URL"
	"<input type=\"url\" id=\"image_url\" name=\"image_url\" placeholder=\"https://example.com/photo.jpg\" "
	"inputmode=\"url\" autocomplete=\"off\"></label>\n"
	"<label>Name <small>(optional: the file name)</small><input type=\"text\" id=\"name\" name=\"name\" "
	"maxlength=\"200\" autocomplete=\"off\"></label></div>\n"
	"<p class=\"field-error\" id=\"image-error\" role=\"alert\"></p>\n"
	"<fieldset class=\"modes\"><legend>What do you want?</legend>\n"
	"<label class=\"mode\"><input type=\"radio\" name=\"mode\" value=\"remove\" checked> <span>Cut out<small>transparent background</small></span></label>\n"
	"<label class=\"mode\"><input type=\"radio\" name=\"mode\" value=\"change\"> <span>New background<small>a colour or a picture</small></span></label>\n"
	"<label class=\"mode\"><input type=\"radio\" name=\"mode\" value=\"filter\"> <span>Colour filter<small>keep the background</small></span></label>\n"
	"</fieldset>\n"
	"<details class=\"more\" id=\"more\"><summary>More options</summary>\n<div class=\"grid\">\n"
	"<label>Background colour <select name=\"bg_color\"><option value=\"\">none</option>"
	"<option value=\"white\">white</option><option value=\"black\">black</option>"
	"<option value=\"#9ca3af\">grey</option><option value=\"#2563eb\">blue</option>"
	"<option value=\"#16a34a\">green</option><option value=\"#dc2626\">red</option>"
	"<option value=\"#facc15\">yellow</option></select></label>\n"
	"<label>Background picture <input type=\"file\" name=\"bg_image_file\" accept=\"image/*\"></label>\n"
	"<label>Filter <select name=\"filter\"><option value=\"\">none</option>"
	"<option value=\"grayscale\">grayscale</option><option value=\"sepia\">sepia</option>"
	"<option value=\"invert\">invert</option><option value=\"red\">red only</option>"
	"<option value=\"green\">green only</option><option value=\"blue\">blue only</option>"
	"<option value=\"no_red\">no red</option><option value=\"no_green\">no green</option>"
	"<option value=\"no_blue\">no blue</option></select></label>\n"
	"</div>\n</details>\n"
	"<div class=\"go-row\"><button type=\"submit\" class=\"btn primary big\" id=\"go\">Remove background</button>\n"
	"<div class=\"progress\" id=\"progress\" hidden><progress id=\"bar\" max=\"100\" value=\"0\" "
	"aria-label=\"Upload progress\"></progress><span id=\"progress-text\"></span></div></div>\n"
	"<p class=\"status\" id=\"upload-status\" role=\"status\" aria-live=\"polite\"></p>\n"
	"</form>\n</section>\n";

/* The result and the editor: filled in by app.js and editor.js (hidden without them). */
static const char work[] =
	"<section class=\"result\" id=\"result\" aria-labelledby=\"result-h\" hidden>\n"
	"<h2 id=\"result-h\" tabindex=\"-1\">Your result</h2>\n"
	"<div class=\"stage\">\n<div class=\"compare checker\" id=\"compare\">"
	"<img id=\"after\" alt=\"\"><div class=\"before\" id=\"before-clip\"><img id=\"before\" alt=\"\"></div>"
	"<input type=\"range\" id=\"split\" class=\"split\" min=\"0\" max=\"100\" value=\"50\" "
	"aria-label=\"Before and after: move to compare\"></div>\n"
	"<div class=\"side\"><p class=\"res-name\" id=\"res-name\"></p><p class=\"res-size\" id=\"res-size\"></p>"
	"<a class=\"btn primary big\" id=\"res-download\" href=\"#\" download>Download</a>"
	"<button type=\"button\" class=\"btn\" id=\"res-edit\">Edit background</button>"
	"<button type=\"button\" class=\"btn\" id=\"res-refine\">Refine the cutout</button>"
	"<a class=\"btn ghost\" href=\"#start\" id=\"res-again\">Upload another</a></div>\n"
	"</div>\n</section>\n";

/* The webcam panel of the start (JavaScript only). */
static const char webcam[] =
	"<section class=\"webcam\" id=\"webcam\" aria-labelledby=\"webcam-h\" hidden>\n"
	"<h2 id=\"webcam-h\">Webcam</h2>\n<div class=\"cam-views\">"
	"<div class=\"frame\"><video id=\"cam-video\" muted playsinline aria-label=\"Camera preview\"></video></div>"
	"<div class=\"frame checker\"><canvas id=\"cam-shot\" role=\"img\" aria-label=\"Snapshot\"></canvas></div></div>\n"
	"<div class=\"cam-controls\"><button type=\"button\" class=\"btn primary\" id=\"cam-snap\">Take snapshot</button>"
	"<label>Filter <select id=\"cam-filter\"><option value=\"none\">none</option>"
	"<option value=\"red\">red only</option><option value=\"green\">green only</option>"
	"<option value=\"blue\">blue only</option><option value=\"no_red\">no red</option>"
	"<option value=\"no_green\">no green</option><option value=\"no_blue\">no blue</option>"
	"<option value=\"grayscale\">grayscale</option><option value=\"sepia\">sepia</option>"
	"<option value=\"invert\">invert</option></select></label>"
	"<button type=\"button\" class=\"btn\" id=\"cam-use\" disabled>Use this snapshot</button>"
	"<button type=\"button\" class=\"btn ghost\" id=\"cam-close\">Close the camera</button></div>\n"
	"<p class=\"status\" id=\"cam-status\" role=\"status\" aria-live=\"polite\"></p>\n</section>\n";

/* Appends the flash message of flashes[i] (i >= 0). */
static enum err flash_html(struct buf *b, int i)
{
	enum err e;

	if ((e = buf_printf(b, "<p class=\"flash flash-%s\" role=\"status\">", flashes[i].kind)) ||
	    (e = html_text(b, page_flash(flashes[i].code))))
		return e;
	if (!strcmp(flashes[i].code, "limit") && (e = buf_adds(b, " <a href=\"#history\">Your images</a>")))
		return e;
	return buf_adds(b, "</p>\n");
}

/* Appends one record's card: both thumbnails, name, size, the actions, inline rename,
 * and an edit form that works without JavaScript. */
static enum err item(struct buf *b, const struct record *rec)
{
	const char *id = rec->id;   /* validated hex: safe anywhere, escaped anyway */
	enum err e = ERR_OK;

#define A(s) if (!e) e = buf_adds(b, s)
#define T(s) if (!e) e = html_text(b, s)
#define AT(s) if (!e) e = html_attr(b, s)
	A("<li class=\"record\" id=\"rec-"); AT(id); A("\" data-id=\""); AT(id);
	A("\" data-name=\""); AT(rec->name); A("\">\n<div class=\"pair\">");
	A("<a class=\"th\" href=\"/image/"); AT(id); A("/original\"><img src=\"/image/"); AT(id);
	A("/original_thumb\" alt=\"Original: "); AT(rec->name); A("\" loading=\"lazy\"></a>");
	A("<a class=\"th checker\" href=\"/image/"); AT(id); A("/processed?v="); AT(rec->version);
	A("\"><img src=\"/image/"); AT(id); A("/thumb?v="); AT(rec->version);
	A("\" alt=\"Result: "); AT(rec->name); A("\" loading=\"lazy\"></a></div>\n");
	A("<div class=\"meta\"><h3 class=\"name\">"); T(rec->name); A("</h3>\n<p class=\"when\"><time>");
	T(rec->created_on); A("</time>");
	if (!e)
		e = buf_printf(b, " &middot; %d &times; %d px</p>\n", rec->width, rec->height);
	A("<p class=\"acts\"><a class=\"btn primary sm\" href=\"/image/"); AT(id);
	A("/processed?download=1\">Download<span class=\"vh\"> "); T(rec->name); A("</span></a>");
	A("<a class=\"btn sm\" href=\"/image/"); AT(id); A("/original?download=1\">Original<span class=\"vh\"> of ");
	T(rec->name); A("</span></a>");
	A("<a class=\"btn danger sm\" data-remove href=\"/remove/"); AT(id); A("\">Delete<span class=\"vh\"> ");
	T(rec->name); A("</span></a></p>\n");
	A("<form class=\"rename\" method=\"post\" action=\"/update/"); AT(id);
	A("\"><label><span class=\"vh\">New name for "); T(rec->name);
	A("</span><input type=\"text\" name=\"name\" maxlength=\"200\" required value=\"");
	AT(rec->name); A("\"></label><button type=\"submit\" class=\"btn sm\">Rename<span class=\"vh\"> ");
	T(rec->name); A("</span></button></form>\n");
	A("<p class=\"note\" role=\"status\" aria-live=\"polite\"></p>\n");
	A("<details class=\"edit\"><summary class=\"btn sm\">Edit<span class=\"vh\"> "); T(rec->name);
	A("</span></summary>\n<form class=\"quick-edit\" method=\"post\" action=\"/update/"); AT(id);
	A("\">\n<input type=\"hidden\" name=\"mode\" value=\"change\">"
	  "<label>Background <select name=\"bg_color\"><option value=\"transparent\">transparent</option>"
	  "<option value=\"white\">white</option><option value=\"black\">black</option>"
	  "<option value=\"#9ca3af\">grey</option><option value=\"#2563eb\">blue</option>"
	  "<option value=\"#16a34a\">green</option><option value=\"#dc2626\">red</option>"
	  "<option value=\"#facc15\">yellow</option></select></label>\n"
	  "<label>Canvas <select name=\"canvas_size\"><option value=\"\">as the photo</option>"
	  "<option value=\"1080x1080\">square 1080</option><option value=\"3840x3840\">3840 &times; 3840</option>"
	  "<option value=\"1920x1080\">16:9 (1920 &times; 1080)</option><option value=\"1080x1350\">4:5 (1080 &times; 1350)</option>"
	  "</select></label>\n"
	  "<label>Position <select name=\"position\"><option value=\"original\">as in the photo</option>"
	  "<option value=\"center\">centred</option></select></label>\n"
	  "<label>Format <select name=\"format\"><option value=\"auto\">automatic</option><option value=\"png\">PNG</option>"
	  "<option value=\"webp\">WebP</option><option value=\"jpg\">JPEG</option><option value=\"avif\">AVIF</option>"
	  "</select></label>\n"
	  "<label>Shadow <select name=\"add_shadow\"><option value=\"false\">none</option>"
	  "<option value=\"true\">drop shadow</option></select></label>\n"
	  "<p class=\"acts\"><button type=\"submit\" class=\"btn primary sm\">Save</button>"
	  "<button type=\"submit\" class=\"btn sm\" name=\"save_as_new\" value=\"1\">Save as new</button></p>\n"
	  "</form>\n</details>\n</div>\n</li>\n");
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
	if ((e = buf_adds(b, "</main>\n<footer class=\"foot\"><a href=\"/docs\">API</a> <a href=\"/filter.html\">Webcam</a> "
	                  "<a href=\"")) || (e = html_attr(b, url)) ||
	    (e = buf_adds(b, "\">Source</a> (AGPL-3.0-or-later)</footer>\n")))
		return e;
	return buf_adds(b, "</body>\n</html>\n");
}

/* Appends the result of the newest record after a form upload (no JavaScript): large,
 * with its download beside it. */
static enum err newest(struct buf *b, const struct record *rec)
{
	enum err e = ERR_OK;

#define A(s) if (!e) e = buf_adds(b, s)
#define T(s) if (!e) e = html_text(b, s)
#define AT(s) if (!e) e = html_attr(b, s)
	A("<section class=\"result\" id=\"last\" aria-labelledby=\"last-h\">\n<h2 id=\"last-h\">Your result</h2>\n"
	  "<div class=\"stage\">\n<div class=\"compare checker\"><img src=\"/image/"); AT(rec->id);
	A("/processed?v="); AT(rec->version); A("\" alt=\"Result: "); AT(rec->name);
	A("\"></div>\n<div class=\"side\"><p class=\"res-name\">");
	T(rec->name); A("</p><a class=\"btn primary big\" href=\"/image/"); AT(rec->id);
	A("/processed?download=1\">Download<span class=\"vh\"> "); T(rec->name);
	A("</span></a><a class=\"btn ghost\" href=\"#rec-"); AT(rec->id); A("\">Edit or rename</a></div>\n</div>\n</section>\n");
#undef A
#undef T
#undef AT
	return e;
}

enum err page_render(struct buf *b, const char *flash_code, const struct record *recs, int n,
                     long used, long limit)
{
	int i = flash_index(flash_code), on_list = i >= 0 && (!strcmp(flashes[i].code, "renamed") || !strcmp(flashes[i].code, "saved") ||
	                                                      !strcmp(flashes[i].code, "removed"));
	enum err e;

	if ((e = buf_adds(b, head)))
		return e;
	if (i >= 0 && !strcmp(flashes[i].code, "ok") && n > 0 && (e = newest(b, &recs[0])))
		return e;
	if ((e = buf_adds(b, start_top)) || (i >= 0 && !on_list && (e = flash_html(b, i))))
		return e;
	if ((e = buf_printf(b, "<form class=\"upload card\" id=\"upload\" method=\"post\" action=\"/\" "
	                    "enctype=\"multipart/form-data\" data-max-bytes=\"%ld\" data-max-pixels=\"%ld\" "
	                    "data-used=\"%ld\" data-limit=\"%ld\">\n", conf_int("max_upload_bytes"),
	                    conf_int("max_pixels"), used, limit)) ||
	    (e = buf_adds(b, start_form)) || (e = buf_adds(b, webcam)) || (e = buf_adds(b, work)))
		return e;
	if ((e = buf_printf(b, "<section class=\"history\" id=\"history\" aria-labelledby=\"history-h\">\n"
	                    "<div class=\"history-head\"><h2 id=\"history-h\">Your images</h2><p class=\"usage%s\" "
	                    "id=\"usage\">%ld of %ld used</p></div>\n",
	                    used >= limit ? " full" : "", used, limit)))
		return e;
	if (used >= limit && (e = buf_adds(b, "<p class=\"flash flash-bad\">Your history is full. Delete an image "
	                                   "below to make room for a new one.</p>\n")))
		return e;
	if (on_list && (e = flash_html(b, i)))
		return e;
	if (n == 0) {
		if ((e = buf_adds(b, "<p class=\"empty\" id=\"empty\">No images yet. Your results will appear here.</p>\n"
		                  "<ul class=\"cards\" id=\"cards\"></ul>\n</section>\n")))
			return e;
		return tail(b);
	}
	if ((e = buf_adds(b, "<ul class=\"cards\" id=\"cards\">\n")))
		return e;
	for (i = 0; i < n; i++)
		if ((e = item(b, &recs[i])))
			return e;
	if ((e = buf_adds(b, "</ul>\n</section>\n")))
		return e;
	return tail(b);
}

enum err page_headers(struct req *r)
{
	enum err e;

	if ((e = resp_header(r, "Content-Security-Policy", "default-src 'none'; img-src 'self' blob: data:; "
	                     "media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; "
	                     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")) ||
	    (e = resp_header(r, "X-Frame-Options", "DENY")))
		return e;
	return resp_header(r, "Referrer-Policy", "same-origin");
}

enum err page_confirm_remove(struct buf *b, const struct record *rec)
{
	enum err e = ERR_OK;

#define A(s) if (!e) e = buf_adds(b, s)
#define T(s) if (!e) e = html_text(b, s)
#define AT(s) if (!e) e = html_attr(b, s)
	A(head);
	A("<section class=\"confirm card\" aria-labelledby=\"confirm-h\">\n<h1 id=\"confirm-h\">Delete &ldquo;");
	T(rec->name); A("&rdquo;?</h1>\n<div class=\"pair\"><img src=\"/image/"); AT(rec->id);
	A("/original_thumb\" alt=\"Original: "); AT(rec->name); A("\"><img class=\"checker\" src=\"/image/");
	AT(rec->id); A("/thumb\" alt=\"Result: "); AT(rec->name); A("\"></div>\n");
	A("<p>The photo and its result will be deleted. This cannot be undone.</p>\n");
	A("<form method=\"post\" action=\"/remove/"); AT(rec->id);
	A("\"><button type=\"submit\" class=\"btn danger\">Delete<span class=\"vh\"> "); T(rec->name);
	A("</span></button> <a class=\"btn\" href=\"/#rec-"); AT(rec->id); A("\">Cancel</a></form>\n</section>\n");
#undef A
#undef T
#undef AT
	return e ? e : tail(b);
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
	static const char *const suffix[REC__MAX] = {
		"-original", "", "-thumb", "-original-thumb", "-cutout", "-background", "-opinion"
	};
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
