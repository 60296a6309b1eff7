/* test_cutout.c: the automatic cutout on generated photos: accuracy on plain, gradient,
 * noisy and chroma backgrounds, determinism, bad input, roi and hints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "img.h"
#include "cutout.h"

static unsigned rnd_state = 12345;
static int rnd(int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (int)((rnd_state >> 16) % (unsigned)n);
}

/* A w x h picture: background by kind (0 plain, 1 gradient, 2 noisy, 3 green screen),
 * a subject where inside(x, y) with color fg; truth[] gets 255 inside. */
static struct img scene(int w, int h, int kind, int fg, int (*inside)(int, int, int, int),
                        uint8_t *truth)
{
	struct img im = { 0 };
	int x, y, c;

	im.gd = gdImageCreateTrueColor(w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			int in = inside(x, y, w, h);
			if (in)
				c = fg;
			else if (kind == 0)
				c = 0xf0f0f0;
			else if (kind == 1)
				c = gdTrueColorAlpha(200 + 40 * y / h, 205 + 40 * y / h, 215 + 30 * x / w, 0);
			else if (kind == 2) {
				int v = 150 + rnd(40);
				c = gdTrueColorAlpha(v, v + 10, v - 20 + rnd(20), 0);
			} else
				c = gdTrueColorAlpha(30 + rnd(10), 180 + rnd(20), 40 + rnd(10), 0);
			im.gd->tpixels[y][x] = c;
			if (truth)
				truth[(size_t)y * w + x] = in ? 255 : 0;
		}
	return im;
}

static int disk(int x, int y, int w, int h)
{
	int dx = x - w / 2, dy = y - h / 2, r = (w < h ? w : h) / 3;
	return dx * dx + dy * dy <= r * r;
}

static int rect(int x, int y, int w, int h)
{
	return x > w / 4 && x < 3 * w / 4 && y > h / 5 && y < 4 * h / 5;
}

/* A plus sign whose arms reach every side of the frame. */
static int plus(int x, int y, int w, int h)
{
	return (x > 2 * w / 5 && x < 3 * w / 5) || (y > 2 * h / 5 && y < 3 * h / 5);
}

static int nothing(int x, int y, int w, int h)
{
	(void)x, (void)y, (void)w, (void)h;
	return 0;
}

/* A product on a studio floor: a wall above, a floor of another color below (each
 * with some noise when noisy), or a smooth white-to-gray sweep; a subject with a little
 * texture standing there and running out of the bottom of the frame (a vase: a brown
 * body, on a plain backdrop with a dark textured base). truth[] gets 255 on it. */
static struct img floor_scene(int w, int h, int noisy, int gradient, uint8_t *truth)
{
	struct img im = { 0 };
	int x, y;

	im.gd = gdImageCreateTrueColor(w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			int n = noisy ? rnd(13) - 6 : 0, t = rnd(13) - 6, c;
			int dx = x - w / 2, in = dx * dx * 9 < w * w && y > h / 4;
			if (in && y > h * 4 / 5 && !noisy)
				c = gdTrueColorAlpha(45 + 3 * t, 35 + 3 * t, 30 + 3 * t, 0);  /* base */
			else if (in)
				c = gdTrueColorAlpha(150 + t, 90 + t, 50 + t, 0);             /* body */
			else if (gradient)
				c = gdTrueColorAlpha(245 - 40 * y / h, 245 - 40 * y / h, 248 - 38 * y / h, 0);
			else if (y < h * 3 / 5)
				c = gdTrueColorAlpha(225 + n, 222 + n, 214 + n, 0);           /* wall */
			else
				c = gdTrueColorAlpha(120 + n, 140 + n, 160 + n, 0);           /* floor */
			im.gd->tpixels[y][x] = c;
			if (truth)
				truth[(size_t)y * w + x] = in ? 255 : 0;
		}
	return im;
}

/* A scene: a blue sky fading softly (rows 30 to 70) into textured reddish ground, and
 * a cream subject rising from the bottom edge (a half ellipse). The frame's backdrop
 * chain is the sky alone, so the ground at the sides looks like subject to it; the
 * open frame (all but the bottom edge) sees it right. truth[] gets 255 on the subject. */
static struct img horizon_scene(int w, int h, uint8_t *truth)
{
	struct img im = { 0 };
	int x, y;

	im.gd = gdImageCreateTrueColor(w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			long dx = x - w / 2, dy = y - h, rx = w * 7 / 30, ry = h * 3 / 5;
			int in = dx * dx * ry * ry + dy * dy * rx * rx <= rx * rx * ry * ry, c;
			double t = (y - 30) / 40.0;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			if (in) {
				int n = rnd(9) - 4;
				c = gdTrueColorAlpha(240 + n, 226 + n, 200 + n, 0);
			} else {
				c = gdTrueColorAlpha((int)((1 - t) * 90 + t * (160 + rnd(60))),
				                     (int)((1 - t) * 140 + t * (80 + rnd(40))),
				                     (int)((1 - t) * 210 + t * (50 + rnd(30))), 0);
			}
			im.gd->tpixels[y][x] = c;
			truth[(size_t)y * w + x] = in ? 255 : 0;
		}
	return im;
}

static double iou(const uint8_t *a, const uint8_t *truth, size_t n)
{
	size_t i, in = 0, un = 0;

	for (i = 0; i < n; i++) {
		in += a[i] >= 128 && truth[i] >= 128;
		un += a[i] >= 128 || truth[i] >= 128;
	}
	return un ? (double)in / un : 1;
}

static double cut_iou(int w, int h, int kind, int fg, int (*in)(int, int, int, int),
                      struct img_cutout_opts *o, int *flags)
{
	uint8_t *truth = malloc((size_t)w * h);
	struct img src = scene(w, h, kind, fg, in, truth), out = { 0 };
	struct img_rect bb;
	double r = -1;

	if (!img_cutout(&src, o, &out, &bb, flags))
		r = iou(out.alpha, truth, (size_t)w * h);
	img_free(&src);
	img_free(&out);
	free(truth);
	return r;
}

int main(void)
{
	struct img_cutout_opts o;
	struct img src = { 0 }, out = { 0 }, out2 = { 0 };
	struct img_rect bb;
	char why[256];
	int flags = 0, x, y, ok1;
	double v;
	size_t i, n;

	memset(&o, 0, sizeof o);
	o.no_cache = 1;
	/* option parsing */
	is_int(img_cutout_opt_set(&o, "type", "product", why, sizeof why), ERR_OK, "type=product");
	is_int(o.type, IMG_CUT_PRODUCT, "type set");
	is_int(img_cutout_opt_set(&o, "type", "robot", why, sizeof why), ERR_BAD_FIELD, "bad type");
	is_int(img_cutout_opt_set(&o, "roi", "0% 0% 100% 100%", why, sizeof why), ERR_OK, "roi %");
	is_int(img_cutout_opt_set(&o, "roi", "10px 20px 300px 400px", why, sizeof why), ERR_OK, "roi px");
	is_int(o.roi[3].v == 400 && !o.roi[3].pct, 1, "roi px value");
	is_int(img_cutout_opt_set(&o, "roi", "10 20 30 40", why, sizeof why), ERR_OK, "roi without a unit (pixels)");
	ok(!o.roi[2].pct && o.roi[2].v == 30, "a bare roi number is pixels");
	is_int(img_cutout_opt_set(&o, "roi", "0 0 100% 100%", why, sizeof why), ERR_OK, "roi mixing bare zeros and %");
	is_int(img_cutout_opt_set(&o, "roi", "10 20 30 4x", why, sizeof why), ERR_BAD_FIELD, "roi with a bad unit");
	is_int(img_cutout_opt_set(&o, "roi", "1px 2px 3px", why, sizeof why), ERR_BAD_FIELD, "roi 3 values");
	is_int(img_cutout_opt_set(&o, "roi", "0% 0% 101% 10%", why, sizeof why), ERR_BAD_FIELD, "roi 101%");
	is_int(img_cutout_opt_set(&o, "hint_strokes", "[{\"points\": [[1,2],[3,4]], \"width\": 5, \"label\": \"fg\"}]",
	                          why, sizeof why), ERR_OK, "strokes ok");
	is_int(o.nstrokes == 1 && o.npts == 2 && o.strokes[0].fg && o.strokes[0].width == 5, 1, "strokes parsed");
	is_int(img_cutout_opt_set(&o, "hint_strokes", "[{\"points\": [[1]], \"label\": \"fg\"}]", why, sizeof why),
	       ERR_BAD_FIELD, "stroke point needs 2 numbers");
	is_int(img_cutout_opt_set(&o, "hint_strokes", "[{\"points\": [[1,2]], \"label\": \"x\"}]", why, sizeof why),
	       ERR_BAD_FIELD, "stroke label checked");
	is_int(img_cutout_opt_set(&o, "hint_strokes", "{", why, sizeof why), ERR_BAD_FIELD, "strokes bad json");
	is_int(img_cutout_opt_set(&o, "semitransparency", "maybe", why, sizeof why), ERR_BAD_FIELD, "bad bool");
	is_int(img_cutout_opt_set(&o, "keep_alpha", "false", why, sizeof why), ERR_OK, "keep_alpha");
	is_int(o.ignore_alpha, 1, "keep_alpha=false sets ignore_alpha");
	is_int(img_cutout_opt_set(&o, "bg_color", "red", why, sizeof why), ERR_NOT_FOUND, "other keys not ours");
	memset(&o, 0, sizeof o);
	o.no_cache = 1;

	/* accuracy on generated scenes */
	v = cut_iou(240, 180, 0, 0xc02020, disk, &o, &flags);
	ok(v > 0.97, "red disk on plain background: IoU %.3f > 0.97", v);
	v = cut_iou(240, 180, 1, 0x203080, rect, &o, &flags);
	ok(v > 0.95, "blue rectangle on gradient: IoU %.3f > 0.95", v);
	v = cut_iou(240, 180, 2, 0xe0d020, disk, &o, &flags);
	ok(v > 0.93, "yellow disk on noisy background: IoU %.3f > 0.93", v);
	v = cut_iou(200, 200, 0, 0x208020, plus, &o, &flags);
	ok(v > 0.90, "subject touching every border: IoU %.3f > 0.90", v);
	v = cut_iou(240, 180, 3, 0xc04040, disk, &o, &flags);
	ok(v > 0.97, "green screen keyed: IoU %.3f > 0.97", v);
	ok(flags & IMG_CUT_KEYED, "green screen detected");

	/* a subject running out of the bottom of the frame, on a floor and on a gradient */
	{
		static const char *what[3] = { "plain floor", "noisy floor", "gradient sweep" };
		int k;
		for (k = 0; k < 3; k++) {
			int w = 240, h = 180, kept = 0, floor = 0;
			uint8_t *truth = malloc((size_t)w * h);
			src = floor_scene(w, h, k == 1, k == 2, truth);
			ok(!img_cutout(&src, &o, &out, &bb, &flags), "%s: cut", what[k]);
			v = iou(out.alpha, truth, (size_t)w * h);
			ok(v > 0.93, "%s: IoU %.3f > 0.93", what[k], v);
			for (x = 0; x < w; x++) {
				size_t q = (size_t)(h - 1) * w + x;
				kept += truth[q] && out.alpha[q] >= 128;
				floor += !truth[q] && out.alpha[q] >= 128;
			}
			ok(kept > 2 * w / 3 - 8, "%s: the subject reaches the bottom edge (%d px)",
			   what[k], kept);
			is_int(floor, 0, "%s: no floor at the bottom edge is foreground", what[k]);
			for (i = 0, n = 0; i < (size_t)w * h; i++)
				n += !out.alpha[i] && (out.gd->tpixels[i / w][i % w] & 0xffffff);
			is_int(n, 0, "%s: fully transparent pixels carry no color", what[k]);
			img_free(&out);
			img_free(&src);
			free(truth);
		}
	}

	/* A scene whose backdrop is not a chain of the frame: both frame hypotheses run
	 * (on two threads) and the open frame's cut wins. */
	{
		uint8_t *truth = malloc(300 * 200);
		struct img sc = horizon_scene(300, 200, truth);
		double r = -1;

		ok1 = !img_cutout(&sc, &o, &out, &bb, &flags) && !img_cutout(&sc, &o, &out2, &bb, &flags);
		if (ok1)
			r = iou(out.alpha, truth, 300 * 200);
		ok(r >= 0.9, "subject rising from the bottom under a soft horizon: IoU %.3f >= 0.9", r);
		ok(ok1 && !memcmp(out.alpha, out2.alpha, 300 * 200), "the two-hypothesis cut is deterministic");
		img_free(&out);
		img_free(&out2);
		img_free(&sc);
		free(truth);
	}

	/* determinism */
	src = scene(160, 120, 2, 0x2060c0, disk, NULL);
	ok1 = !img_cutout(&src, &o, &out, &bb, &flags) && !img_cutout(&src, &o, &out2, &bb, &flags);
	ok(ok1 && !memcmp(out.alpha, out2.alpha, 160 * 120), "same input, same matte");
	ok(ok1 && bb.w > 0 && bb.x > 10 && bb.x + bb.w < 150, "bounding box around the subject");
	img_free(&out);
	img_free(&out2);

	/* roi */
	is_int(img_cutout_opt_set(&o, "roi", "0px 0px 80px 120px", why, sizeof why), ERR_OK, "roi left half");
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "cut with roi");
	for (y = 0, n = 0; y < 120; y++)
		for (x = 80; x < 160; x++)
			n += out.alpha[y * 160 + x] != 0;
	is_int(n, 0, "nothing outside the roi is foreground");
	ok(out.alpha[60 * 160 + 70] == 255, "inside the roi the subject stays (%d)", out.alpha[60 * 160 + 70]);
	img_free(&out);
	img_cutout_opt_set(&o, "roi", "0px 0px 161px 120px", why, sizeof why);
	is_int(img_cutout_why(&src, &o, &out, &bb, &flags, why, sizeof why), ERR_BAD_FIELD, "roi beyond the image");
	ok(!strncmp(why, "roi_exceeds_bounds", 18), "reason roi_exceeds_bounds: %s", why);
	img_cutout_opt_set(&o, "roi", "50% 10% 50% 90%", why, sizeof why);
	is_int(img_cutout_why(&src, &o, &out, &bb, &flags, why, sizeof why), ERR_BAD_FIELD, "empty roi");
	ok(!strncmp(why, "roi_region_empty", 16), "reason roi_region_empty: %s", why);
	o.has_roi = 0;

	/* hints are hard constraints, strokes outside the image are clipped, cache */
	o.no_cache = 0;
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "first cut (fills the cache)");
	img_free(&out);
	is_int(img_cutout_opt_set(&o, "hint_strokes",
	       "[{\"points\": [[5,5],[40,5]], \"width\": 6, \"label\": \"fg\"},"
	       " {\"points\": [[80,60]], \"width\": 10, \"label\": \"bg\"},"
	       " {\"points\": [[-500,-500],[-400,9000]], \"width\": 30, \"label\": \"bg\"}]",
	       why, sizeof why), ERR_OK, "strokes set");
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "hinted cut");
	ok(flags & IMG_CUT_CACHED, "the hinted cut reuses the cached work");
	ok(out.alpha[5 * 160 + 20] == 255, "foreground stroke is foreground");
	ok(out.alpha[60 * 160 + 80] == 0, "background stroke is background");
	img_free(&out);
	o.nstrokes = o.npts = 0;

	/* hint mask of the wrong size */
	{
		gdImagePtr m = gdImageCreateTrueColor(10, 20);
		int len = 0;
		void *png = gdImagePngPtr(m, &len);
		o.hint_mask = png;
		o.hint_mask_len = (size_t)len;
		is_int(img_cutout_why(&src, &o, &out, &bb, &flags, why, sizeof why), ERR_BAD_FIELD,
		       "hint mask of another size");
		ok(strstr(why, "10x20") && strstr(why, "160x120"), "reason names both sizes: %s", why);
		o.hint_mask = NULL;
		o.hint_mask_len = 0;
		gdFree(png);
		gdImageDestroy(m);
	}
	/* a decoded hint plane: white foreground on the background */
	{
		uint8_t *pl = calloc(160 * 120, 1);
		memset(pl, 128, 160 * 120);
		pl[100 * 160 + 150] = 255;
		pl[60 * 160 + 80] = 0;
		o.hint_plane = pl;
		o.hint_w = 160;
		o.hint_h = 120;
		ok(!img_cutout(&src, &o, &out, &bb, &flags), "cut with a hint plane");
		ok(out.alpha[100 * 160 + 150] == 255 && out.alpha[60 * 160 + 80] == 0, "hint plane obeyed");
		img_free(&out);
		o.hint_plane = NULL;
		free(pl);
	}
	o.no_cache = 1;
	img_free(&src);

	/* 1x1 and uniform images */
	src = scene(1, 1, 0, 0, nothing, NULL);
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "1x1 image");
	img_free(&out);
	img_free(&src);
	src = scene(120, 90, 0, 0, nothing, NULL);
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "uniform image");
	ok(flags & IMG_CUT_NO_SUBJECT, "uniform image: no subject flag");
	for (i = 0, n = 0; i < 120 * 90; i++)
		n += out.alpha[i];
	is_int(n, 0, "uniform image: all transparent");
	is_int(bb.w, 0, "uniform image: empty bounding box");
	img_free(&out);

	/* an image with its own transparency keeps it */
	src.alpha = malloc(120 * 90);
	for (i = 0; i < 120 * 90; i++)
		src.alpha[i] = (uint8_t)(i % 251);
	ok(!img_cutout(&src, &o, &out, &bb, &flags), "image with alpha");
	ok((flags & IMG_CUT_KEPT_ALPHA) && !memcmp(out.alpha, src.alpha, 120 * 90), "alpha kept");
	img_free(&out);
	o.ignore_alpha = 1;
	ok(!img_cutout(&src, &o, &out, &bb, &flags) && !(flags & IMG_CUT_KEPT_ALPHA), "keep_alpha=false cuts");
	img_free(&out);
	img_free(&src);

	/* green screen spill is suppressed */
	{
		int spill = 0;
		src = scene(200, 150, 3, 0xc06050, disk, NULL);
		for (y = 0; y < 150; y++)   /* a green cast on the subject's left half */
			for (x = 0; x < 100; x++)
				if (disk(x, y, 200, 150))
					src.gd->tpixels[y][x] = 0xb09050;
		ok(!img_cutout(&src, &o, &out, &bb, &flags) && (flags & IMG_CUT_KEYED), "keyed with spill");
		for (y = 0; y < 150; y++)
			for (x = 0; x < 200; x++) {
				int c = out.gd->tpixels[y][x];
				if (out.alpha[y * 200 + x] > 0 &&
				    gdTrueColorGetGreen(c) > gdTrueColorGetRed(c) + 2)
					spill++;
			}
		is_int(spill, 0, "no green spill left on the subject");
		img_free(&out);
		img_free(&src);
	}
	tap_done();
}
