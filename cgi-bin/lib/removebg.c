/* removebg.c: remove.bg's and rembg's request vocabularies onto the engine, remove.bg's
 * error shape, and its zip output (libzip). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>
#include "conf.h"
#include "fetch.h"
#include "img.h"
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
			/* A list (hint_strokes) or an object: its JSON text, for the validator. */
			s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		}
		if (!s) {
			e = ERR_NOMEM;
			break;
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

/* Maps a fetch error of image_url (bg 0) or bg_image_url (bg 1) to remove.bg's codes. */
static enum err fetch_fail(struct req *r, char *code, size_t cn, enum err e, int bg, const char *why)
{
	static const char *const codes[2][2] = {
		{ "invalid_image_url", "failed_image_download" },
		{ "invalid_bg_image_url", "failed_bg_download" },
	};
	char d[300];

	snprintf(d, sizeof d, "%s: %s", bg ? "bg_image_url" : "image_url", why);
	return fail(r, code, cn, codes[bg][e == ERR_FETCH],
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
	case ERR_UNSUPPORTED: return "invalid_file_type";
	case ERR_CORRUPT: return "failed_to_read_image";
	case ERR_TOO_LARGE: return "file_too_large";
	default: return "";
	}
}

/* Adds name with the bytes p[0..n) (borrowed until zip_close) to za. */
static int zip_put(zip_t *za, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(za, p, n, 0);

	if (!s)
		return -1;
	if (zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

/* Builds remove.bg's zip in memory from one rendered result (a PNG with its alpha):
 * color.jpg (the colors, opaque) and alpha.png (the matte, 8-bit gray), both taken from
 * the same decoded pixels, so the cutout runs once. *out is malloc'd. */
static enum err make_zip(const struct img_result *res, int quality, char **out, size_t *len)
{
	struct img im = { 0 };
	struct img_limits lim;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	zip_error_t ze;
	zip_int64_t n;
	void *jpg = NULL, *png = NULL;
	size_t jl = 0, pl = 0;
	enum err e;

	*out = NULL;
	zip_error_init(&ze);
	render_limits(&lim);
	if ((e = img_load(res->data, res->len, &lim, &im)) ||
	    (e = img_encode(&im, IMG_FMT_JPEG, quality, 0, 0xFFFFFFFF, &jpg, &jl)) ||
	    (e = img_encode_matte(&im, 0, &png, &pl)))
		goto out;
	e = ERR_NOMEM;
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)) || !(za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)))
		goto out;
	zip_source_keep(src);
	if (zip_put(za, "color.jpg", jpg, jl) || zip_put(za, "alpha.png", png, pl) || zip_close(za) < 0)
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
	img_free(&im);
	free(jpg);
	free(png);
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

/* Refuses a remove.bg request without exactly one of image_file, image_file_b64 and
 * image_url (missing_source, multiple_sources). */
static enum err check_source(struct req *r, const struct fields *fs, char *code, size_t cn)
{
	int k = !!present(fs, "image_file") + !!present(fs, "image_file_b64") + !!present(fs, "image_url");

	if (!k)
		return fail(r, code, cn, "missing_source", ERR_MISSING_FIELD,
		            "Please provide the source image in the image_url, image_file or image_file_b64 parameter.");
	if (k > 1)
		return fail(r, code, cn, "multiple_sources", ERR_BAD_REQUEST,
		            "Please provide only one of the image_url, image_file or image_file_b64 parameters.");
	return ERR_OK;
}

/* The image of a remove.bg request that check_source() passed, into *img and *ilen
 * (borrowed from fs, *dec or *fr, which the caller frees). */
static enum err read_source(struct req *r, const struct fields *fs, const char **img, size_t *ilen,
                            char **dec, struct fetch_result *fr, char *code, size_t cn)
{
	const struct field *file = present(fs, "image_file"), *b64 = present(fs, "image_file_b64"),
	                   *url = present(fs, "image_url");
	char why[300];
	enum err e;

	if (file) {
		*img = file->value;
		*ilen = file->len;
	} else if (b64) {
		if ((e = fetch_b64_decode(b64->value, b64->len, (size_t)conf_int("max_upload_bytes"), dec, ilen)))
			return fail(r, code, cn, e == ERR_TOO_LARGE ? "file_too_large" : "invalid_image_file_b64",
			            e == ERR_NOMEM ? e : ERR_BAD_FIELD, "image_file_b64: not valid base64 or too large");
		*img = *dec;
	} else {
		if ((e = fetch_get(url->value, (size_t)conf_int("max_upload_bytes"), fr, why, sizeof why)))
			return fetch_fail(r, code, cn, e, 0, why);
		*img = fr->data;
		*ilen = fr->len;
	}
	return ERR_OK;
}

/* remove.bg's foreground types: what `type` may say, and what X-Type reports for it
 * (the given class; auto reports what the cut found: person, product or other). The
 * engine cuts car, animal, graphic and transportation as auto. */
static const struct {
	const char *type, *x_type;
	int engine_auto;
} types[] = {
	{ "auto", NULL, 1 }, { "person", "person", 0 }, { "product", "product", 0 },
	{ "car", "car", 1 }, { "animal", "animal", 1 }, { "graphic", "graphics", 1 },
	{ "graphics", "graphics", 1 }, { "transportation", "transportation", 1 }, { "other", "other", 1 },
};

void removebg_req_free(struct removebg_req *q)
{
	fields_free(&q->fs);
	memset(q, 0, sizeof *q);
}

enum err removebg_parse(struct req *r, struct removebg_req *q, char *code, size_t cn)
{
	struct img_opts *o = &q->o;
	const struct field *f;
	char why[300];
	size_t i;
	int preview = 1;
	enum err e;

	memset(q, 0, sizeof *q);
	img_opts_init(o);
	provider_attach(o);
	if ((e = read_fields(r, &q->fs)) || (e = check_source(r, &q->fs, code, cn)))
		return e;
	if (!!present(&q->fs, "bg_image_file") + !!present(&q->fs, "bg_image_url") + !!present(&q->fs, "bg_color") > 1)
		return fail(r, code, cn, "multiple_bg_sources", ERR_BAD_REQUEST,
		            "Please provide only one of the bg_color, bg_image_url or bg_image_file parameters.");
	if ((e = img_opts_set(o, "size", "preview", why, sizeof why)))
		return e;
	for (i = 0; i < (size_t)q->fs.n; i++) {
		const char *k = q->fs.f[i].name, *v = q->fs.f[i].value;
		if (skip_field(k))
			continue;
		if ((e = img_opts_set(o, k, v, why, sizeof why)) == ERR_NOT_FOUND) {
			log_info("removebg: ignoring field %.64s", k);
			continue;
		}
		if (e) {
			char c[80];
			snprintf(c, sizeof c, "invalid_%.60s", k);
			return fail(r, code, cn, c, e, why);
		}
		if (!strcmp(k, "size"))
			preview = !strcmp(v, "preview") || !strcmp(v, "small") || !strcmp(v, "regular");
	}
	q->credits_x4 = preview ? 1 : 4;
	if ((f = present(&q->fs, "type"))) {
		for (i = 0; i < sizeof types / sizeof types[0] && strcmp(f->value, types[i].type); i++)
			;
		if (i == sizeof types / sizeof types[0] ||
		    img_opts_set(o, "type", types[i].engine_auto ? "auto" : f->value, why, sizeof why))
			return fail(r, code, cn, "invalid_type", ERR_BAD_FIELD,
			            "type: expected auto, person, product, car, animal, graphic, transportation or other");
		q->x_type = types[i].x_type;
	}
	if ((f = present(&q->fs, "type_level")) && strcmp(f->value, "none") && strcmp(f->value, "1") &&
	    strcmp(f->value, "2") && strcmp(f->value, "latest"))
		return fail(r, code, cn, "invalid_type_level", ERR_BAD_FIELD, "type_level: expected none, 1, 2 or latest");
	if ((f = present(&q->fs, "shadow_type"))) {
		if (!strcmp(f->value, "3D") || !strcmp(f->value, "car") || !strcmp(f->value, "drop"))
			o->shadow = 1;
		else if (strcmp(f->value, "none"))
			return fail(r, code, cn, "invalid_shadow_type", ERR_BAD_FIELD, "shadow_type: expected none, 3D, car or drop");
	}
	if ((f = present(&q->fs, "format"))) {
		q->zip = !strcmp(f->value, "zip");
		/* zip: one PNG with its alpha is rendered, then split into the zip's two files. */
		if (img_opts_set(o, "format", q->zip ? "png" : f->value, why, sizeof why))
			return fail(r, code, cn, "invalid_format", ERR_BAD_FIELD, "format: expected auto, png, jpg, webp or zip");
	}
	return ERR_OK;
}

enum err removebg_render(struct req *r, struct removebg_req *q, struct removebg_out *out, char *code, size_t cn)
{
	struct img_opts *o = &q->o;
	const struct field *bgf = present(&q->fs, "bg_image_file"), *bgu = present(&q->fs, "bg_image_url");
	struct fetch_result fr, bgr;
	char why[300], *dec = NULL;
	const char *img = NULL, *bg = NULL;
	size_t ilen = 0, blen = 0;
	enum err e;

	memset(out, 0, sizeof *out);
	memset(&fr, 0, sizeof fr);
	memset(&bgr, 0, sizeof bgr);
	if ((e = read_source(r, &q->fs, &img, &ilen, &dec, &fr, code, cn)))
		goto out;
	if (bgf) {
		bg = bgf->value;
		blen = bgf->len;
	} else if (bgu) {
		if ((e = fetch_get(bgu->value, (size_t)conf_int("max_upload_bytes"), &bgr, why, sizeof why))) {
			e = fetch_fail(r, code, cn, e, 1, why);
			goto out;
		}
		bg = bgr.data;
		blen = bgr.len;
	}
	o->mode = bg || o->has_bg_color ? IMG_MODE_CHANGE : IMG_MODE_REMOVE;
	if ((e = render_run(img, ilen, o, bg, blen, &out->res, why, sizeof why))) {
		e = fail(r, code, cn, engine_code(e, why), e, why);
		goto out;
	}
	if (out->res.flags & IMG_RES_NO_SUBJECT) {
		e = fail(r, code, cn, "unknown_foreground", ERR_BAD_FIELD, "Could not identify foreground in image");
		goto out;
	}
	if (q->zip && (e = make_zip(&out->res, o->quality, &out->zip, &out->zip_len)))
		goto out;
	snprintf(out->type, sizeof out->type, "%s", q->x_type ? q->x_type : o->cut.type == IMG_CUT_PERSON ? "person" :
	         o->cut.type == IMG_CUT_PRODUCT ? "product" : "other");
out:
	if (e)
		removebg_out_free(out);
	fetch_result_free(&fr);
	fetch_result_free(&bgr);
	free(dec);
	return e;
}

enum err removebg_improve(struct req *r, char *id, char *code, size_t cn)
{
	struct fields fs;
	struct fetch_result fr;
	struct img_info info;
	struct img_limits lim;
	const struct field *tag;
	char *dec = NULL, hex[33];
	const char *img = NULL;
	size_t ilen = 0;
	enum err e;

	memset(&fs, 0, sizeof fs);
	memset(&fr, 0, sizeof fr);
	render_limits(&lim);
	if ((e = read_fields(r, &fs)) || (e = check_source(r, &fs, code, cn)) ||
	    (e = read_source(r, &fs, &img, &ilen, &dec, &fr, code, cn)))
		goto out;
	if ((e = img_probe(img, ilen, &lim, &info))) {
		e = fail(r, code, cn, engine_code(e, ""), e,
		         e == ERR_UNSUPPORTED ? "Expected an image (jpg, png, webp...)" : "The image could not be read");
		goto out;
	}
	if (!str_random_id(hex)) {
		e = ERR_INTERNAL;
		goto out;
	}
	/* A UUID's shape (8-4-4-4-12), as remove.bg's ids have. */
	snprintf(id, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	tag = present(&fs, "tag");
	log_info("improve: accepted a %dx%d %s as %s (tag %.64s); nothing is kept", info.width, info.height,
	         img_fmt_name(info.fmt), id, tag ? tag->value : "-");
out:
	fetch_result_free(&fr);
	free(dec);
	fields_free(&fs);
	return e;
}

/* remove.bg's titles by error code; "invalid_<param>" codes not listed get "Invalid
 * <param> parameter given". */
static const struct {
	const char *code, *title;
} titles[] = {
	{ "auth_failed", "API Key invalid" },
	{ "insufficient_credits", "Insufficient credits" },
	{ "rate_limit_exceeded", "Rate limit exceeded" },
	{ "failed_bg_download", "Failed to download background image from given bg_image_url" },
	{ "failed_image_download", "Failed to download image from given image_url" },
	{ "failed_to_read_image", "There was an error reading the image." },
	{ "file_too_large", "File too large" },
	{ "invalid_bg_image_url", "Invalid bg_image_url: Please provide a valid URL." },
	{ "invalid_image_url", "Invalid image_url: Please provide a valid URL." },
	{ "invalid_file_type", "Invalid file type" },
	{ "invalid_channels", "Invalid value for parameter 'channels'" },
	{ "invalid_size", "Invalid value for parameter 'size'" },
	{ "missing_source", "No image given" },
	{ "multiple_sources", "Multiple image sources given" },
	{ "multiple_bg_sources", "Multiple background sources given" },
	{ "resolution_too_high", "Image resolution too high" },
	{ "roi_exceeds_bounds", "ROI exceeds image bounds" },
	{ "roi_region_empty", "ROI region is empty" },
	{ "unknown_foreground", "Could not identify foreground in image" },
	{ "not_found", "Not found" },
	{ "method_not_allowed", "Method not allowed" },
};

void removebg_error(struct req *r, enum err e, const char *code, const char *detail)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
	                   *one = json_object_new_object();
	int status = err_status(e);
	const char *c = code && *code ? code : NULL, *title = NULL;
	char buf[96];
	size_t i;

	if (!c) {
		switch (e) {
		case ERR_AUTH: c = "auth_failed"; break;
		case ERR_QUOTA: c = "insufficient_credits"; break;
		case ERR_RATE: c = "rate_limit_exceeded"; break;
		case ERR_FETCH_BLOCKED: c = "invalid_image_url"; break;
		case ERR_FETCH: c = "failed_image_download"; break;
		case ERR_TOO_MANY_PIXELS: c = "resolution_too_high"; break;
		case ERR_UNSUPPORTED: c = "invalid_file_type"; break;
		case ERR_CORRUPT: c = "failed_to_read_image"; break;
		case ERR_TOO_LARGE: c = "file_too_large"; break;
		default: c = err_code(e);
		}
	}
	/* remove.bg answers every input problem with 400. */
	if (status >= 400 && status < 500 && status != 402 && status != 403 && status != 404 &&
	    status != 405 && status != 429)
		status = 400;
	for (i = 0; i < sizeof titles / sizeof titles[0] && !title; i++)
		if (!strcmp(c, titles[i].code))
			title = titles[i].title;
	if (e == ERR_AUTH && detail && strstr(detail, "Missing"))
		title = "Missing API Key";
	if (!title && !strncmp(c, "invalid_", 8)) {
		snprintf(buf, sizeof buf, "Invalid %.60s parameter given", c + 8);
		title = buf;
	}
	json_object_object_add(one, "title", json_object_new_string(title ? title : err_str(e)));
	json_object_object_add(one, "code", json_object_new_string(c));
	if (detail && *detail)
		json_object_object_add(one, "detail", json_object_new_string(detail));
	json_object_array_add(arr, one);
	json_object_object_add(o, "errors", arr);
	resp_json(r, status, o);
}

/* rembg's booleans, as FastAPI (pydantic) reads them: true/false, 1/0, yes/no, on/off,
 * t/f, y/n, in any case. Returns 1 with *out set, or 0. */
static int rembg_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
	static const char *const no[] = { "false", "0", "no", "off", "f", "n" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 1;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

/* rembg's model names and the engine's cut for each: its human-segmentation and
 * portrait models cut a person, every other (general, anime, cloth, dichotomous...)
 * model the automatic cut, on the network when it is installed. */
static const struct {
	const char *name;
	int person;
} rembg_models[] = {
	{ "u2net", 0 }, { "u2netp", 0 }, { "u2net_human_seg", 1 }, { "u2net_cloth_seg", 0 },
	{ "silueta", 0 }, { "isnet-general-use", 0 }, { "isnet-anime", 0 }, { "sam", 0 },
	{ "birefnet-general", 0 }, { "birefnet-general-lite", 0 }, { "birefnet-portrait", 1 },
	{ "birefnet-dis", 0 }, { "birefnet-hrsod", 0 }, { "birefnet-cod", 0 }, { "birefnet-massive", 0 },
	{ "bria-rmbg", 0 }, { "ben2-base", 0 },
};

/* A value FastAPI would refuse: code gets "field:type" for removebg_rembg_error(). */
#define BOOL_MSG "Input should be a valid boolean, unable to interpret input"
static enum err rembg_invalid(struct req *r, char *code, size_t cn, const char *field,
                              const char *type, const char *msg)
{
	snprintf(code, cn, "%s:%s", field, type);
	return req_fail(r, ERR_BAD_FIELD, "%s", msg);
}

void removebg_rembg_error(struct req *r, const char *code, const char *detail)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
	                   *one = json_object_new_object(), *loc = json_object_new_array();
	const char *colon = strchr(code, ':');
	int flen = colon ? (int)(colon - code) : (int)strlen(code);

	json_object_array_add(loc, json_object_new_string(strcmp(r->method, "POST") ? "query" : "body"));
	json_object_array_add(loc, json_object_new_string_len(code, flen));
	json_object_object_add(one, "type", json_object_new_string(colon ? colon + 1 : "enum"));
	json_object_object_add(one, "loc", loc);
	json_object_object_add(one, "msg", json_object_new_string(detail ? detail : "Invalid value"));
	json_object_array_add(arr, one);
	json_object_object_add(o, "detail", arr);
	resp_json(r, 422, o);
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

enum err removebg_rembg(struct req *r, struct img_result *res, char *type, char *code, size_t cn)
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
	snprintf(type, 16, "other");
	if (PARAM("model") && f->len) {
		struct buf names = { 0 };
		size_t i, k = sizeof rembg_models / sizeof rembg_models[0];

		for (i = 0; i < k && strcmp(f->value, rembg_models[i].name); i++)
			;
		if (i == k) {
			for (i = 0; i < k; i++)
				buf_printf(&names, "%s%s", i ? "," : "", rembg_models[i].name);
			snprintf(code, cn, "model:enum");
			e = req_fail(r, ERR_BAD_FIELD, "Input should be one of: %s", names.data ? names.data : "");
			buf_free(&names);
			goto out;
		}
		if (rembg_models[i].person && (e = img_opts_set(&o, "type", "person", why, sizeof why)))
			goto out;
	}
	if (PARAM("om")) {
		if (!rembg_bool(f->value, &b)) {
			e = rembg_invalid(r, code, cn, "om", "bool_parsing", BOOL_MSG);
			goto out;
		}
		if (b)
			o.channels = IMG_CH_ALPHA;
	}
	if (PARAM("a") && !rembg_bool(f->value, &b)) {
		e = rembg_invalid(r, code, cn, "a", "bool_parsing", BOOL_MSG);
		goto out;
	}
	if ((PARAM("af") && !str_to_long(f->value, 0, 255, &v)) ||
	    (PARAM("ab") && !str_to_long(f->value, 0, 255, &v)) ||
	    (PARAM("ae") && !str_to_long(f->value, 0, 1000, &v))) {
		if (!str_to_long(f->value, LONG_MIN, LONG_MAX, &v))
			e = rembg_invalid(r, code, cn, f->name, "int_parsing",
			                  "Input should be a valid integer, unable to parse string as an integer");
		else if (v < 0)
			e = rembg_invalid(r, code, cn, f->name, "greater_than_equal",
			                  "Input should be greater than or equal to 0");
		else
			e = rembg_invalid(r, code, cn, f->name, "less_than_equal", strcmp(f->name, "ae") ?
			                  "Input should be less than or equal to 255" :
			                  "Input should be less than or equal to 1000");
		goto out;
	}
	if (PARAM("ppm")) {
		if (!rembg_bool(f->value, &b)) {
			e = rembg_invalid(r, code, cn, "ppm", "bool_parsing", BOOL_MSG);
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
	else
		snprintf(type, 16, "%s", o.cut.type == IMG_CUT_PERSON ? "person" :
		         o.cut.type == IMG_CUT_PRODUCT ? "product" : "other");
out:
	fetch_result_free(&fr);
	fields_free(&form);
	return e;
}
