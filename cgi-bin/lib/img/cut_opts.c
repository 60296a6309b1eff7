/* cut_opts.c: the cutout's option keys (type, roi, hint_strokes, semitransparency,
 * keep_alpha): strict text validation into struct img_cutout_opts. */
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <json-c/json.h>
#include "str.h"
#include "img.h"
#include "cutout.h"

static int bad(char *why, size_t n, const char *msg)
{
	if (why && n)
		snprintf(why, n, "%s", msg);
	return ERR_BAD_FIELD;
}

/* One roi coordinate: NUMBER followed by "px" or "%", or a bare NUMBER in pixels (as
 * crop_margin reads it; loose clients send "0 0 100% 100%"). Returns 1 or 0. */
static int parse_coord(const char *s, size_t len, struct img_cut_coord *c)
{
	char tmp[32];
	size_t ul;

	if (len >= 2 && s[len - 1] == '%') {
		ul = 1;
		c->pct = 1;
	} else if (len >= 3 && !strncmp(s + len - 2, "px", 2)) {
		ul = 2;
		c->pct = 0;
	} else if (len >= 1) {
		ul = 0;
		c->pct = 0;
	} else {
		return 0;
	}
	if (len - ul >= sizeof tmp)
		return 0;
	memcpy(tmp, s, len - ul);
	tmp[len - ul] = 0;
	if (c->pct)
		return str_to_double(tmp, 0, 100, &c->v);
	return str_to_double(tmp, 0, CUT_MAX_COORD, &c->v);
}

/* remove.bg's roi: four coordinates separated by single spaces. */
static enum err parse_roi(struct img_cutout_opts *o, const char *val, char *why, size_t n)
{
	const char *p = val, *e;
	int i;

	for (i = 0; i < 4; i++) {
		e = strchr(p, ' ');
		if (!e)
			e = p + strlen(p);
		if ((i < 3 && !*e) || (i == 3 && *e))
			return bad(why, n, "roi must be four values \"x1 y1 x2 y2\" in px or %");
		if (!parse_coord(p, (size_t)(e - p), &o->roi[i]))
			return bad(why, n, "roi values must be numbers in px (the default) or %");
		p = e + 1;
	}
	o->has_roi = 1;
	return ERR_OK;
}

/* A JSON number that is a finite integer-valued coordinate into *out. */
static int json_coord(struct json_object *j, int *out)
{
	double d;

	if (!j || !(json_object_is_type(j, json_type_int) || json_object_is_type(j, json_type_double)))
		return 0;
	d = json_object_get_double(j);
	if (!isfinite(d) || d < -CUT_MAX_COORD || d > CUT_MAX_COORD)
		return 0;
	*out = (int)lround(d);
	return 1;
}

/* hint_strokes: [{"points": [[x,y],...], "width": N, "label": "fg"|"bg"}, ...]. */
static enum err parse_strokes(struct img_cutout_opts *o, const char *val, char *why, size_t n)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL, *s, *pts, *pt, *w, *lab;
	size_t len = strlen(val), i, j, ns, np;
	int npts = 0, width, x, y;
	const char *l;
	enum err e = ERR_BAD_FIELD;

	if (len > CUT_MAX_STROKES_JSON) {
		bad(why, n, "hint_strokes is too long");
		goto out;
	}
	tok = json_tokener_new_ex(8);
	if (!tok) {
		e = ERR_NOMEM;
		goto out;
	}
	root = json_tokener_parse_ex(tok, val, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len || !json_object_is_type(root, json_type_array)) {
		bad(why, n, "hint_strokes must be a JSON list of strokes");
		goto out;
	}
	ns = json_object_array_length(root);
	if (ns > CUT_MAX_STROKES) {
		bad(why, n, "hint_strokes has too many strokes");
		goto out;
	}
	o->nstrokes = 0;
	o->npts = 0;
	for (i = 0; i < ns; i++) {
		s = json_object_array_get_idx(root, i);
		if (!json_object_is_type(s, json_type_object) ||
		    !json_object_object_get_ex(s, "points", &pts) ||
		    !json_object_is_type(pts, json_type_array)) {
			bad(why, n, "each stroke needs a \"points\" list");
			goto out;
		}
		width = 10;
		if (json_object_object_get_ex(s, "width", &w)) {
			if (!json_coord(w, &width) || width < 1 || width > CUT_MAX_STROKE_WIDTH) {
				bad(why, n, "stroke width must be a number from 1 to 2000");
				goto out;
			}
		}
		if (!json_object_object_get_ex(s, "label", &lab) ||
		    !json_object_is_type(lab, json_type_string)) {
			bad(why, n, "each stroke needs a \"label\": \"fg\" or \"bg\"");
			goto out;
		}
		l = json_object_get_string(lab);
		if (strcmp(l, "fg") && strcmp(l, "bg") && strcmp(l, "foreground") &&
		    strcmp(l, "background")) {
			bad(why, n, "stroke label must be \"fg\" or \"bg\"");
			goto out;
		}
		np = json_object_array_length(pts);
		if (np < 1 || np > (size_t)(CUT_MAX_POINTS - npts)) {
			bad(why, n, np < 1 ? "a stroke needs at least one point" :
			    "hint_strokes has too many points");
			goto out;
		}
		o->strokes[i].first = npts;
		o->strokes[i].npts = (int)np;
		o->strokes[i].width = width;
		o->strokes[i].fg = l[0] == 'f';
		for (j = 0; j < np; j++) {
			pt = json_object_array_get_idx(pts, j);
			if (!json_object_is_type(pt, json_type_array) ||
			    json_object_array_length(pt) != 2 ||
			    !json_coord(json_object_array_get_idx(pt, 0), &x) ||
			    !json_coord(json_object_array_get_idx(pt, 1), &y)) {
				bad(why, n, "a stroke point must be [x, y] numbers");
				goto out;
			}
			o->pts[npts][0] = x;
			o->pts[npts][1] = y;
			npts++;
		}
	}
	o->nstrokes = (int)ns;
	o->npts = npts;
	e = ERR_OK;
out:
	if (e)
		o->nstrokes = o->npts = 0;
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	return e;
}

enum err img_cutout_opt_set(struct img_cutout_opts *o, const char *key, const char *val,
                            char *why, size_t n)
{
	int b;

	if (!strcmp(key, "type")) {
		if (!strcmp(val, "auto"))
			o->type = IMG_CUT_AUTO;
		else if (!strcmp(val, "product"))
			o->type = IMG_CUT_PRODUCT;
		else if (!strcmp(val, "person"))
			o->type = IMG_CUT_PERSON;
		else
			return bad(why, n, "type must be auto, product or person");
		return ERR_OK;
	}
	if (!strcmp(key, "roi"))
		return parse_roi(o, val, why, n);
	if (!strcmp(key, "hint_strokes") || !strcmp(key, "strokes"))
		return parse_strokes(o, val, why, n);
	if (!strcmp(key, "semitransparency")) {
		if (!str_to_bool(val, &b))
			return bad(why, n, "semitransparency must be true or false");
		o->hard_edges = !b;
		return ERR_OK;
	}
	if (!strcmp(key, "keep_alpha")) {
		if (!str_to_bool(val, &b))
			return bad(why, n, "keep_alpha must be true or false");
		o->ignore_alpha = !b;
		return ERR_OK;
	}
	return ERR_NOT_FOUND;
}
