/* options.c: the one option vocabulary (DESIGN.md section 5) parsed from text key/value
 * pairs, as the upload form, the JSON API, remove.bg's API and the command line give
 * them. Every validator rejects, never repairs. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "pipeline.h"
#include "lim.h"
#include "str.h"

/* Bounds of option values (validation ranges, not resource caps). */
#define OPT_MAX_OFFSET      65536   /* |overlay_template_x|, |shadow_x| ... in px */
#define OPT_MAX_BLUR        200     /* bg_blur, shadow_blur radius in px */
#define OPT_MAX_MARGIN_PX   500     /* crop_margin, as remove.bg */
#define OPT_MAX_MARGIN_PCT  50
#define SIZE_PREVIEW        250000L /* remove.bg's preview: up to 0.25 MP */
#define SIZE_MEDIUM         1500000L
#define SIZE_HD             4000000L
#define SIZE_4K             10000000L

const char *const img_opt_keys[] = {
	"mode", "type", "roi", "hint_strokes", "semitransparency", "keep_alpha",
	"canvas_size", "crop", "crop_margin", "bg_color", "bg_fit", "bg_blur",
	"position", "overlay_template_x", "overlay_template_y", "scale",
	"add_shadow", "shadow_opacity", "shadow_x", "shadow_y", "shadow_blur",
	"filter", "color", "format", "quality", "png_level", "channels", "size", NULL
};

/* CSS Color Module Level 4 named colors. */
static const struct {
	const char *name;
	uint32_t rgba;
} css[] = {
	{ "aliceblue", 0xF0F8FFFF },
	{ "antiquewhite", 0xFAEBD7FF },
	{ "aqua", 0x00FFFFFF },
	{ "aquamarine", 0x7FFFD4FF },
	{ "azure", 0xF0FFFFFF },
	{ "beige", 0xF5F5DCFF },
	{ "bisque", 0xFFE4C4FF },
	{ "black", 0x000000FF },
	{ "blanchedalmond", 0xFFEBCDFF },
	{ "blue", 0x0000FFFF },
	{ "blueviolet", 0x8A2BE2FF },
	{ "brown", 0xA52A2AFF },
	{ "burlywood", 0xDEB887FF },
	{ "cadetblue", 0x5F9EA0FF },
	{ "chartreuse", 0x7FFF00FF },
	{ "chocolate", 0xD2691EFF },
	{ "coral", 0xFF7F50FF },
	{ "cornflowerblue", 0x6495EDFF },
	{ "cornsilk", 0xFFF8DCFF },
	{ "crimson", 0xDC143CFF },
	{ "cyan", 0x00FFFFFF },
	{ "darkblue", 0x00008BFF },
	{ "darkcyan", 0x008B8BFF },
	{ "darkgoldenrod", 0xB8860BFF },
	{ "darkgray", 0xA9A9A9FF },
	{ "darkgreen", 0x006400FF },
	{ "darkgrey", 0xA9A9A9FF },
	{ "darkkhaki", 0xBDB76BFF },
	{ "darkmagenta", 0x8B008BFF },
	{ "darkolivegreen", 0x556B2FFF },
	{ "darkorange", 0xFF8C00FF },
	{ "darkorchid", 0x9932CCFF },
	{ "darkred", 0x8B0000FF },
	{ "darksalmon", 0xE9967AFF },
	{ "darkseagreen", 0x8FBC8FFF },
	{ "darkslateblue", 0x483D8BFF },
	{ "darkslategray", 0x2F4F4FFF },
	{ "darkslategrey", 0x2F4F4FFF },
	{ "darkturquoise", 0x00CED1FF },
	{ "darkviolet", 0x9400D3FF },
	{ "deeppink", 0xFF1493FF },
	{ "deepskyblue", 0x00BFFFFF },
	{ "dimgray", 0x696969FF },
	{ "dimgrey", 0x696969FF },
	{ "dodgerblue", 0x1E90FFFF },
	{ "firebrick", 0xB22222FF },
	{ "floralwhite", 0xFFFAF0FF },
	{ "forestgreen", 0x228B22FF },
	{ "fuchsia", 0xFF00FFFF },
	{ "gainsboro", 0xDCDCDCFF },
	{ "ghostwhite", 0xF8F8FFFF },
	{ "gold", 0xFFD700FF },
	{ "goldenrod", 0xDAA520FF },
	{ "gray", 0x808080FF },
	{ "green", 0x008000FF },
	{ "greenyellow", 0xADFF2FFF },
	{ "grey", 0x808080FF },
	{ "honeydew", 0xF0FFF0FF },
	{ "hotpink", 0xFF69B4FF },
	{ "indianred", 0xCD5C5CFF },
	{ "indigo", 0x4B0082FF },
	{ "ivory", 0xFFFFF0FF },
	{ "khaki", 0xF0E68CFF },
	{ "lavender", 0xE6E6FAFF },
	{ "lavenderblush", 0xFFF0F5FF },
	{ "lawngreen", 0x7CFC00FF },
	{ "lemonchiffon", 0xFFFACDFF },
	{ "lightblue", 0xADD8E6FF },
	{ "lightcoral", 0xF08080FF },
	{ "lightcyan", 0xE0FFFFFF },
	{ "lightgoldenrodyellow", 0xFAFAD2FF },
	{ "lightgray", 0xD3D3D3FF },
	{ "lightgreen", 0x90EE90FF },
	{ "lightgrey", 0xD3D3D3FF },
	{ "lightpink", 0xFFB6C1FF },
	{ "lightsalmon", 0xFFA07AFF },
	{ "lightseagreen", 0x20B2AAFF },
	{ "lightskyblue", 0x87CEFAFF },
	{ "lightslategray", 0x778899FF },
	{ "lightslategrey", 0x778899FF },
	{ "lightsteelblue", 0xB0C4DEFF },
	{ "lightyellow", 0xFFFFE0FF },
	{ "lime", 0x00FF00FF },
	{ "limegreen", 0x32CD32FF },
	{ "linen", 0xFAF0E6FF },
	{ "magenta", 0xFF00FFFF },
	{ "maroon", 0x800000FF },
	{ "mediumaquamarine", 0x66CDAAFF },
	{ "mediumblue", 0x0000CDFF },
	{ "mediumorchid", 0xBA55D3FF },
	{ "mediumpurple", 0x9370DBFF },
	{ "mediumseagreen", 0x3CB371FF },
	{ "mediumslateblue", 0x7B68EEFF },
	{ "mediumspringgreen", 0x00FA9AFF },
	{ "mediumturquoise", 0x48D1CCFF },
	{ "mediumvioletred", 0xC71585FF },
	{ "midnightblue", 0x191970FF },
	{ "mintcream", 0xF5FFFAFF },
	{ "mistyrose", 0xFFE4E1FF },
	{ "moccasin", 0xFFE4B5FF },
	{ "navajowhite", 0xFFDEADFF },
	{ "navy", 0x000080FF },
	{ "oldlace", 0xFDF5E6FF },
	{ "olive", 0x808000FF },
	{ "olivedrab", 0x6B8E23FF },
	{ "orange", 0xFFA500FF },
	{ "orangered", 0xFF4500FF },
	{ "orchid", 0xDA70D6FF },
	{ "palegoldenrod", 0xEEE8AAFF },
	{ "palegreen", 0x98FB98FF },
	{ "paleturquoise", 0xAFEEEEFF },
	{ "palevioletred", 0xDB7093FF },
	{ "papayawhip", 0xFFEFD5FF },
	{ "peachpuff", 0xFFDAB9FF },
	{ "peru", 0xCD853FFF },
	{ "pink", 0xFFC0CBFF },
	{ "plum", 0xDDA0DDFF },
	{ "powderblue", 0xB0E0E6FF },
	{ "purple", 0x800080FF },
	{ "rebeccapurple", 0x663399FF },
	{ "red", 0xFF0000FF },
	{ "rosybrown", 0xBC8F8FFF },
	{ "royalblue", 0x4169E1FF },
	{ "saddlebrown", 0x8B4513FF },
	{ "salmon", 0xFA8072FF },
	{ "sandybrown", 0xF4A460FF },
	{ "seagreen", 0x2E8B57FF },
	{ "seashell", 0xFFF5EEFF },
	{ "sienna", 0xA0522DFF },
	{ "silver", 0xC0C0C0FF },
	{ "skyblue", 0x87CEEBFF },
	{ "slateblue", 0x6A5ACDFF },
	{ "slategray", 0x708090FF },
	{ "slategrey", 0x708090FF },
	{ "snow", 0xFFFAFAFF },
	{ "springgreen", 0x00FF7FFF },
	{ "steelblue", 0x4682B4FF },
	{ "tan", 0xD2B48CFF },
	{ "teal", 0x008080FF },
	{ "thistle", 0xD8BFD8FF },
	{ "tomato", 0xFF6347FF },
	{ "turquoise", 0x40E0D0FF },
	{ "violet", 0xEE82EEFF },
	{ "wheat", 0xF5DEB3FF },
	{ "white", 0xFFFFFFFF },
	{ "whitesmoke", 0xF5F5F5FF },
	{ "yellow", 0xFFFF00FF },
	{ "yellowgreen", 0x9ACD32FF },
	{ "transparent", 0x00000000 },
};

void img_opts_init(struct img_opts *o)
{
	memset(o, 0, sizeof *o);
	o->mode = IMG_MODE_REMOVE;
	o->bg_fit = IMG_FIT_COVER;
	o->position = IMG_POS_ORIGINAL;
	o->shadow_opacity = 50;
	o->shadow_x = 8;
	o->shadow_y = 8;
	o->shadow_blur = 12;
	o->filter = IMG_FILTER_NONE;
	o->format = IMG_FMT_NONE;
	o->png_level = 2;
	o->channels = IMG_CH_RGBA;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int img_color_parse(const char *s, uint32_t *rgba)
{
	size_t n, i;
	uint32_t v = 0;
	const char *h = s;

	if (!s || !*s)
		return 0;
	for (i = 0; i < sizeof css / sizeof css[0]; i++)
		if (!strcasecmp(s, css[i].name)) {
			*rgba = css[i].rgba;
			return 1;
		}
	if (*h == '#')
		h++;
	n = strlen(h);
	if (n != 3 && n != 4 && n != 6 && n != 8)
		return 0;
	for (i = 0; i < n; i++) {
		int d = hexval((unsigned char)h[i]);

		if (d < 0)
			return 0;
		v = v << (n <= 4 ? 8 : 4) | (uint32_t)(n <= 4 ? d * 17 : d);
	}
	if (n == 3 || n == 6)
		v = v << 8 | 0xFF;
	*rgba = v;
	return 1;
}

static enum err bad(char *why, size_t n, const char *key, const char *msg)
{
	if (why && n)
		snprintf(why, n, "%s: %s", key, msg);
	return ERR_BAD_FIELD;
}

/* A whole number ending in `suffix` (e.g. "%" or "px"), in [min, max]. 1 or 0. */
static int parse_suffixed(const char *s, size_t len, const char *suffix, long min, long max, long *v)
{
	size_t sl = strlen(suffix);

	if (len <= sl || strncmp(s + len - sl, suffix, sl))
		return 0;
	return str_to_long_n(s, len - sl, min, max, v);
}

/* crop_margin: 1, 2 or 4 values, each "Npx", "N%" or "N" (px), space separated;
 * CSS order top right bottom left. */
static int parse_margin(const char *s, int *mv, int *mp)
{
	long v[4];
	int pct[4], k = 0, i;

	while (*s) {
		size_t len;
		long x;

		if (k == 4)
			return 0;
		len = strcspn(s, " ");
		if (!len)
			return 0;
		if (parse_suffixed(s, len, "%", 0, OPT_MAX_MARGIN_PCT, &x)) {
			pct[k] = 1;
		} else if (parse_suffixed(s, len, "px", 0, OPT_MAX_MARGIN_PX, &x) ||
		           str_to_long_n(s, len, 0, OPT_MAX_MARGIN_PX, &x)) {
			pct[k] = 0;
		} else {
			return 0;
		}
		v[k++] = x;
		s += len;
		if (*s == ' ' && !*++s)
			return 0;
	}
	if (k == 0 || k == 3)
		return 0;
	for (i = 0; i < 4; i++) {
		int from = k == 1 ? 0 : k == 2 ? i % 2 : i;

		mv[i] = (int)v[from];
		mp[i] = pct[from];
	}
	return 1;
}

/* One value from a table of names: sets *out to the index. 1 or 0. */
static int pick(const char *s, const char *const *names, int n, int *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i])) {
			*out = i;
			return 1;
		}
	return 0;
}

static const char *const mode_names[] = { "remove", "change", "filter" };
static const char *const fit_names[] = { "cover", "contain", "stretch" };
static const char *const filter_names[] = {
	"none", "red", "green", "blue", "no_red", "no_green", "no_blue", "grayscale", "sepia", "invert"
};
static const char *const ch_names[] = { "rgba", "alpha" };

enum err img_opts_set(struct img_opts *o, const char *key, const char *val, char *why, size_t n)
{
	enum err e;
	long v, v2;
	int i;

	if (!key || !val)
		return bad(why, n, key ? key : "(null)", "missing value");
	e = img_cutout_opt_set(&o->cut, key, val, why, n);
	if (e != ERR_NOT_FOUND)
		return e;
	if (!strcmp(key, "mode")) {
		if (!pick(val, mode_names, IMG_MODE__MAX, &i))
			return bad(why, n, key, "expected remove, change or filter");
		o->mode = (enum img_mode)i;
	} else if (!strcmp(key, "canvas_size")) {
		const char *x = strpbrk(val, "xX");

		if (!x || !str_to_long_n(val, (size_t)(x - val), 1, LIM_MAX_WIDTH, &v) ||
		    !str_to_long(x + 1, 1, LIM_MAX_HEIGHT, &v2))
			return bad(why, n, key, "expected WIDTHxHEIGHT, each 1..16384, e.g. 1920x1080");
		o->canvas_w = (int)v;
		o->canvas_h = (int)v2;
	} else if (!strcmp(key, "crop")) {
		if (!str_to_bool(val, &o->crop))
			return bad(why, n, key, "expected true or false");
	} else if (!strcmp(key, "crop_margin")) {
		int mv[4], mp[4];

		if (!parse_margin(val, mv, mp))
			return bad(why, n, key, "expected 1, 2 or 4 values, each 0..500px or 0..50%");
		memcpy(o->margin, mv, sizeof mv);
		memcpy(o->margin_pct, mp, sizeof mp);
	} else if (!strcmp(key, "bg_color")) {
		if (!img_color_parse(val, &o->bg_color))
			return bad(why, n, key, "expected #rgb, #rrggbb, #rrggbbaa or a CSS color name");
		o->has_bg_color = 1;
	} else if (!strcmp(key, "bg_fit")) {
		if (!pick(val, fit_names, IMG_FIT__MAX, &i))
			return bad(why, n, key, "expected cover, contain or stretch");
		o->bg_fit = (enum img_fit)i;
	} else if (!strcmp(key, "bg_blur")) {
		if (!str_to_long(val, 0, OPT_MAX_BLUR, &v))
			return bad(why, n, key, "expected a radius of 0..200 px");
		o->bg_blur = (int)v;
	} else if (!strcmp(key, "position")) {
		const char *sp = strchr(val, ' ');

		if (!strcmp(val, "original")) {
			o->position = IMG_POS_ORIGINAL;
		} else if (!strcmp(val, "center")) {
			o->position = IMG_POS_CENTER;
		} else if (parse_suffixed(val, sp ? (size_t)(sp - val) : strlen(val), "%", 0, 100, &v) &&
		           (!sp || parse_suffixed(sp + 1, strlen(sp + 1), "%", 0, 100, &v2))) {
			o->position = IMG_POS_PERCENT;
			o->pos_x_pct = (int)v;
			o->pos_y_pct = sp ? (int)v2 : (int)v;
		} else {
			return bad(why, n, key, "expected original, center, \"X%\" or \"X% Y%\" (0..100)");
		}
	} else if (!strcmp(key, "overlay_template_x") || !strcmp(key, "overlay_template_y")) {
		if (!str_to_long(val, -OPT_MAX_OFFSET, OPT_MAX_OFFSET, &v))
			return bad(why, n, key, "expected an integer offset in px (-65536..65536)");
		*(key[17] == 'x' ? &o->offset_x : &o->offset_y) = (int)v;
		o->has_offset = 1;
	} else if (!strcmp(key, "scale")) {
		if (!strcmp(val, "original"))
			o->scale_pct = 0;
		else if (parse_suffixed(val, strlen(val), "%", 10, 100, &v))
			o->scale_pct = (int)v;
		else
			return bad(why, n, key, "expected original or 10%..100%");
	} else if (!strcmp(key, "add_shadow") || !strcmp(key, "shadow")) {
		if (!str_to_bool(val, &o->shadow))
			return bad(why, n, key, "expected true or false");
	} else if (!strcmp(key, "shadow_opacity")) {
		if (!str_to_long(val, 0, 100, &v))
			return bad(why, n, key, "expected 0..100");
		o->shadow_opacity = (int)v;
	} else if (!strcmp(key, "shadow_x") || !strcmp(key, "shadow_y")) {
		if (!str_to_long(val, -OPT_MAX_OFFSET, OPT_MAX_OFFSET, &v))
			return bad(why, n, key, "expected an integer offset in px");
		*(key[7] == 'x' ? &o->shadow_x : &o->shadow_y) = (int)v;
	} else if (!strcmp(key, "shadow_blur")) {
		if (!str_to_long(val, 0, OPT_MAX_BLUR, &v))
			return bad(why, n, key, "expected a radius of 0..200 px");
		o->shadow_blur = (int)v;
	} else if (!strcmp(key, "filter") || !strcmp(key, "color")) {
		/* color: the color-filter app's name for it (it sent red, green or blue). */
		if (!pick(val, filter_names, IMG_FILTER__MAX, &i))
			return bad(why, n, key, "expected none, red, green, blue, no_red, no_green, "
			           "no_blue, grayscale, sepia or invert");
		o->filter = (enum img_filter)i;
	} else if (!strcmp(key, "format")) {
		if (!strcmp(val, "auto")) o->format = IMG_FMT_NONE;
		else if (!strcmp(val, "png")) o->format = IMG_FMT_PNG;
		else if (!strcmp(val, "webp")) o->format = IMG_FMT_WEBP;
		else if (!strcmp(val, "jpg") || !strcmp(val, "jpeg")) o->format = IMG_FMT_JPEG;
		else if (!strcmp(val, "avif")) o->format = IMG_FMT_AVIF;
		else return bad(why, n, key, "expected auto, png, webp, jpg or avif");
	} else if (!strcmp(key, "quality")) {
		if (!str_to_long(val, 1, 100, &v))
			return bad(why, n, key, "expected 1..100");
		o->quality = (int)v;
	} else if (!strcmp(key, "png_level")) {
		if (!str_to_long(val, 0, 9, &v))
			return bad(why, n, key, "expected a zlib level 0..9");
		o->png_level = (int)v;
	} else if (!strcmp(key, "channels")) {
		if (!pick(val, ch_names, IMG_CH__MAX, &i))
			return bad(why, n, key, "expected rgba or alpha");
		o->channels = (enum img_channels)i;
	} else if (!strcmp(key, "size")) {
		if (!strcmp(val, "preview") || !strcmp(val, "small") || !strcmp(val, "regular"))
			o->size_pixels = SIZE_PREVIEW;
		else if (!strcmp(val, "medium"))
			o->size_pixels = SIZE_MEDIUM;
		else if (!strcmp(val, "hd"))
			o->size_pixels = SIZE_HD;
		else if (!strcmp(val, "4k"))
			o->size_pixels = SIZE_4K;
		else if (!strcmp(val, "full") || !strcmp(val, "auto") || !strcmp(val, "50MP"))
			o->size_pixels = 0;
		else
			return bad(why, n, key, "expected preview, small, regular, medium, hd, 4k, full or auto");
	} else {
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}
