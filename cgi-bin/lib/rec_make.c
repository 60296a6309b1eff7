/* rec_make.c: an upload or re-render form through validation and the image engine into
 * a record and its images. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "conf.h"
#include "fetch.h"
#include "log.h"
#include "rec_make.h"
#include "str.h"
#include "provider.h"
#include "render.h"

/* The fields the records programs read themselves; every other one is a processing
 * option. upload: 1 when an upload accepts it, rerender: 1 when a re-render does. */
static const struct {
	const char *name;
	int upload, rerender;
} own_fields[] = {
	{ "image",         1, 0 },
	{ "image_url",     1, 0 },
	{ "name",          1, 1 },
	{ "bg_image_file", 1, 1 },
	{ "bg_image_url",  1, 1 },
	{ "save_as_new",   0, 1 },
};

/* The keys of the stored options that name the background image (not engine options). */
#define OPT_BG_URL  "bg_image_url"
#define OPT_BG_FILE "bg_image_file"

void rec_made_free(struct rec_made *m)
{
	rec_free(&m->rec);
	img_result_free(&m->res);
	img_result_free(&m->thumb);
	img_result_free(&m->orig_thumb);
	free(m->fetched);
	free(m->bg_fetched);
	free(m->opinion);
	free(m->options_json);
	memset(m, 0, sizeof *m);
}

/* -1 when name is no field of our own; else 1 when this kind of request accepts it. */
static int own_field(const char *name, int rerender)
{
	size_t i;

	for (i = 0; i < sizeof own_fields / sizeof own_fields[0]; i++)
		if (!strcmp(name, own_fields[i].name))
			return rerender ? own_fields[i].rerender : own_fields[i].upload;
	return -1;
}

/* The single file part called name: ERR_OK with *f (NULL when absent or an empty part,
 * which a browser sends for an unused file input). */
static enum err file_field(struct req *r, const struct fields *fs, const char *name, const struct field **f)
{
	*f = fields_get(fs, name);
	if (*f && !(*f)->filename)
		return req_fail(r, ERR_BAD_FIELD, "%s: must be a file", name);
	if (*f && (*f)->len == 0)
		*f = NULL;
	return ERR_OK;
}

/* The client-safe words for why the image in what (e.g. "image") cannot be used, for a
 * probe error e; info may hold its size. */
static enum err image_fail(struct req *r, const char *what, enum err e, const struct img_info *info,
                           const struct img_limits *lim)
{
	switch (e) {
	case ERR_NOT_IMAGE:
		return req_fail(r, e, "%s: the file is not an image", what);
	case ERR_UNSUPPORTED:
		return req_fail(r, e, "%s: this image format is not supported; use JPEG, PNG, WebP, GIF, "
		                "BMP, TIFF, AVIF or HEIC", what);
	case ERR_CORRUPT:
		return req_fail(r, e, "%s: the image file is damaged or incomplete", what);
	case ERR_TOO_MANY_PIXELS:
		if (info && info->width > 0 && info->height > 0)
			return req_fail(r, e, "%s: the image is %d x %d pixels (%.1f megapixels); the limit is "
			                "%.1f megapixels and %ld pixels on a side", what, info->width, info->height,
			                (double)info->width * info->height / 1e6, (double)lim->max_pixels / 1e6,
			                lim->max_width > lim->max_height ? lim->max_width : lim->max_height);
		return req_fail(r, e, "%s: the image has too many pixels; the limit is %.1f megapixels", what,
		                (double)lim->max_pixels / 1e6);
	default:
		return e;
	}
}

/* Probes bytes as the image `what`, telling "not an image" from "a format we do not
 * read". */
static enum err probe(struct req *r, const char *what, const void *p, size_t n,
                      const struct img_limits *lim, struct img_info *info)
{
	enum err e = img_probe(p, n, lim, info);

	if (e == ERR_UNSUPPORTED && !img_looks_like_image(p, n))
		e = ERR_NOT_IMAGE;
	return e ? image_fail(r, what, e, info, lim) : ERR_OK;
}

/* The options: base's (or none), each field of fs replacing one (empty: removed), and
 * the background keys (OPT_BG_URL, OPT_BG_FILE) set or removed by bg_image_url and
 * bg_image_file. Into js. */
static enum err merge(struct req *r, const struct fields *fs, int rerender, struct json_object *js)
{
	int i, own;

	for (i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];

		own = own_field(f->name, rerender);
		if (own == 0)
			return req_fail(r, ERR_BAD_FIELD, "%s: unknown field%s", f->name,
			                rerender ? " (a re-render uses the stored original)" : "");
		if (fields_count(fs, f->name) > 1)
			return req_fail(r, ERR_BAD_FIELD, "%s: given more than once", f->name);
		if (!strcmp(f->name, OPT_BG_FILE)) {
			if (f->filename && f->len) {
				json_object_object_del(js, OPT_BG_URL);
				json_object_object_add(js, OPT_BG_FILE, json_object_new_string("uploaded"));
			} else if (!f->filename && !f->len) {
				json_object_object_del(js, OPT_BG_URL);
				json_object_object_del(js, OPT_BG_FILE);
			} else if (!f->filename) {
				return req_fail(r, ERR_BAD_FIELD, "%s: must be a file (or empty to remove it)", f->name);
			}
			continue;
		}
		if (own > 0 && strcmp(f->name, OPT_BG_URL))
			continue;
		if (f->filename)
			return req_fail(r, ERR_BAD_FIELD, "%s: must not be a file", f->name);
		if (strlen(f->value) != f->len)
			return req_fail(r, ERR_BAD_FIELD, "%s: control characters are not allowed", f->name);
		if (!strcmp(f->name, OPT_BG_URL))
			json_object_object_del(js, OPT_BG_FILE);
		json_object_object_del(js, f->name);
		if (f->len)
			json_object_object_add(js, f->name, json_object_new_string(f->value));
	}
	return ERR_OK;
}

/* Applies every option of js (but the background keys) to o. */
static enum err apply(struct req *r, struct json_object *js, struct img_opts *o)
{
	char why[256];
	enum err e;

	json_object_object_foreach(js, key, v) {
		if (!strcmp(key, OPT_BG_URL) || !strcmp(key, OPT_BG_FILE))
			continue;
		*why = '\0';
		e = img_opts_set(o, key, json_object_get_string(v), why, sizeof why);
		if (e == ERR_NOT_FOUND)
			return req_fail(r, ERR_BAD_FIELD, "%s: unknown field", key);
		if (e)
			return req_fail(r, e, "%s", *why ? why : key);
	}
	return ERR_OK;
}

/* 1 when key is an option of the cutout itself (type, roi, hint_strokes, ...). */
static int cut_key(const char *key)
{
	static struct img_cutout_opts scratch;   /* written, never read: no request state */
	char why[8];

	return img_cutout_opt_set(&scratch, key, "", why, sizeof why) != ERR_NOT_FOUND;
}

/* 1 when key is absent from both a and b or has the same value in both. */
static int same_key(struct json_object *a, struct json_object *b, const char *key)
{
	struct json_object *va, *vb;
	int ha = json_object_object_get_ex(a, key, &va), hb = json_object_object_get_ex(b, key, &vb);

	return ha == hb && (!ha || !strcmp(json_object_get_string(va), json_object_get_string(vb)));
}

/* 1 when the cutout options of a and b are the same (each absent or equal). */
static int same_cut(struct json_object *a, struct json_object *b)
{
	json_object_object_foreach(a, ka, va)
		if (cut_key(ka) && !same_key(a, b, ka))
			return (void)va, 0;
	json_object_object_foreach(b, kb, vb)
		if (cut_key(kb) && !same_key(a, b, kb))
			return (void)vb, 0;
	return 1;
}

/* The record name: the name field, else base's, else the file name without folders or
 * extension, else "image". Into m->rec.name. */
static enum err name_of(struct req *r, const struct fields *fs, const struct rec_base *base,
                        const char *filename, struct rec_made *m)
{
	const struct field *f = fields_get(fs, "name");
	const char *why = NULL;
	char *s, *dot;
	enum err e;

	if (f && (f->filename || fields_count(fs, "name") > 1))
		return req_fail(r, ERR_BAD_FIELD, "name: one text field is expected");
	if (f && strlen(f->value) != f->len)
		return req_fail(r, ERR_BAD_FIELD, "name: control characters are not allowed");
	if (f && f->len) {
		if (!(m->rec.name = strdup(f->value)))
			return ERR_NOMEM;
		return (e = rec_name_check(m->rec.name, &why)) ? req_fail(r, e, "%s", why) : ERR_OK;
	}
	if (base)
		return (m->rec.name = strdup(base->rec->name)) ? ERR_OK : ERR_NOMEM;
	if (filename) {
		if ((s = strrchr(filename, '/')) || (s = strrchr(filename, '\\')))
			filename = s + 1;
		if (!(m->rec.name = strdup(filename)))
			return ERR_NOMEM;
		if ((dot = strrchr(m->rec.name, '.')) && dot != m->rec.name)
			*dot = '\0';
		if (!rec_name_check(m->rec.name, &why))
			return ERR_OK;
		free(m->rec.name);
	}
	return (m->rec.name = strdup("image")) ? ERR_OK : ERR_NOMEM;
}

/* Fetches url (a field called what) into *out. */
static enum err fetch(struct req *r, const char *what, const char *url, char **out, size_t *len)
{
	char why[200];
	enum err e = fetch_source(url, (size_t)conf_int("max_upload_bytes"), out, len, why, sizeof why);

	if (e == ERR_TOO_LARGE)
		return req_fail(r, e, "%s: the image is larger than the limit of %ld MB", what,
		                conf_int("max_upload_bytes") >> 20);
	return e ? req_fail(r, e, "%s: %s", what, why) : ERR_OK;
}

enum err rec_make(struct req *r, const struct fields *fs, const struct rec_base *base, struct rec_made *m)
{
	const struct field *image = NULL, *bgf = NULL, *url;
	struct json_object *js = NULL, *v;
	struct img_limits lim;
	struct img_info info, binfo;
	struct img_opts o;
	const void *src, *bg = NULL;
	size_t srclen, bglen = 0;
	const char *bgtype = NULL;
	char etag[33];
	enum err e;
	int k;

	memset(m, 0, sizeof *m);
	js = base ? json_tokener_parse(base->rec->options) : NULL;
	if (!json_object_is_type(js, json_type_object)) {
		json_object_put(js);
		js = json_object_new_object();
	}
	if (!js)
		return ERR_NOMEM;
	render_limits(&lim);
	if ((e = merge(r, fs, base != NULL, js)) || (e = file_field(r, fs, "bg_image_file", &bgf)))
		goto out;
	if (bgf && (url = fields_get(fs, OPT_BG_URL)) && url->len) {
		e = req_fail(r, ERR_BAD_FIELD, "bg_image_url: give a background file or a URL, not both");
		goto out;
	}
	/* The photo. */
	if (base) {
		src = base->original->data;
		srclen = base->original->len;
	} else {
		if ((e = file_field(r, fs, "image", &image)))
			goto out;
		url = fields_get(fs, "image_url");
		if (image && url && url->len) {
			e = req_fail(r, ERR_BAD_FIELD, "image_url: give a file or a URL, not both");
			goto out;
		}
		if (!image && (!url || !url->len)) {
			e = req_fail(r, ERR_MISSING_FIELD, "image: a photo (a file, or image_url) is required");
			goto out;
		}
		if (!image && (e = fetch(r, "image_url", url->value, &m->fetched, &srclen)))
			goto out;
		src = image ? image->value : m->fetched;
		srclen = image ? image->len : srclen;
	}
	if ((e = name_of(r, fs, base, image ? image->filename : NULL, m)) ||
	    (e = probe(r, "image", src, srclen, &lim, &info)))
		goto out;
	/* The options, and the background they name. */
	img_opts_init(&o);
	provider_attach(&o);
	if ((e = apply(r, js, &o)))
		goto out;
	if (bgf) {
		bg = bgf->value;
		bglen = bgf->len;
	} else if (json_object_object_get_ex(js, OPT_BG_URL, &v) &&
	           (fields_get(fs, OPT_BG_URL) || !base || !base->background)) {
		if ((e = fetch(r, OPT_BG_URL, json_object_get_string(v), &m->bg_fetched, &bglen)))
			goto out;
		bg = m->bg_fetched;
	} else if ((json_object_object_get_ex(js, OPT_BG_URL, NULL) ||
	            json_object_object_get_ex(js, OPT_BG_FILE, NULL)) && base && base->background) {
		bg = base->background->data;
		bglen = base->background->len;
	}
	if (bg) {
		if ((e = probe(r, "background", bg, bglen, &lim, &binfo)))
			goto out;
		bgtype = img_fmt_mime(binfo.fmt);
	}
	/* The stored cutout stands when the cut is asked the same way (the engine checks
	 * its size too); the network's kept opinion while the roi is the same. */
	o.keep_cutout = 1;
	o.cut.opinion_out = &m->opinion;
	o.cut.opinion_out_len = &m->opinion_len;
	if (base) {
		struct json_object *old = json_tokener_parse(base->rec->options);

		if (!json_object_is_type(old, json_type_object)) {
			json_object_put(old);
			old = json_object_new_object();
		}
		if (base->cutout && same_cut(old, js)) {
			o.cutout_in = base->cutout->data;
			o.cutout_in_len = base->cutout->len;
		}
		if (base->opinion && same_key(old, js, "roi")) {
			o.cut.opinion = base->opinion->data;
			o.cut.opinion_len = base->opinion->len;
		}
		json_object_put(old);
	}
	if ((e = img_process(src, srclen, &o, &lim, bg, bglen, NULL, 0, &m->res))) {
		log_info("records: the engine failed: %s", err_code(e));
		if (m->res.why[0])
			req_fail(r, e, "%s", m->res.why);
		goto out;
	}
	/* A re-render keeps the original's thumbnail (a new record from it gets one when it
	 * is first asked for: image.c). */
	if ((e = img_thumb(m->res.data, m->res.len, &lim, (int)conf_int("thumb_size"), &m->thumb)) ||
	    (!base && (e = img_thumb(src, srclen, &lim, (int)conf_int("thumb_size"), &m->orig_thumb))))
		goto out;
	if (base) {
		memcpy(m->rec.id, base->rec->id, sizeof m->rec.id);
		memcpy(m->rec.created_on, base->rec->created_on, sizeof m->rec.created_on);
	} else {
		if (!str_random_id(m->rec.id)) {
			e = ERR_INTERNAL;
			goto out;
		}
		rec_now(m->rec.created_on);
	}
	m->rec.width = m->res.width;
	m->rec.height = m->res.height;
	rec_etag(m->res.data, m->res.len, etag);
	memcpy(m->rec.version, etag, sizeof m->rec.version - 1);
	m->img[REC_ORIGINAL] = (struct rec_image){ .type = img_fmt_mime(info.fmt), .data = src,
		.len = srclen, .width = m->res.src_width, .height = m->res.src_height };
	m->img[REC_PROCESSED] = (struct rec_image){ .type = m->res.mime, .data = m->res.data,
		.len = m->res.len, .width = m->res.width, .height = m->res.height };
	m->img[REC_THUMB] = (struct rec_image){ .type = m->thumb.mime, .data = m->thumb.data,
		.len = m->thumb.len, .width = m->thumb.width, .height = m->thumb.height };
	if (m->orig_thumb.data)
		m->img[REC_ORIGINAL_THUMB] = (struct rec_image){ .type = m->orig_thumb.mime,
			.data = m->orig_thumb.data, .len = m->orig_thumb.len, .width = m->orig_thumb.width,
			.height = m->orig_thumb.height };
	if (m->res.cutout || m->res.cutout_reused)
		m->img[REC_CUTOUT] = (struct rec_image){ .type = img_fmt_mime(IMG_FMT_PNG),
			.data = m->res.cutout ? m->res.cutout : base->cutout->data,
			.len = m->res.cutout ? m->res.cutout_len : base->cutout->len,
			.width = m->res.cutout_width, .height = m->res.cutout_height };
	if (m->opinion || o.cut.opinion)
		m->img[REC_OPINION] = (struct rec_image){ .type = img_fmt_mime(IMG_FMT_PNG),
			.data = m->opinion ? m->opinion : o.cut.opinion,
			.len = m->opinion ? m->opinion_len : o.cut.opinion_len };
	if (bg)
		m->img[REC_BACKGROUND] = (struct rec_image){ .type = bgtype, .data = bg, .len = bglen,
			.width = binfo.width, .height = binfo.height };
	for (k = 0; k < REC__MAX; k++)
		m->rec.bytes[k] = (long)m->img[k].len;
	if (!(m->options_json = strdup(json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN))) ||
	    !(m->rec.options = strdup(m->options_json)))
		e = ERR_NOMEM;
out:
	json_object_put(js);
	return e;
}
