/* render.c: the Background Change request into options, sources and a result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "fetch.h"
#include "lim.h"
#include "log.h"
#include "render.h"
#include "provider.h"

enum err render_json_parse(const char *s, size_t n, struct json_object **out, char *why, size_t wn)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;

	*out = NULL;
	if (n > (size_t)conf_int("max_upload_bytes") + LIM_JSON_BYTES || n > INT32_MAX) {
		snprintf(why, wn, "the JSON body is over %ld bytes", conf_int("max_upload_bytes") + LIM_JSON_BYTES);
		return ERR_TOO_LARGE;
	}
	if (!(tok = json_tokener_new_ex(LIM_JSON_DEPTH)))
		return ERR_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)n);
	je = json_tokener_get_error(tok);
	/* Trailing bytes after the object (other than white space) are an error too. */
	if (o && je == json_tokener_success) {
		size_t off = json_tokener_get_parse_end(tok);
		while (off < n && (s[off] == ' ' || s[off] == '\n' || s[off] == '\r' || s[off] == '\t'))
			off++;
		if (off != n) {
			json_object_put(o);
			o = NULL;
			snprintf(why, wn, "bytes after the JSON value");
		}
	} else {
		json_object_put(o);
		o = NULL;
		snprintf(why, wn, "%s", je == json_tokener_continue ? "the JSON ends early" : json_tokener_error_desc(je));
	}
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
		snprintf(why, wn, "the body must be a JSON object");
	}
	if (!o)
		return ERR_BAD_JSON;
	*out = o;
	return ERR_OK;
}

enum err render_opt_json(struct img_opts *o, const char *key, struct json_object *v, char *why, size_t n)
{
	char num[64];
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		break;
	case json_type_int:
		snprintf(num, sizeof num, "%lld", (long long)json_object_get_int64(v));
		s = num;
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		break;
	case json_type_double: {
		double d = json_object_get_double(v);
		/* The range first: converting a double outside long long's (1e300, inf, nan)
		 * is undefined behaviour (C11 6.3.1.4). -2^63 and 2^63 are exact doubles; the
		 * comparisons are false for nan. */
		if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
			snprintf(why, n, "%s: the number is out of range (a whole number is expected)", key);
			return ERR_BAD_FIELD;
		}
		/* Whole numbers only: the vocabulary has no fractional options. */
		if (d != (double)(long long)d) {
			snprintf(why, n, "%s: expected a whole number", key);
			return ERR_BAD_FIELD;
		}
		snprintf(num, sizeof num, "%lld", (long long)d);
		s = num;
		break;
	}
	case json_type_array:
		/* A list (hint_strokes) is given to the validator as its JSON text. */
		if (!(s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)))
			return ERR_NOMEM;
		break;
	default:
		snprintf(why, n, "%s: expected a string, number, boolean or list", key);
		return ERR_BAD_FIELD;
	}
	return img_opts_set(o, key, s, why, n);
}

void render_limits(struct img_limits *lim)
{
	lim->max_width = conf_int("max_width");
	lim->max_height = conf_int("max_height");
	lim->max_pixels = conf_int("max_pixels");
}

/* remove.bg's roi checks, before the engine: reasons carry its codes. */
static enum err check_roi(const struct img_cutout_opts *c, const struct img_info *in, char *why, size_t n)
{
	double v[4];
	int w = in->width, h = in->height, i;

	if (!c->has_roi)
		return ERR_OK;
	if (in->orientation >= 5 && in->orientation <= 8) {
		w = in->height;
		h = in->width;
	}
	for (i = 0; i < 4; i++)
		v[i] = c->roi[i].pct ? c->roi[i].v * (i % 2 ? h : w) / 100.0 : c->roi[i].v;
	for (i = 0; i < 4; i++)
		if (v[i] < 0 || v[i] > (i % 2 ? h : w)) {
			snprintf(why, n, "roi_exceeds_bounds: the roi lies outside the %dx%d image", w, h);
			return ERR_BAD_FIELD;
		}
	if (v[2] <= v[0] || v[3] <= v[1]) {
		snprintf(why, n, "roi_region_empty: the roi has no area");
		return ERR_BAD_FIELD;
	}
	return ERR_OK;
}

enum err render_run(const void *bytes, size_t len, const struct img_opts *o, const void *bg,
                    size_t bglen, struct img_result *res, char *why, size_t n)
{
	struct img_limits lim;
	struct img_info info;
	enum err e;

	memset(res, 0, sizeof *res);
	render_limits(&lim);
	if ((e = img_probe(bytes, len, &lim, &info))) {
		snprintf(why, n, "%s", e == ERR_TOO_MANY_PIXELS ?
		         "the image is larger than the width, height or pixel limits" :
		         e == ERR_UNSUPPORTED ? "not an image format we read (JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF, HEIC)" :
		         "the image file is damaged");
		return e;
	}
	if ((e = check_roi(&o->cut, &info, why, n)))
		return e;
	if (bg && bglen && (e = img_probe(bg, bglen, &lim, &info))) {
		snprintf(why, n, "the background image: %s", err_str(e));
		return e;
	}
	if ((e = img_process(bytes, len, o, &lim, bg, bglen, NULL, 0, res)))
		snprintf(why, n, "%s", res->why[0] ? res->why : err_str(e));
	return e;
}

/* Fetches the source named by field key of req into *out (NULL when absent): a URL
 * (http(s) or data:), or for image_file_b64 plain base64. */
static enum err source(struct json_object *req, const char *key, char **out, size_t *len, char *why, size_t n)
{
	struct json_object *v;
	char sub[200];
	size_t cap = (size_t)conf_int("max_upload_bytes");
	enum err e;

	*out = NULL;
	*len = 0;
	if (!json_object_object_get_ex(req, key, &v) || json_object_is_type(v, json_type_null))
		return ERR_OK;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(why, n, "%s: expected a %s string", key, strcmp(key, "image_file_b64") ? "URL" : "base64");
		return ERR_BAD_FIELD;
	}
	if (!strcmp(key, "image_file_b64")) {
		if ((e = fetch_b64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), cap, out, len)))
			snprintf(why, n, "%s: not valid base64, or over %zu bytes", key, cap);
		return e;
	}
	e = fetch_source(json_object_get_string(v), cap, out, len, sub, sizeof sub);
	if (e)
		snprintf(why, n, "%s: %s", key, sub);
	return e;
}

static int is_source_key(const char *k)
{
	static const char *const keys[] = {
		"origin_img", "image_url", "image_file_b64", "template_url", "bg_image_url", "image",
		"callback_url", NULL
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return 1;
	return 0;
}

/* The Background Change request's image: origin_img, or remove.bg's image_url or
 * image_file_b64 (the one vocabulary); more than one is ERR_BAD_FIELD. *key is left
 * as origin_img when none is given (source() then says it is required). */
static enum err main_source(struct json_object *req, const char **key, char *why, size_t n)
{
	static const char *const keys[] = { "origin_img", "image_url", "image_file_b64" };
	struct json_object *v;
	int i, k = 0;

	for (i = 0; i < 3; i++)
		if (json_object_object_get_ex(req, keys[i], &v) && !json_object_is_type(v, json_type_null)) {
			*key = keys[i];
			k++;
		}
	if (k > 1) {
		snprintf(why, n, "send only one of origin_img, image_url and image_file_b64");
		return ERR_BAD_FIELD;
	}
	return ERR_OK;
}

void render_drop_unknown(struct json_object *req)
{
	struct img_opts scratch;
	char why[200];
	const char *drop[LIM_FIELDS];
	int i, k = 0;

	img_opts_init(&scratch);
	json_object_object_foreach(req, key, val) {
		if (!is_source_key(key) && render_opt_json(&scratch, key, val, why, sizeof why) == ERR_NOT_FOUND &&
		    k < LIM_FIELDS)
			drop[k++] = key;
	}
	for (i = 0; i < k; i++) {
		log_info("change: ignoring the unknown field %.64s", drop[i]);
		json_object_object_del(req, drop[i]);
	}
}

enum err render_change(struct json_object *req, int filter_only, struct img_result *res,
                       char *why, size_t n)
{
	struct img_opts o;
	char *img = NULL, *bg = NULL;
	size_t ilen = 0, blen = 0;
	const char *main_key = filter_only ? "image" : "origin_img";
	int has_mode = 0, has_format = 0;
	enum err e;

	memset(res, 0, sizeof *res);
	img_opts_init(&o);
	provider_attach(&o);
	json_object_object_foreach(req, key, val) {
		if (is_source_key(key))
			continue;
		if ((e = render_opt_json(&o, key, val, why, n))) {
			if (e == ERR_NOT_FOUND) {
				snprintf(why, n, "%.60s: unknown field", key);
				e = ERR_BAD_FIELD;
			}
			goto out;
		}
		has_mode |= !strcmp(key, "mode");
		has_format |= !strcmp(key, "format");
	}
	if (!filter_only && (e = main_source(req, &main_key, why, n)))
		goto out;
	if ((e = source(req, main_key, &img, &ilen, why, n)))
		goto out;
	if (!img) {
		snprintf(why, n, "%s: required (an http(s) or data: URL)", main_key);
		e = ERR_MISSING_FIELD;
		goto out;
	}
	if (!filter_only && ((e = source(req, "template_url", &bg, &blen, why, n)) ||
	                     (!bg && (e = source(req, "bg_image_url", &bg, &blen, why, n)))))
		goto out;
	if (filter_only) {
		o.mode = IMG_MODE_FILTER;
		if (!has_format)
			o.format = IMG_FMT_PNG;
	} else if (!has_mode) {
		o.mode = bg || o.has_bg_color ? IMG_MODE_CHANGE : IMG_MODE_REMOVE;
	}
	e = render_run(img, ilen, &o, bg, blen, res, why, n);
out:
	free(img);
	free(bg);
	return e;
}

struct json_object *render_result_json(const struct img_result *res, int with_engine)
{
	struct json_object *d = json_object_new_object();
	char *b64 = fetch_b64_encode(res->data, res->len);

	if (!d || !b64) {
		json_object_put(d);
		free(b64);
		return NULL;
	}
	json_object_object_add(d, "result_b64", json_object_new_string(b64));
	free(b64);
	json_object_object_add(d, "width", json_object_new_int(res->width));
	json_object_object_add(d, "height", json_object_new_int(res->height));
	json_object_object_add(d, "foreground_top", json_object_new_int(res->fg.y));
	json_object_object_add(d, "foreground_left", json_object_new_int(res->fg.x));
	json_object_object_add(d, "foreground_width", json_object_new_int(res->fg.w));
	json_object_object_add(d, "foreground_height", json_object_new_int(res->fg.h));
	if (with_engine && res->engine)
		json_object_object_add(d, "engine", json_object_new_string(res->engine));
	return d;
}
