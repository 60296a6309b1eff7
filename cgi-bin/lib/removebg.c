/* removebg.c: remove.bg's and rembg's request vocabularies onto the engine, remove.bg's
 * error shape, and its zip output (libzip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>
#include "conf.h"
#include "fetch.h"
#include "log.h"
#include "mp.h"
#include "removebg.h"
#include "render.h"
#include "resp.h"
#include "str.h"
#include "provider.h"

void removebg_out_free(struct removebg_out *o)
{
	img_result_free(&o->res);
	free(o->zip);
	memset(o, 0, sizeof *o);
}

/* Adds name=value to fs (copies). */
static enum err field_add(struct fields *fs, const char *name, const char *v, size_t len)
{
	struct field *f;

	if (fs->n >= LIM_FIELDS || strlen(name) > LIM_FIELD_NAME)
		return ERR_BAD_REQUEST;
	f = &fs->f[fs->n];
	memset(f, 0, sizeof *f);
	if (!(f->name = strdup(name)) || !(f->value = malloc(len + 1))) {
		free(f->name);
		f->name = NULL;
		return ERR_NOMEM;
	}
	memcpy(f->value, v, len);
	f->value[len] = '\0';
	f->len = len;
	fs->n++;
	return ERR_OK;
}

/* Reads the body as fields: JSON objects of scalars, multipart or urlencoded forms. */
static enum err read_fields(struct req *r, struct fields *fs)
{
	const char *ct = req_header(r, "Content-Type"), *body;
	struct json_object *o = NULL;
	char why[200], num[64];
	size_t len;
	enum err e;

	if (!ct || !str_prefix_ci(ct, "application/json"))
		return form_read(r, fs);
	if ((e = req_body(r, &body, &len)))
		return e;
	if ((e = render_json_parse(body, len, &o, why, sizeof why)))
		return req_fail(r, e, "%s", why);
	json_object_object_foreach(o, key, v) {
		const char *s = num;
		switch (json_object_get_type(v)) {
		case json_type_string:
			s = json_object_get_string(v);
			break;
		case json_type_boolean:
			s = json_object_get_boolean(v) ? "true" : "false";
			break;
		case json_type_int:
			snprintf(num, sizeof num, "%lld", (long long)json_object_get_int64(v));
			break;
		case json_type_null:
			continue;
		default:
			snprintf(num, sizeof num, "%s", json_object_to_json_string(v));
			if (strlen(num) >= sizeof num - 1)
				num[0] = '\0';
		}
		if ((e = field_add(fs, key, s, strlen(s)))) {
			e = req_fail(r, e, "too many fields or a name too long");
			break;
		}
	}
	json_object_put(o);
	return e;
}

/* A field's value when present and non-empty, else NULL. */
static const struct field *present(const struct fields *fs, const char *name)
{
	const struct field *f = fields_get(fs, name);
	return f && f->len ? f : NULL;
}

static enum err fail(struct req *r, char *code, size_t cn, const char *c, enum err e, const char *why)
{
	snprintf(code, cn, "%s", c);
	return req_fail(r, e, "%s", why);
}

/* Maps a fetch error to remove.bg's codes. */
static enum err fetch_fail(struct req *r, char *code, size_t cn, enum err e, const char *field, const char *why)
{
	char d[300];

	snprintf(d, sizeof d, "%s: %s", field, why);
	return fail(r, code, cn, e == ERR_FETCH ? "failed_image_download" : "invalid_image_url",
	            e == ERR_FETCH ? ERR_FETCH : e == ERR_FETCH_BLOCKED ? ERR_FETCH_BLOCKED : ERR_BAD_FIELD, d);
}

/* The engine error after render_run(), as remove.bg's code. */
static const char *engine_code(enum err e, const char *why)
{
	if (!strncmp(why, "roi_exceeds_bounds", 18))
		return "roi_exceeds_bounds";
	if (!strncmp(why, "roi_region_empty", 16))
		return "roi_region_empty";
	switch (e) {
	case ERR_TOO_MANY_PIXELS: return "resolution_too_high";
	case ERR_UNSUPPORTED:
	case ERR_CORRUPT: return "invalid_file_type";
	case ERR_TOO_LARGE: return "file_too_large";
	default: return "";
	}
}

/* Builds the zip of color.jpg and alpha.png in memory. */
static enum err make_zip(const struct img_result *color, const struct img_result *alpha, char **out, size_t *len)
{
	zip_source_t *src = NULL, *s1, *s2;
	zip_t *za = NULL;
	zip_error_t ze;
	zip_int64_t n;
	enum err e = ERR_NOMEM;

	*out = NULL;
	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)) || !(za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)))
		goto out;
	zip_source_keep(src);
	if (!(s1 = zip_source_buffer(za, color->data, color->len, 0)))
		goto out;
	if (zip_file_add(za, "color.jpg", s1, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s1);
		goto out;
	}
	if (!(s2 = zip_source_buffer(za, alpha->data, alpha->len, 0)))
		goto out;
	if (zip_file_add(za, "alpha.png", s2, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s2);
		goto out;
	}
	if (zip_close(za) < 0)
		goto out;
	za = NULL;
	if (zip_source_open(src) < 0)
		goto out;
	if (zip_source_seek(src, 0, SEEK_END) < 0 || (n = zip_source_tell(src)) <= 0 ||
	    zip_source_seek(src, 0, SEEK_SET) < 0 || !(*out = malloc((size_t)n)) ||
	    zip_source_read(src, *out, (zip_uint64_t)n) != n) {
		zip_source_close(src);
		free(*out);
		*out = NULL;
		goto out;
	}
	zip_source_close(src);
	*len = (size_t)n;
	e = ERR_OK;
out:
	if (za)
		zip_discard(za);
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	return e;
}

/* Fields that are not engine options (sources, and remove.bg's own words). */
static int skip_field(const char *k)
{
	static const char *const keys[] = {
		"image_file", "image_file_b64", "image_url", "bg_image_file", "bg_image_url",
		"type", "type_level", "format", "shadow_type", NULL
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return 1;
	return 0;
}

enum err removebg_run(struct req *r, struct removebg_out *out, char *code, size_t cn)
{
	struct fields fs;
	struct img_opts o, oa;
	const struct field *f, *file, *b64, *url, *bgf, *bgu;
	struct img_result alpha;
	struct fetch_result fr, bgr;
	char why[300], *dec = NULL;
	const char *img = NULL, *bg = NULL, *t;
	size_t ilen = 0, blen = 0, dlen;
	int i, zip = 0, preview = 1;
	enum err e;

	memset(&fs, 0, sizeof fs);
	memset(&fr, 0, sizeof fr);
	memset(&bgr, 0, sizeof bgr);
	memset(&alpha, 0, sizeof alpha);
	img_opts_init(&o);
	provider_attach(&o);
	if ((e = read_fields(r, &fs)))
		goto out;
	file = present(&fs, "image_file");
	b64 = present(&fs, "image_file_b64");
	url = present(&fs, "image_url");
	if (!file && !b64 && !url) {
		e = fail(r, code, cn, "missing_source", ERR_MISSING_FIELD,
		         "No image given: send one of image_file, image_file_b64 or image_url");
		goto out;
	}
	if (!!file + !!b64 + !!url > 1) {
		e = fail(r, code, cn, "multiple_sources", ERR_BAD_REQUEST,
		         "Multiple image sources given: send only one of image_file, image_file_b64, image_url");
		goto out;
	}
	/* Options first: a bad parameter is refused before any download. */
	if ((e = img_opts_set(&o, "size", "preview", why, sizeof why)))
		goto out;
	for (i = 0; i < fs.n; i++) {
		const char *k = fs.f[i].name, *v = fs.f[i].value;
		if (skip_field(k))
			continue;
		if ((e = img_opts_set(&o, k, v, why, sizeof why)) == ERR_NOT_FOUND) {
			log_info("removebg: ignoring field %.64s", k);
			e = ERR_OK;
			continue;
		}
		if (e) {
			char c[80];
			snprintf(c, sizeof c, "invalid_%.60s", k);
			e = fail(r, code, cn, c, e, why);
			goto out;
		}
		if (!strcmp(k, "size"))
			preview = !strcmp(v, "preview") || !strcmp(v, "small") || !strcmp(v, "regular");
	}
	if ((f = present(&fs, "type"))) {
		static const char *const other[] = { "car", "animal", "graphic", "transportation", "other", NULL };
		t = f->value;
		for (i = 0; other[i] && strcmp(t, other[i]); i++)
			;
		if (other[i])
			t = "auto";
		if ((e = img_opts_set(&o, "type", t, why, sizeof why))) {
			e = fail(r, code, cn, "invalid_type", e,
			         "type: expected auto, person, product, animal, car, transportation, graphic or other");
			goto out;
		}
	}
	if ((f = present(&fs, "type_level")) && strcmp(f->value, "none") && strcmp(f->value, "1") &&
	    strcmp(f->value, "2") && strcmp(f->value, "latest")) {
		e = fail(r, code, cn, "invalid_type_level", ERR_BAD_FIELD, "type_level: expected none, 1, 2 or latest");
		goto out;
	}
	if ((f = present(&fs, "shadow_type"))) {
		if (!strcmp(f->value, "3D") || !strcmp(f->value, "car") || !strcmp(f->value, "drop")) {
			o.shadow = 1;
		} else if (strcmp(f->value, "none")) {
			e = fail(r, code, cn, "invalid_shadow_type", ERR_BAD_FIELD, "shadow_type: expected none, 3D, car or drop");
			goto out;
		}
	}
	if ((f = present(&fs, "format"))) {
		zip = !strcmp(f->value, "zip");
		if (!zip && (e = img_opts_set(&o, "format", f->value, why, sizeof why))) {
			e = fail(r, code, cn, "invalid_format", e, "format: expected auto, png, jpg, webp or zip");
			goto out;
		}
	}
	/* Sources. */
	if (file) {
		img = file->value;
		ilen = file->len;
	} else if (b64) {
		if ((e = fetch_b64_decode(b64->value, b64->len, (size_t)conf_int("max_upload_bytes"), &dec, &dlen))) {
			e = fail(r, code, cn, e == ERR_TOO_LARGE ? "file_too_large" : "invalid_image_file_b64",
			         e == ERR_NOMEM ? e : ERR_BAD_FIELD, "image_file_b64: not valid base64 or too large");
			goto out;
		}
		img = dec;
		ilen = dlen;
	} else {
		if ((e = fetch_get(url->value, (size_t)conf_int("max_upload_bytes"), &fr, why, sizeof why))) {
			e = fetch_fail(r, code, cn, e, "image_url", why);
			goto out;
		}
		img = fr.data;
		ilen = fr.len;
	}
	bgf = fields_get(&fs, "bg_image_file");
	bgu = present(&fs, "bg_image_url");
	if (bgf && bgf->len) {
		bg = bgf->value;
		blen = bgf->len;
	} else if (bgu) {
		if ((e = fetch_get(bgu->value, (size_t)conf_int("max_upload_bytes"), &bgr, why, sizeof why))) {
			e = fetch_fail(r, code, cn, e, "bg_image_url", why);
			goto out;
		}
		bg = bgr.data;
		blen = bgr.len;
	}
	o.mode = bg || o.has_bg_color ? IMG_MODE_CHANGE : IMG_MODE_REMOVE;
	oa = o;
	if (zip)
		o.format = IMG_FMT_JPEG;
	if ((e = render_run(img, ilen, &o, bg, blen, &out->res, why, sizeof why))) {
		e = fail(r, code, cn, engine_code(e, why), e, why);
		goto out;
	}
	if (out->res.flags & IMG_RES_NO_SUBJECT) {
		e = fail(r, code, cn, "unknown_foreground", ERR_BAD_FIELD, "Could not identify foreground in image");
		goto out;
	}
	if (zip) {
		oa.channels = IMG_CH_ALPHA;
		oa.format = IMG_FMT_PNG;
		if ((e = render_run(img, ilen, &oa, bg, blen, &alpha, why, sizeof why)) ||
		    (e = make_zip(&out->res, &alpha, &out->zip, &out->zip_len)))
			goto out;
	}
	snprintf(out->type, sizeof out->type, "%s",
	         o.cut.type == IMG_CUT_PERSON ? "person" : o.cut.type == IMG_CUT_PRODUCT ? "product" : "other");
	snprintf(out->credits, sizeof out->credits, "%s", preview ? "0.25" : "1");
out:
	if (e)
		removebg_out_free(out);
	img_result_free(&alpha);
	fetch_result_free(&fr);
	fetch_result_free(&bgr);
	free(dec);
	fields_free(&fs);
	return e;
}

void removebg_error(struct req *r, enum err e, const char *code, const char *detail)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
	                   *one = json_object_new_object();
	int status = err_status(e);
	const char *c = code && *code ? code : NULL;

	if (!c) {
		switch (e) {
		case ERR_AUTH: c = "auth_failed"; break;
		case ERR_QUOTA: c = "insufficient_credits"; break;
		case ERR_RATE: c = "rate_limit_exceeded"; break;
		case ERR_FETCH_BLOCKED: c = "invalid_image_url"; break;
		case ERR_FETCH: c = "failed_image_download"; break;
		case ERR_TOO_MANY_PIXELS: c = "resolution_too_high"; break;
		case ERR_UNSUPPORTED: case ERR_CORRUPT: c = "invalid_file_type"; break;
		case ERR_TOO_LARGE: c = "file_too_large"; break;
		default: c = err_code(e);
		}
	}
	/* remove.bg answers every input problem with 400. */
	if (status >= 400 && status < 500 && status != 402 && status != 403 && status != 404 &&
	    status != 405 && status != 429)
		status = 400;
	json_object_object_add(one, "title", json_object_new_string(
		e == ERR_AUTH ? (detail && strstr(detail, "Missing") ? "Missing API Key" : "API Key invalid") :
		e == ERR_QUOTA ? "Insufficient credits" : e == ERR_RATE ? "Rate limit exceeded" : err_str(e)));
	json_object_object_add(one, "code", json_object_new_string(c));
	if (detail && *detail)
		json_object_object_add(one, "detail", json_object_new_string(detail));
	json_object_array_add(arr, one);
	json_object_object_add(o, "errors", arr);
	resp_json(r, status, o);
}

/* rembg's booleans: true/false, 1/0. */
static int rembg_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "true") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
		*out = 0;
	else
		return 0;
	return 1;
}

/* bgc "R,G,B,A" or "[R, G, B, A]" into "#rrggbbaa". */
static int rembg_color(const char *s, char out[10])
{
	long v[4];
	char buf[64], *p, *tok, *save = NULL;
	int k = 0;

	if (strlen(s) >= sizeof buf)
		return 0;
	snprintf(buf, sizeof buf, "%s", s);
	p = buf;
	if (*p == '[') {
		size_t l = strlen(p);
		if (l < 2 || p[l - 1] != ']')
			return 0;
		p[l - 1] = '\0';
		p++;
	}
	for (tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (k == 4 || !str_to_long(str_trim(tok), 0, 255, &v[k]))
			return 0;
		k++;
	}
	if (k != 4)
		return 0;
	snprintf(out, 10, "#%02lx%02lx%02lx%02lx", v[0], v[1], v[2], v[3]);
	return 1;
}

enum err removebg_rembg(struct req *r, struct img_result *res)
{
	struct fields form;
	struct fetch_result fr;
	struct img_opts o;
	const struct fields *src;
	const struct field *f;
	const char *img = NULL, *body, *ct = req_header(r, "Content-Type");
	char why[300], color[10];
	size_t ilen = 0;
	long v;
	int b, is_get = strcmp(r->method, "POST") != 0;
	enum err e;

	memset(&form, 0, sizeof form);
	memset(&fr, 0, sizeof fr);
	memset(res, 0, sizeof *res);
	img_opts_init(&o);
	provider_attach(&o);
	o.format = IMG_FMT_PNG;
	src = &r->query;
	if (!is_get) {
		if (ct && (str_prefix_ci(ct, "multipart/form-data") || str_prefix_ci(ct, "application/x-www-form-urlencoded"))) {
			if ((e = form_read(r, &form)))
				goto out;
			if (form.n)
				src = &form;
			if ((f = fields_get(&form, "file")) && f->len) {
				img = f->value;
				ilen = f->len;
			}
		} else if (!(e = req_body(r, &body, &ilen)) && ilen) {
			img = body;
		} else if (e) {
			goto out;
		}
	}
	/* Parameters from the form, else the query. */
#define PARAM(name) ((f = fields_get(src, name)) || (f = fields_get(&r->query, name)))
	if (PARAM("om")) {
		if (!rembg_bool(f->value, &b)) {
			e = req_fail(r, ERR_BAD_FIELD, "om: expected true or false");
			goto out;
		}
		if (b)
			o.channels = IMG_CH_ALPHA;
	}
	if (PARAM("a") && !rembg_bool(f->value, &b)) {
		e = req_fail(r, ERR_BAD_FIELD, "a: expected true or false");
		goto out;
	}
	if ((PARAM("af") && !str_to_long(f->value, 0, 255, &v)) ||
	    (PARAM("ab") && !str_to_long(f->value, 0, 255, &v)) ||
	    (PARAM("ae") && !str_to_long(f->value, 0, 1000, &v))) {
		e = req_fail(r, ERR_BAD_FIELD, "%s: expected an integer (af, ab 0..255; ae 0..1000)", f->name);
		goto out;
	}
	if (PARAM("ppm")) {
		if (!rembg_bool(f->value, &b)) {
			e = req_fail(r, ERR_BAD_FIELD, "ppm: expected true or false");
			goto out;
		}
		if (b && (e = img_opts_set(&o, "semitransparency", "false", why, sizeof why)))
			goto out;
	}
	if (PARAM("bgc") && *f->value) {
		if (!rembg_color(f->value, color)) {
			e = req_fail(r, ERR_BAD_FIELD, "bgc: expected R,G,B,A with each 0..255");
			goto out;
		}
		img_opts_set(&o, "bg_color", color, why, sizeof why);
		o.mode = IMG_MODE_CHANGE;
	}
#undef PARAM
	if (!img) {
		if (!(f = fields_get(&r->query, "url")) || !f->len) {
			e = req_fail(r, ERR_MISSING_FIELD, is_get ? "url: required" : "file: required (multipart field)");
			goto out;
		}
		if ((e = fetch_get(f->value, (size_t)conf_int("max_upload_bytes"), &fr, why, sizeof why))) {
			e = req_fail(r, e, "url: %s", why);
			goto out;
		}
		img = fr.data;
		ilen = fr.len;
	}
	if ((e = render_run(img, ilen, &o, NULL, 0, res, why, sizeof why)))
		e = req_fail(r, e, "%s", why);
out:
	fetch_result_free(&fr);
	fields_free(&form);
	return e;
}
