/* rec_make.c: an upload form through validation and the image engine into a record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "conf.h"
#include "log.h"
#include "rec_make.h"
#include "str.h"
#include "provider.h"

void rec_made_free(struct rec_made *m)
{
	rec_free(&m->rec);
	img_result_free(&m->res);
	img_result_free(&m->thumb);
	free(m->options_json);
	memset(m, 0, sizeof *m);
}

/* The single file part called name: ERR_OK with *f (NULL when absent and optional). */
static enum err file_field(struct req *r, const struct fields *fs, const char *name, int required,
                           const struct field **f)
{
	*f = fields_get(fs, name);
	if (fields_count(fs, name) > 1)
		return req_fail(r, ERR_BAD_FIELD, "%s: given more than once", name);
	if (*f && !(*f)->filename)
		return req_fail(r, ERR_BAD_FIELD, "%s: must be a file", name);
	if (*f && (*f)->len == 0 && !required) {
		*f = NULL;   /* a browser sends an empty part for an unused file input */
		return ERR_OK;
	}
	if (*f && (*f)->len == 0)
		return req_fail(r, ERR_MISSING_FIELD, "%s: the file is empty", name);
	if (!*f && required)
		return req_fail(r, ERR_MISSING_FIELD, "%s: a file is required", name);
	return ERR_OK;
}

/* Applies every processing option of fs to o and records them in the JSON object. */
static enum err options(struct req *r, const struct fields *fs, struct img_opts *o, struct json_object *js)
{
	char why[256];
	enum err e;
	int i;

	for (i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];

		if (!strcmp(f->name, "image") || !strcmp(f->name, "name") || !strcmp(f->name, "bg_image_file"))
			continue;
		if (fields_count(fs, f->name) > 1)
			return req_fail(r, ERR_BAD_FIELD, "%s: given more than once", f->name);
		if (f->filename)
			return req_fail(r, ERR_BAD_FIELD, "%s: must not be a file", f->name);
		if (f->len == 0)
			continue;
		*why = '\0';
		e = img_opts_set(o, f->name, f->value, why, sizeof why);
		if (e == ERR_NOT_FOUND)
			return req_fail(r, ERR_BAD_FIELD, "%s: unknown field", f->name);
		if (e)
			return req_fail(r, e, "%s", *why ? why : f->name);
		json_object_object_add(js, f->name, json_object_new_string(f->value));
	}
	return ERR_OK;
}

enum err rec_make(struct req *r, const struct fields *fs, struct rec_made *m)
{
	const struct field *image, *bg, *name;
	struct json_object *js = json_object_new_object();
	struct img_limits lim;
	struct img_info info;
	struct img_opts o;
	const char *why = NULL;
	enum err e;

	memset(m, 0, sizeof *m);
	if (!js)
		return ERR_NOMEM;
	if ((e = file_field(r, fs, "image", 1, &image)) || (e = file_field(r, fs, "bg_image_file", 0, &bg)))
		goto out;
	name = fields_get(fs, "name");
	if (!name || fields_count(fs, "name") > 1 || name->filename) {
		e = req_fail(r, name ? ERR_BAD_FIELD : ERR_MISSING_FIELD, "name: one text field is required");
		goto out;
	}
	if (strlen(name->value) != name->len) {
		e = req_fail(r, ERR_BAD_FIELD, "name: control characters are not allowed");
		goto out;
	}
	if (!(m->rec.name = strdup(name->value))) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = rec_name_check(m->rec.name, &why))) {
		e = req_fail(r, e, "%s", why);
		goto out;
	}
	img_opts_init(&o);
	provider_attach(&o);
	if ((e = options(r, fs, &o, js)))
		goto out;
	lim.max_width = conf_int("max_width");
	lim.max_height = conf_int("max_height");
	lim.max_pixels = conf_int("max_pixels");
	/* The original is stored with the type of our own detection. */
	if ((e = img_probe(image->value, image->len, &lim, &info)))
		goto out;
	if ((e = img_process(image->value, image->len, &o, &lim, bg ? bg->value : NULL, bg ? bg->len : 0,
	                     NULL, 0, &m->res))) {
		log_info("upload: the engine failed: %s", err_code(e));
		goto out;
	}
	if ((e = img_thumb(m->res.data, m->res.len, &lim, (int)conf_int("thumb_size"), &m->thumb)))
		goto out;
	if (!str_random_id(m->rec.id)) {
		e = ERR_INTERNAL;
		goto out;
	}
	rec_now(m->rec.created_on);
	m->rec.width = m->res.width;
	m->rec.height = m->res.height;
	m->img[REC_ORIGINAL] = (struct rec_image){ .type = img_fmt_mime(info.fmt), .data = image->value,
		.len = image->len, .width = m->res.src_width, .height = m->res.src_height };
	m->img[REC_PROCESSED] = (struct rec_image){ .type = m->res.mime, .data = m->res.data,
		.len = m->res.len, .width = m->res.width, .height = m->res.height };
	m->img[REC_THUMB] = (struct rec_image){ .type = m->thumb.mime, .data = m->thumb.data,
		.len = m->thumb.len, .width = m->thumb.width, .height = m->thumb.height };
	m->rec.bytes[REC_ORIGINAL] = (long)image->len;
	m->rec.bytes[REC_PROCESSED] = (long)m->res.len;
	m->rec.bytes[REC_THUMB] = (long)m->thumb.len;
	if (!(m->options_json = strdup(json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN))))
		e = ERR_NOMEM;
out:
	json_object_put(js);
	return e;
}
