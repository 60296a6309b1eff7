/* composite.c: alpha-correct "over" blending with 8-bit straight alpha, and the layout
 * of a result canvas: size or crop, background, subject placement, scale, shadow. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "lim.h"
#include "pipeline.h"

#define OVER_THREADS     4         /* row bands blended in parallel */
#define OVER_PAR_PIXELS  (1 << 20) /* below this many pixels, one thread */

/* x / 255 rounded, exact for 0 <= x <= 65535 + 127. */
static inline uint32_t div255(uint32_t x)
{
	x += 128;
	return (x + (x >> 8)) >> 8;
}

struct over_job {
	struct img *dst;
	const struct img *src;
	int x, y, y0, y1, sx0, sx1, op;  /* rows y0..y1-1 of src, columns sx0..sx1-1 */
};

/*
 * One band. With an opaque destination: c = (s a + d (255 - a)) / 255, rounded. With
 * a destination alpha: ao = a + da (255 - a) / 255, c = (s a 255 + d da (255 - a)) /
 * (ao 255), the straight-alpha form of Porter-Duff over, rounded to nearest.
 */
static void *over_band(void *arg)
{
	const struct over_job *j = arg;
	int sw = img_w(j->src), dw = img_w(j->dst), sy, sx;

	for (sy = j->y0; sy < j->y1; sy++) {
		const int *s = j->src->gd->tpixels[sy];
		const uint8_t *sa = j->src->alpha ? j->src->alpha + (size_t)sy * sw : NULL;
		int *d = j->dst->gd->tpixels[sy + j->y] + j->x;
		uint8_t *da = j->dst->alpha ? j->dst->alpha + (size_t)(sy + j->y) * dw + j->x : NULL;

		for (sx = j->sx0; sx < j->sx1; sx++) {
			uint32_t a = sa ? sa[sx] : 255, p = (uint32_t)s[sx], q, na;

			if (j->op != 255)
				a = div255(a * (uint32_t)j->op);
			if (a == 0)
				continue;
			if (a == 255) {
				d[sx] = (int)(p & 0xFFFFFF);
				if (da)
					da[sx] = 255;
				continue;
			}
			q = (uint32_t)d[sx];
			na = 255 - a;
			if (!da || da[sx] == 255) {
				d[sx] = (int)(div255(((p >> 16) & 255) * a + ((q >> 16) & 255) * na) << 16 |
				              div255(((p >> 8) & 255) * a + ((q >> 8) & 255) * na) << 8 |
				              div255((p & 255) * a + (q & 255) * na));
			} else {
				uint32_t t = da[sx] * na, den = a * 255 + t, h = den / 2;
				uint32_t r = ((p >> 16 & 255) * a * 255 + (q >> 16 & 255) * t + h) / den;
				uint32_t g = ((p >> 8 & 255) * a * 255 + (q >> 8 & 255) * t + h) / den;
				uint32_t b = ((p & 255) * a * 255 + (q & 255) * t + h) / den;

				d[sx] = (int)(r << 16 | g << 8 | b);
				da[sx] = (uint8_t)((den + 127) / 255);
			}
		}
	}
	return NULL;
}

enum err img_over(struct img *dst, const struct img *src, int x, int y, int opacity)
{
	int sw = img_w(src), sh = img_h(src), dw = img_w(dst), dh = img_h(dst);
	int sx0 = x < 0 ? -x : 0, sy0 = y < 0 ? -y : 0;
	int sx1 = dw - x < sw ? dw - x : sw, sy1 = dh - y < sh ? dh - y : sh;
	struct over_job jobs[OVER_THREADS];
	pthread_t th[OVER_THREADS];
	int started[OVER_THREADS] = { 0 }, nt = 1, i;

	if (opacity <= 0 || sx1 <= sx0 || sy1 <= sy0)
		return ERR_OK;
	if (opacity > 255)
		opacity = 255;
	if ((long)(sx1 - sx0) * (sy1 - sy0) >= OVER_PAR_PIXELS)
		nt = OVER_THREADS;
	/* The destination pointer is offset by x: columns are indexed in src space. */
	for (i = 0; i < nt; i++) {
		jobs[i] = (struct over_job){ dst, src, x, y, sy0 + (sy1 - sy0) * i / nt,
		                             sy0 + (sy1 - sy0) * (i + 1) / nt, sx0, sx1, opacity };
		if (i > 0 && !pthread_create(&th[i], NULL, over_band, &jobs[i]))
			started[i] = 1;
	}
	over_band(&jobs[0]);
	for (i = 1; i < nt; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			over_band(&jobs[i]);   /* no thread: do the band here */
	}
	return ERR_OK;
}

/* Fills im with color 0xRRGGBBAA (color and alpha plane, when it has one). */
static void fill(struct img *im, uint32_t rgba)
{
	int w = img_w(im), h = img_h(im), x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			im->gd->tpixels[y][x] = (int)(rgba >> 8);
	if (im->alpha)
		memset(im->alpha, (int)(rgba & 255), (size_t)w * h);
}

/* Lays bg on canvas by fit, centered. */
static enum err place_bg(struct img *canvas, const struct img *bg, enum img_fit fit)
{
	int cw = img_w(canvas), ch = img_h(canvas), bw = img_w(bg), bh = img_h(bg), w, h;
	struct img tmp = { 0 };
	enum err e;

	if (fit == IMG_FIT_STRETCH) {
		w = cw;
		h = ch;
	} else {
		/* cover: the larger of the two scale factors; contain: the smaller. */
		int wide = (long long)cw * bh > (long long)ch * bw;  /* canvas wider than bg */

		if ((fit == IMG_FIT_COVER) == wide) {
			w = cw;
			h = (int)(((long long)bh * cw + bw / 2) / bw);
		} else {
			h = ch;
			w = (int)(((long long)bw * ch + bh / 2) / bh);
		}
		if (w < 1) w = 1;
		if (h < 1) h = 1;
	}
	if (w == bw && h == bh)
		return img_over(canvas, bg, (cw - w) / 2, (ch - h) / 2, 255);
	if ((e = img_resize(bg, w, h, &tmp)))
		return e;
	e = img_over(canvas, &tmp, (cw - w) / 2, (ch - h) / 2, 255);
	img_free(&tmp);
	return e;
}

/*
 * Blurs (the blurred background, the shadow) work on at most LIM_BLUR_PIXELS: a larger
 * picture is blurred as a reduced copy, its radius reduced alike, and scaled back up,
 * which the eye cannot tell from the full-size blur (and the scaling blurs too). So a
 * blur costs the same time and memory on a 50 MP image as on a 4 MP one. The radius
 * needs no budget of its own: a box pass costs the same for any radius.
 */
static double blur_scale(int w, int h)
{
	double px = (double)w * h;

	return px > LIM_BLUR_PIXELS ? sqrt(px / LIM_BLUR_PIXELS) : 1.0;
}

/* v / s rounded, at least 1. */
static int reduce(int v, double s)
{
	int r = (int)(v / s + 0.5);

	return r > 1 ? r : 1;
}

/* Draws the drop shadow of layer (placed at x, y) onto canvas: the layer's alpha,
 * padded by twice the radius and blurred (reduced first when that is over the blur
 * budget, and scaled back to full size before it is drawn). */
static enum err shadow(struct img *canvas, const struct img *layer, int x, int y,
                       const struct img_opts *o)
{
	int pad = o->shadow_blur * 2, lw = img_w(layer), lh = img_h(layer), j, sp, sw, sh_h;
	double s = blur_scale(lw + 2 * pad, lh + 2 * pad);
	struct img small = { 0 }, sh = { 0 }, full = { 0 };
	const struct img *src = layer, *draw = &sh;
	enum err e;

	if (s > 1.0) {
		if ((e = img_resize(layer, reduce(lw, s), reduce(lh, s), &small)))
			return e;
		src = &small;
	}
	sp = s > 1.0 ? (int)(pad / s + 0.5) : pad;
	sw = img_w(src);
	sh_h = img_h(src);
	if ((e = img_new(&sh, sw + 2 * sp, sh_h + 2 * sp, 1)))
		goto out;
	for (j = 0; j < sh_h; j++) {
		uint8_t *d = sh.alpha + (size_t)(j + sp) * img_w(&sh) + sp;

		if (src->alpha)
			memcpy(d, src->alpha + (size_t)j * sw, (size_t)sw);
		else
			memset(d, 255, (size_t)sw);
	}
	if ((e = img_blur_plane(sh.alpha, img_w(&sh), img_h(&sh), s > 1.0 ? reduce(o->shadow_blur, s) :
	                        o->shadow_blur)))
		goto out;
	if (s > 1.0) {
		if ((e = img_resize(&sh, lw + 2 * pad, lh + 2 * pad, &full)))
			goto out;
		draw = &full;
	}
	e = img_over(canvas, draw, x + o->shadow_x - pad, y + o->shadow_y - pad,
	             (o->shadow_opacity * 255 + 50) / 100);
out:
	img_free(&small);
	img_free(&sh);
	img_free(&full);
	return e;
}

/* The original blurred by radius r, as a background for place_bg() (which scales it to
 * the canvas): reduced to the blur budget first when larger. */
static enum err blurred(const struct img *orig, int r, struct img *out)
{
	double s = blur_scale(img_w(orig), img_h(orig));
	enum err e;

	if (s > 1.0)
		e = img_resize(orig, reduce(img_w(orig), s), reduce(img_h(orig), s), out);
	else
		e = img_copy(orig, out);
	return e ? e : img_blur(out, s > 1.0 ? reduce(r, s) : r);
}

static int pct_of(int v, int pct)
{
	return (int)(((long long)v * pct + 50) / 100);
}

enum err img_composite(const struct img *subject, struct img *bg, const struct img *orig,
                       const struct img_opts *o, const struct img_limits *lim,
                       struct img *out, struct img_rect *bbox)
{
	struct img_rect sb = img_alpha_bbox(subject), lr, vis;
	struct img layer = { 0 }, canvas = { 0 };
	const struct img *lp = subject;
	struct img_limits def;
	int cw, ch, lw, lh, x, y, whole, opaque_bg;
	enum err e = ERR_OK;

	out->gd = NULL;
	out->alpha = NULL;
	memset(bbox, 0, sizeof *bbox);
	img_limits_default(&def);
	if (lim) {
		if (lim->max_width > 0) def.max_width = lim->max_width;
		if (lim->max_height > 0) def.max_height = lim->max_height;
		if (lim->max_pixels > 0) def.max_pixels = lim->max_pixels;
	}
	/* The layer is the whole subject image, or its bounding box once the subject is
	 * cropped, scaled or positioned. */
	whole = !o->crop && !o->scale_pct && o->position == IMG_POS_ORIGINAL;
	lr = whole || !sb.w ? (struct img_rect){ 0, 0, img_w(subject), img_h(subject) } : sb;
	if (o->canvas_w) {
		cw = o->canvas_w;
		ch = o->canvas_h;
	} else if (o->crop) {
		int mt = o->margin_pct[0] ? pct_of(lr.h, o->margin[0]) : o->margin[0];
		int mr = o->margin_pct[1] ? pct_of(lr.w, o->margin[1]) : o->margin[1];
		int mb = o->margin_pct[2] ? pct_of(lr.h, o->margin[2]) : o->margin[2];
		int ml = o->margin_pct[3] ? pct_of(lr.w, o->margin[3]) : o->margin[3];

		cw = lr.w + ml + mr;
		ch = lr.h + mt + mb;
		lr.x -= ml;    /* so that the layer lands at (ml, mt) below */
		lr.y -= mt;
		if (cw < 1 || ch < 1)
			return ERR_BAD_FIELD;
	} else {
		cw = img_w(subject);
		ch = img_h(subject);
	}
	if (cw < 1 || ch < 1 || cw > def.max_width || ch > def.max_height ||
	    (long long)cw * ch > def.max_pixels)
		return ERR_TOO_MANY_PIXELS;
	lw = whole || !sb.w ? img_w(subject) : sb.w;
	lh = whole || !sb.w ? img_h(subject) : sb.h;
	if (!whole && sb.w && (sb.w != img_w(subject) || sb.h != img_h(subject))) {
		if ((e = img_crop(subject, sb, &layer)))
			goto out;
		lp = &layer;
	}
	if (o->scale_pct && sb.w) {
		double fx = (double)cw * o->scale_pct / 100 / lw, fy = (double)ch * o->scale_pct / 100 / lh;
		double f = fx < fy ? fx : fy;
		int nw = (int)(lw * f + 0.5), nh = (int)(lh * f + 0.5);
		struct img tmp = { 0 };

		nw = nw < 1 ? 1 : nw;
		nh = nh < 1 ? 1 : nh;
		if (nw != lw || nh != lh) {
			if ((e = img_resize(lp, nw, nh, &tmp)))
				goto out;
			img_free(&layer);
			layer = tmp;
			lp = &layer;
			lw = nw;
			lh = nh;
		}
	}
	/* Where the layer goes. */
	if (o->crop && !o->canvas_w) {
		x = -lr.x + (sb.w ? sb.x : 0);   /* the left and top margins */
		y = -lr.y + (sb.w ? sb.y : 0);
	} else if (o->position == IMG_POS_CENTER || (o->position == IMG_POS_ORIGINAL && !whole)) {
		x = (cw - lw) / 2;
		y = (ch - lh) / 2;
	} else if (o->position == IMG_POS_PERCENT) {
		x = (int)(((long long)(cw - lw) * o->pos_x_pct) / 100);
		y = (int)(((long long)(ch - lh) * o->pos_y_pct) / 100);
	} else {
		x = 0;
		y = 0;
	}
	if (o->has_offset) {
		x += o->offset_x;
		y += o->offset_y;
	}
	/* The canvas: a background image of exactly the canvas size becomes the canvas. */
	opaque_bg = (o->has_bg_color && (o->bg_color & 255) == 255);
	if (bg && bg->gd && img_w(bg) == cw && img_h(bg) == ch && !bg->alpha && !o->has_bg_color) {
		canvas = *bg;
		bg->gd = NULL;
		bg->alpha = NULL;
	} else {
		if ((e = img_new(&canvas, cw, ch, !opaque_bg)))
			goto out;
		if (o->has_bg_color)
			fill(&canvas, o->bg_color);
		if (bg && bg->gd)
			e = place_bg(&canvas, bg, o->bg_fit);
		else if (o->bg_blur > 0 && orig && orig->gd) {
			struct img blur = { 0 };

			if (!(e = blurred(orig, o->bg_blur, &blur)))
				e = place_bg(&canvas, &blur, IMG_FIT_COVER);
			img_free(&blur);
		}
		if (e)
			goto out;
	}
	if (sb.w) {
		if (o->shadow && (e = shadow(&canvas, lp, x, y, o)))
			goto out;
		if ((e = img_over(&canvas, lp, x, y, 255)))
			goto out;
		/* The visible foreground: the layer's own bbox, moved and clipped. */
		vis = img_alpha_bbox(lp);
		vis.x += x;
		vis.y += y;
		if (vis.x < 0) { vis.w += vis.x; vis.x = 0; }
		if (vis.y < 0) { vis.h += vis.y; vis.y = 0; }
		if (vis.x + vis.w > cw) vis.w = cw - vis.x;
		if (vis.y + vis.h > ch) vis.h = ch - vis.y;
		if (vis.w > 0 && vis.h > 0)
			*bbox = vis;
	}
	img_alpha_trim(&canvas);
	*out = canvas;
	canvas.gd = NULL;
	canvas.alpha = NULL;
out:
	img_free(&layer);
	img_free(&canvas);
	return e;
}
