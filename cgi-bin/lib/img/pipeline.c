/* pipeline.c: the engine's one entry point for the programs and the command line:
 * probe, decode, orient, matte or cutout, composite, filter, encode; and thumbnails. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"

#define THUMB_JPEG_Q 82
#define CUTOUT_PNG_LEVEL 1   /* a stored cutout: big anyway, so fast rather than small */

void img_result_free(struct img_result *res)
{
	if (!res)
		return;
	free(res->data);
	free(res->cutout);
	memset(res, 0, sizeof *res);
}

/* Shrinks *im by factor f < 1 (sides rounded, at least 1). */
static enum err shrink(struct img *im, double f)
{
	int w = (int)(img_w(im) * f + 0.5), h = (int)(img_h(im) * f + 0.5);
	struct img tmp = { 0 };
	enum err e;

	w = w < 1 ? 1 : w;
	h = h < 1 ? 1 : h;
	if (w == img_w(im) && h == img_h(im))
		return ERR_OK;
	if ((e = img_resize(im, w, h, &tmp)))
		return e;
	img_free(im);
	*im = tmp;
	return ERR_OK;
}

/* Shrinks *im to at most max_px pixels, keeping its aspect ratio (never enlarges). */
static enum err fit_pixels(struct img *im, long max_px)
{
	double px = (double)img_w(im) * img_h(im);

	if (max_px <= 0 || px <= max_px)
		return ERR_OK;
	return shrink(im, sqrt(max_px / px));
}

enum err img_matte_load(const void *bytes, size_t len, const struct img_limits *lim,
                        int w, int h, uint8_t **plane)
{
	struct img m = { 0 };
	size_t n = (size_t)w * h;
	enum err e;
	int x, y;

	*plane = NULL;
	if ((e = img_load(bytes, len, lim, &m)))
		return e;
	if (img_w(&m) != w || img_h(&m) != h) {
		e = ERR_BAD_FIELD;
		goto out;
	}
	if (m.alpha) {
		*plane = m.alpha;
		m.alpha = NULL;
		goto out;
	}
	if (!(*plane = malloc(n))) {
		e = ERR_NOMEM;
		goto out;
	}
	for (y = 0; y < h; y++) {
		const int *row = m.gd->tpixels[y];
		uint8_t *d = *plane + (size_t)y * w;

		for (x = 0; x < w; x++) {
			int p = row[x];

			d[x] = (uint8_t)((77 * ((p >> 16) & 255) + 150 * ((p >> 8) & 255) + 29 * (p & 255) + 128) >> 8);
		}
	}
out:
	img_free(&m);
	return e;
}

/* Encodes im into res by o's format, quality and channels. */
static enum err finish(const struct img *im, const struct img_opts *o, struct img_result *res)
{
	uint32_t matte = o->has_bg_color ? o->bg_color : 0xFFFFFFFF;
	enum err e;

	res->width = img_w(im);
	res->height = img_h(im);
	if (o->channels == IMG_CH_ALPHA) {
		res->fmt = IMG_FMT_PNG;
		e = img_encode_matte(im, o->png_level, &res->data, &res->len);
	} else {
		res->fmt = img_pick_format(im, o->format);
		e = img_encode(im, res->fmt, o->quality, o->png_level, matte, &res->data, &res->len);
	}
	res->mime = img_fmt_mime(res->fmt);
	res->ext = img_fmt_ext(res->fmt);
	if (im->alpha && img_pick_format(im, IMG_FMT_NONE) == IMG_FMT_PNG)
		res->flags |= IMG_RES_TRANSPARENT;
	return e;
}

/* The stored cutout o->cutout_in into *cut when it decodes to w x h; 0 (and nothing
 * kept) otherwise, so that the caller cuts instead. */
static int stored_cutout(const struct img_opts *o, const struct img_limits *lim, int w, int h,
                         struct img *cut)
{
	if (!o->cutout_in || img_load(o->cutout_in, o->cutout_in_len, lim, cut))
		return 0;
	if (img_w(cut) == w && img_h(cut) == h)
		return 1;
	img_free(cut);
	return 0;
}

enum err img_process(const void *bytes, size_t len, const struct img_opts *o,
                     const struct img_limits *lim, const void *bg_bytes, size_t bg_len,
                     const void *matte_bytes, size_t matte_len, struct img_result *res)
{
	struct img im = { 0 }, cut = { 0 }, bg = { 0 }, out = { 0 };
	const struct img *subject = &im;
	struct img_rect box;
	int flags = 0;
	char why[sizeof res->why] = "";
	enum err e;

	memset(res, 0, sizeof *res);
	if ((e = img_load(bytes, len, lim, &im)))
		goto out;
	res->src_width = img_w(&im);
	res->src_height = img_h(&im);
	if (o->mode == IMG_MODE_FILTER) {
		if ((e = fit_pixels(&im, o->size_pixels)))
			goto out;
		img_filter(&im, o->filter);
		res->fg = (struct img_rect){ 0, 0, img_w(&im), img_h(&im) };
		e = finish(&im, o, res);
		goto out;
	}
	if (matte_bytes) {
		uint8_t *plane;

		if ((e = img_matte_load(matte_bytes, matte_len, lim, img_w(&im), img_h(&im), &plane)))
			goto out;
		free(im.alpha);
		im.alpha = plane;
		res->engine = "matte";
	} else if (im.alpha && !o->cut.ignore_alpha) {
		res->flags |= IMG_RES_OWN_ALPHA;
		res->engine = "own-alpha";
	}
	if ((e = fit_pixels(&im, o->size_pixels)))
		goto out;
	if (!matte_bytes && !(res->flags & IMG_RES_OWN_ALPHA) &&
	    stored_cutout(o, lim, img_w(&im), img_h(&im), &cut)) {
		res->cutout_reused = 1;     /* who cut it was said when it was made */
		subject = &cut;
		if (o->bg_blur <= 0)
			img_free(&im);
	} else if (!matte_bytes && !(res->flags & IMG_RES_OWN_ALPHA)) {
		e = o->cutout ? o->cutout(o->cutout_ctx, bytes, len, &im, &o->cut, &cut, &box, &flags, why, sizeof why)
		              : img_cutout_why(&im, &o->cut, &cut, &box, &flags, why, sizeof why);
		if (e)
			goto out;
		if (flags & IMG_CUT_NO_SUBJECT)
			res->flags |= IMG_RES_NO_SUBJECT;
		res->engine = img_cut_engine(flags);
		subject = &cut;
		if (o->bg_blur <= 0)
			img_free(&im);      /* the original is no longer needed: free it early */
	}
	if (o->keep_cutout) {
		/* A reused one is the caller's already: not encoded again. */
		if (!res->cutout_reused && (e = img_encode(subject, IMG_FMT_PNG, 0, CUTOUT_PNG_LEVEL,
		                                           0xFFFFFFFF, &res->cutout, &res->cutout_len)))
			goto out;
		res->cutout_width = img_w(subject);
		res->cutout_height = img_h(subject);
	}
	if (bg_bytes && (e = img_load(bg_bytes, bg_len, lim, &bg)))
		goto out;
	e = img_composite(subject, bg_bytes ? &bg : NULL, im.gd ? &im : NULL, o, lim, &out, &res->fg);
	if (e)
		goto out;
	img_free(&cut);
	img_free(&im);
	img_free(&bg);
	img_filter(&out, o->filter);
	e = finish(&out, o, res);
out:
	img_free(&im);
	img_free(&cut);
	img_free(&bg);
	img_free(&out);
	if (e) {
		img_result_free(res);
		memcpy(res->why, why, sizeof res->why);
	}
	return e;
}

enum err img_thumb(const void *bytes, size_t len, const struct img_limits *lim, int max,
                   struct img_result *res)
{
	struct img im = { 0 };
	double f;
	enum err e;

	memset(res, 0, sizeof *res);
	if (max < 1)
		return ERR_BAD_FIELD;
	if ((e = img_load(bytes, len, lim, &im)))
		return e;
	res->src_width = img_w(&im);
	res->src_height = img_h(&im);
	f = (double)max / (img_w(&im) > img_h(&im) ? img_w(&im) : img_h(&im));
	if (f < 1 && (e = shrink(&im, f)))
		goto out;
	img_alpha_trim(&im);
	res->width = img_w(&im);
	res->height = img_h(&im);
	res->fg = (struct img_rect){ 0, 0, res->width, res->height };
	res->fmt = im.alpha ? IMG_FMT_PNG : IMG_FMT_JPEG;
	if (im.alpha)
		res->flags |= IMG_RES_TRANSPARENT;
	res->mime = img_fmt_mime(res->fmt);
	res->ext = img_fmt_ext(res->fmt);
	e = img_encode(&im, res->fmt, THUMB_JPEG_Q, 6, 0xFFFFFFFF, &res->data, &res->len);
out:
	img_free(&im);
	if (e)
		img_result_free(res);
	return e;
}
