/* img.c: the engine's pixel containers: make, copy, crop, resize and blur images
 * (gd truecolor color plus an 8-bit alpha plane), working on rows, not gd calls. */
#include <stdlib.h>
#include <string.h>
#include "img.h"

void img_free(struct img *im)
{
	if (!im)
		return;
	if (im->gd)
		gdImageDestroy(im->gd);
	free(im->alpha);
	im->gd = NULL;
	im->alpha = NULL;
}

enum err img_new(struct img *im, int w, int h, int with_alpha)
{
	im->gd = NULL;
	im->alpha = NULL;
	if (w < 1 || h < 1 || (size_t)w > SIZE_MAX / 4 / (size_t)h || w > INT32_MAX / 4)
		return ERR_TOO_MANY_PIXELS;
	im->gd = gdImageCreateTrueColor(w, h);
	if (!im->gd)
		return ERR_NOMEM;
	gdImageAlphaBlending(im->gd, 0);
	gdImageSaveAlpha(im->gd, 1);
	if (with_alpha && !(im->alpha = calloc((size_t)w * h, 1))) {
		img_free(im);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

enum err img_copy(const struct img *src, struct img *dst)
{
	int w = img_w(src), h = img_h(src), y;
	enum err e;

	if ((e = img_new(dst, w, h, src->alpha != NULL)))
		return e;
	for (y = 0; y < h; y++)
		memcpy(dst->gd->tpixels[y], src->gd->tpixels[y], (size_t)w * sizeof(int));
	if (src->alpha)
		memcpy(dst->alpha, src->alpha, (size_t)w * h);
	return ERR_OK;
}

enum err img_alpha_ensure(struct img *im)
{
	size_t n = (size_t)img_w(im) * img_h(im);

	if (im->alpha)
		return ERR_OK;
	if (!(im->alpha = malloc(n)))
		return ERR_NOMEM;
	memset(im->alpha, 255, n);
	return ERR_OK;
}

int img_alpha_trim(struct img *im)
{
	size_t n = (size_t)img_w(im) * img_h(im), i;

	if (!im->alpha)
		return 0;
	for (i = 0; i < n; i++)
		if (im->alpha[i] != 255)
			return 1;
	free(im->alpha);
	im->alpha = NULL;
	return 0;
}

struct img_rect img_alpha_bbox(const struct img *im)
{
	struct img_rect r = { 0, 0, img_w(im), img_h(im) };
	int w = img_w(im), h = img_h(im), x, y, x0 = w, x1 = -1, y0 = h, y1 = -1;

	if (!im->alpha)
		return r;
	for (y = 0; y < h; y++) {
		const uint8_t *a = im->alpha + (size_t)y * w;
		int l = -1, rr = -1;

		for (x = 0; x < w; x++)
			if (a[x]) {
				l = x;
				break;
			}
		if (l < 0)
			continue;
		for (x = w - 1; x >= l; x--)
			if (a[x]) {
				rr = x;
				break;
			}
		if (l < x0) x0 = l;
		if (rr > x1) x1 = rr;
		if (y < y0) y0 = y;
		y1 = y;
	}
	if (x1 < 0) {
		r.w = r.h = 0;
		return r;
	}
	r.x = x0;
	r.y = y0;
	r.w = x1 - x0 + 1;
	r.h = y1 - y0 + 1;
	return r;
}

enum err img_crop(const struct img *src, struct img_rect r, struct img *dst)
{
	int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
	int x1 = r.x + r.w > img_w(src) ? img_w(src) : r.x + r.w;
	int y1 = r.y + r.h > img_h(src) ? img_h(src) : r.y + r.h, y;
	enum err e;

	if (x1 <= x0 || y1 <= y0)
		return ERR_TOO_MANY_PIXELS;
	if ((e = img_new(dst, x1 - x0, y1 - y0, src->alpha != NULL)))
		return e;
	for (y = y0; y < y1; y++) {
		memcpy(dst->gd->tpixels[y - y0], src->gd->tpixels[y] + x0, (size_t)(x1 - x0) * sizeof(int));
		if (src->alpha)
			memcpy(dst->alpha + (size_t)(y - y0) * (x1 - x0),
			       src->alpha + (size_t)y * img_w(src) + x0, (size_t)(x1 - x0));
	}
	return ERR_OK;
}

/* Resampling weights of one axis: for each output index, a run of source indices with
 * 16.16-free float weights summing to 1 (a triangle filter of support max(1, scale)). */
struct taps {
	int *start, *count;
	float *w;
	int maxc;
};

static void taps_free(struct taps *t)
{
	free(t->start);
	free(t->count);
	free(t->w);
}

static enum err taps_make(struct taps *t, int in, int out)
{
	double scale = (double)in / out, support = scale > 1 ? scale : 1;
	int i, j;

	t->maxc = (int)(2 * support) + 3;
	t->start = malloc(sizeof(int) * (size_t)out);
	t->count = malloc(sizeof(int) * (size_t)out);
	t->w = malloc(sizeof(float) * (size_t)out * (size_t)t->maxc);
	if (!t->start || !t->count || !t->w)
		return ERR_NOMEM;
	for (i = 0; i < out; i++) {
		double c = (i + 0.5) * scale - 0.5, sum = 0;
		int a = (int)(c - support) , b = (int)(c + support) + 1, n = 0;
		float *w = t->w + (size_t)i * t->maxc;

		if (a < 0) a = 0;
		if (b > in - 1) b = in - 1;
		if (b - a + 1 > t->maxc) b = a + t->maxc - 1;
		for (j = a; j <= b; j++) {
			double d = (j - c) / support, v = d < 0 ? 1 + d : 1 - d;

			w[n++] = (float)(v > 0 ? v : 0);
			sum += v > 0 ? v : 0;
		}
		if (sum <= 0) {                     /* cannot happen for in >= 1; be safe */
			int k = (int)(c + 0.5);

			a = k < 0 ? 0 : k >= in ? in - 1 : k;
			n = 1;
			w[0] = 1;
			sum = 1;
		}
		for (j = 0; j < n; j++)
			w[j] = (float)(w[j] / sum);
		t->start[i] = a;
		t->count[i] = n;
	}
	return ERR_OK;
}

static int clamp255(float v)
{
	return v <= 0 ? 0 : v >= 255 ? 255 : (int)(v + 0.5f);
}

/* Resamples source row sy horizontally into m (w pixels of premultiplied r g b a). */
static void hrow(const struct img *src, int sy, const struct taps *tx, int w, float *m)
{
	const int *row = src->gd->tpixels[sy];
	const uint8_t *ar = src->alpha ? src->alpha + (size_t)sy * img_w(src) : NULL;
	int x, k;

	for (x = 0; x < w; x++) {
		const float *wt = tx->w + (size_t)x * tx->maxc;
		float r = 0, g = 0, b = 0, a = 0;
		int s0 = tx->start[x];

		for (k = 0; k < tx->count[x]; k++) {
			int p = row[s0 + k];
			float f = wt[k] * (ar ? ar[s0 + k] : 255);

			r += f * ((p >> 16) & 255);
			g += f * ((p >> 8) & 255);
			b += f * (p & 255);
			a += f;
		}
		m[4 * x] = r;
		m[4 * x + 1] = g;
		m[4 * x + 2] = b;
		m[4 * x + 3] = a;
	}
}

enum err img_resize(const struct img *src, int w, int h, struct img *dst)
{
	int sw = img_w(src), sh = img_h(src), x, y, k;
	struct taps tx = { 0 }, ty = { 0 };
	float *ring = NULL;           /* ty.maxc horizontally resampled source rows */
	int *tag = NULL;              /* which source row each ring slot holds */
	const float **m = NULL;       /* the rows of one output row's taps */
	enum err e;

	dst->gd = NULL;
	dst->alpha = NULL;
	if ((e = img_new(dst, w, h, src->alpha != NULL)))
		return e;
	if ((e = taps_make(&tx, sw, w)) || (e = taps_make(&ty, sh, h)))
		goto out;
	ring = malloc(sizeof(float) * 4 * (size_t)w * ty.maxc);
	tag = malloc(sizeof(int) * (size_t)ty.maxc);
	m = malloc(sizeof(*m) * (size_t)ty.maxc);
	if (!ring || !tag || !m) {
		e = ERR_NOMEM;
		goto out;
	}
	for (k = 0; k < ty.maxc; k++)
		tag[k] = -1;
	for (y = 0; y < h; y++) {
		const float *wt = ty.w + (size_t)y * ty.maxc;
		int *row = dst->gd->tpixels[y], s0 = ty.start[y];
		uint8_t *ar = dst->alpha ? dst->alpha + (size_t)y * w : NULL;
		int nc = ty.count[y];

		for (k = 0; k < nc; k++) {
			int sy = s0 + k, slot = sy % ty.maxc;

			if (tag[slot] != sy) {
				hrow(src, sy, &tx, w, ring + (size_t)slot * w * 4);
				tag[slot] = sy;
			}
			m[k] = ring + (size_t)slot * w * 4;
		}
		for (x = 0; x < w; x++) {
			float r = 0, g = 0, b = 0, a = 0;

			for (k = 0; k < nc; k++) {
				const float *p = m[k] + 4 * x;

				r += wt[k] * p[0];
				g += wt[k] * p[1];
				b += wt[k] * p[2];
				a += wt[k] * p[3];
			}
			if (a > 0.5f)
				row[x] = clamp255(r / a) << 16 | clamp255(g / a) << 8 | clamp255(b / a);
			else
				row[x] = 0;
			if (ar)
				ar[x] = (uint8_t)clamp255(a);
		}
	}
out:
	taps_free(&tx);
	taps_free(&ty);
	free(ring);
	free(tag);
	free(m);
	if (e)
		img_free(dst);
	return e;
}

/* One box pass of radius r over n values at stride s (in place, via tmp[n]); edges
 * repeat the border value. Integer running sums, rounded. */
static void box_pass(uint32_t *v, int n, size_t s, int r, uint32_t *tmp)
{
	uint32_t sum = 0, div = (uint32_t)(2 * r + 1);
	int i;

	for (i = 0; i < n; i++)
		tmp[i] = v[(size_t)i * s];
	for (i = -r; i <= r; i++)
		sum += tmp[i < 0 ? 0 : i >= n ? n - 1 : i];
	for (i = 0; i < n; i++) {
		int add = i + r + 1, sub = i - r;

		v[(size_t)i * s] = (sum + div / 2) / div;
		sum += tmp[add >= n ? n - 1 : add];
		sum -= tmp[sub < 0 ? 0 : sub];
	}
}

/* Blurs nc interleaved channels of a w x h buffer of uint32 with 3 box passes. */
static enum err blur_u32(uint32_t *buf, int w, int h, int nc, int r)
{
	uint32_t *tmp = malloc(sizeof(uint32_t) * (size_t)(w > h ? w : h));
	int pass, x, y, c;

	if (!tmp)
		return ERR_NOMEM;
	for (pass = 0; pass < 3; pass++) {
		for (y = 0; y < h; y++)
			for (c = 0; c < nc; c++)
				box_pass(buf + (size_t)y * w * nc + c, w, (size_t)nc, r, tmp);
		for (x = 0; x < w; x++)
			for (c = 0; c < nc; c++)
				box_pass(buf + (size_t)x * nc + c, h, (size_t)w * nc, r, tmp);
	}
	free(tmp);
	return ERR_OK;
}

enum err img_blur_plane(uint8_t *p, int w, int h, int r)
{
	size_t n = (size_t)w * h, i;
	uint32_t *buf;
	enum err e;

	if (r <= 0)
		return ERR_OK;
	if (!(buf = malloc(n * sizeof *buf)))
		return ERR_NOMEM;
	for (i = 0; i < n; i++)
		buf[i] = p[i];
	if (!(e = blur_u32(buf, w, h, 1, r)))
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)buf[i];
	free(buf);
	return e;
}

enum err img_blur(struct img *im, int r)
{
	int w = img_w(im), h = img_h(im), x, y;
	uint32_t *buf;
	enum err e;

	if (r <= 0)
		return ERR_OK;
	if ((size_t)w * h > SIZE_MAX / 16 || !(buf = malloc((size_t)w * h * 4 * sizeof *buf)))
		return ERR_NOMEM;
	for (y = 0; y < h; y++) {
		const int *row = im->gd->tpixels[y];
		uint32_t *b = buf + (size_t)y * w * 4;

		for (x = 0; x < w; x++) {
			uint32_t a = im->alpha ? im->alpha[(size_t)y * w + x] : 255;

			b[4 * x] = ((uint32_t)(row[x] >> 16) & 255) * a;
			b[4 * x + 1] = ((uint32_t)(row[x] >> 8) & 255) * a;
			b[4 * x + 2] = ((uint32_t)row[x] & 255) * a;
			b[4 * x + 3] = a;
		}
	}
	if ((e = blur_u32(buf, w, h, 4, r)))
		goto out;
	for (y = 0; y < h; y++) {
		int *row = im->gd->tpixels[y];
		const uint32_t *b = buf + (size_t)y * w * 4;

		for (x = 0; x < w; x++) {
			uint32_t a = b[4 * x + 3];

			if (a) {
				uint32_t rr = (b[4 * x] + a / 2) / a, g = (b[4 * x + 1] + a / 2) / a;
				uint32_t bb = (b[4 * x + 2] + a / 2) / a;

				row[x] = (int)((rr > 255 ? 255 : rr) << 16 | (g > 255 ? 255 : g) << 8 |
				               (bb > 255 ? 255 : bb));
			} else {
				row[x] = 0;
			}
			if (im->alpha)
				im->alpha[(size_t)y * w + x] = (uint8_t)a;
		}
	}
out:
	free(buf);
	return e;
}
