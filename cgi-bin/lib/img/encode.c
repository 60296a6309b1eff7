/* encode.c: encodes a struct img: PNG with libpng and WebP with libwebp (8-bit alpha
 * kept exactly), JPEG with libjpeg (transparency flattened), the rest through libgd. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include <jpeglib.h>
#include <webp/encode.h>
#include "img.h"
#include "buf.h"

/*
 * Why not gd for PNG, WebP and JPEG: gd keeps alpha in 7 bits, so a PNG or WebP
 * through gd would lose the matte's low bit; JPEG through libjpeg directly lets us
 * flatten transparent pixels row by row instead of copying the whole image first.
 * GIF, BMP, TIFF, AVIF and HEIC go through gd (alpha narrowed to gd's 7 bits on a
 * copy; GIF and BMP are flattened).
 */

#define PNG_LEVEL_DEFAULT 2
#define JPEG_Q_DEFAULT    90
#define WEBP_Q_DEFAULT    90
#define AVIF_Q_DEFAULT    80
#define AVIF_SPEED        8     /* libavif speed 0 (slow) .. 10 (fast) */

/* The pixel at (x, y) as r, g, b, a bytes. */
static inline void px(const struct img *im, int x, int y, uint8_t *o)
{
	int p = im->gd->tpixels[y][x];

	o[0] = (uint8_t)(p >> 16);
	o[1] = (uint8_t)(p >> 8);
	o[2] = (uint8_t)p;
	o[3] = im->alpha ? im->alpha[(size_t)y * img_w(im) + x] : 255;
}

/* Row y flattened onto matte (0xRRGGBBAA, its alpha ignored) as RGB bytes. */
static void row_rgb(const struct img *im, int y, uint32_t matte, uint8_t *o)
{
	uint32_t mr = matte >> 24, mg = (matte >> 16) & 255, mb = (matte >> 8) & 255;
	const int *row = im->gd->tpixels[y];
	const uint8_t *a = im->alpha ? im->alpha + (size_t)y * img_w(im) : NULL;
	int x, w = img_w(im);

	for (x = 0; x < w; x++, o += 3) {
		uint32_t p = (uint32_t)row[x], aa = a ? a[x] : 255, na = 255 - aa, t;

		if (aa == 255) {
			o[0] = (uint8_t)(p >> 16);
			o[1] = (uint8_t)(p >> 8);
			o[2] = (uint8_t)p;
			continue;
		}
		t = ((p >> 16) & 255) * aa + mr * na + 127;
		o[0] = (uint8_t)((t + (t >> 8)) >> 8);
		t = ((p >> 8) & 255) * aa + mg * na + 127;
		o[1] = (uint8_t)((t + (t >> 8)) >> 8);
		t = (p & 255) * aa + mb * na + 127;
		o[2] = (uint8_t)((t + (t >> 8)) >> 8);
	}
}

/* ---- PNG ---- */

struct png_wr {
	struct buf out;
	const struct img *im;
	int level, gray;       /* gray: write the alpha plane as an 8-bit gray image */
	uint8_t *row;
	enum err e;
};

static void png_write_mem(png_structp png, png_bytep p, size_t n)
{
	struct png_wr *w = png_get_io_ptr(png);

	if (buf_add(&w->out, p, n)) {
		w->e = ERR_NOMEM;
		png_error(png, "out of memory");
	}
}

static void png_flush_none(png_structp png)
{
	(void)png;
}

/* The libpng part; its state lives in *w (see decode.c for why). */
static enum err png_run(png_structp png, png_infop info, struct png_wr *w)
{
	const struct img *im = w->im;
	int iw = img_w(im), ih = img_h(im), x, y, ch;

	if (setjmp(png_jmpbuf(png)))
		return w->e ? w->e : ERR_INTERNAL;
	ch = w->gray ? 1 : im->alpha ? 4 : 3;
	png_set_write_fn(png, w, png_write_mem, png_flush_none);
	png_set_IHDR(png, info, (png_uint_32)iw, (png_uint_32)ih, 8,
	             ch == 1 ? PNG_COLOR_TYPE_GRAY : ch == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, w->level);
	/* Fast levels: one cheap filter; adaptive filtering costs more than it saves there. */
	png_set_filter(png, 0, w->level <= 3 ? PNG_FILTER_SUB : PNG_ALL_FILTERS);
	png_write_info(png, info);
	for (y = 0; y < ih; y++) {
		if (w->gray) {
			if (im->alpha)
				memcpy(w->row, im->alpha + (size_t)y * iw, (size_t)iw);
			else
				memset(w->row, 255, (size_t)iw);
		} else {
			for (x = 0; x < iw; x++) {
				uint8_t p[4];

				px(im, x, y, p);
				memcpy(w->row + (size_t)x * ch, p, (size_t)ch);
			}
		}
		png_write_row(png, w->row);
	}
	png_write_end(png, info);
	return ERR_OK;
}

static enum err enc_png(const struct img *im, int level, int gray, void **out, size_t *len)
{
	struct png_wr w = { { 0 }, im, level, gray, NULL, ERR_OK };
	png_structp png = NULL;
	png_infop info = NULL;
	enum err e;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!png || !(info = png_create_info_struct(png)) ||
	    !(w.row = malloc((size_t)img_w(im) * 4))) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = png_run(png, info, &w)))
		goto out;
	*out = buf_take(&w.out, len);
out:
	png_destroy_write_struct(&png, &info);
	free(w.row);
	buf_free(&w.out);
	return e;
}

/* ---- JPEG ---- */

struct jpg_err {
	struct jpeg_error_mgr mgr;
	jmp_buf jb;
};

static void jpg_fail(j_common_ptr c)
{
	longjmp(((struct jpg_err *)c->err)->jb, 1);
}

struct jpg_wr {
	struct jpeg_compress_struct c;
	struct jpg_err err;
	unsigned char *mem;
	unsigned long size;
	uint8_t *row;
};

static enum err jpg_run(struct jpg_wr *j, const struct img *im, int q, uint32_t matte)
{
	JSAMPROW rp[1];
	int y;

	if (setjmp(j->err.jb))
		return ERR_INTERNAL;
	jpeg_create_compress(&j->c);
	jpeg_mem_dest(&j->c, &j->mem, &j->size);
	j->c.image_width = (JDIMENSION)img_w(im);
	j->c.image_height = (JDIMENSION)img_h(im);
	j->c.input_components = 3;
	j->c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&j->c);
	jpeg_set_quality(&j->c, q, TRUE);
	j->c.dct_method = JDCT_ISLOW;
	jpeg_start_compress(&j->c, TRUE);
	for (y = 0; y < img_h(im); y++) {
		row_rgb(im, y, matte, j->row);
		rp[0] = j->row;
		jpeg_write_scanlines(&j->c, rp, 1);
	}
	jpeg_finish_compress(&j->c);
	return ERR_OK;
}

static enum err enc_jpeg(const struct img *im, int q, uint32_t matte, void **out, size_t *len)
{
	struct jpg_wr j;
	enum err e;

	memset(&j, 0, sizeof j);
	j.c.err = jpeg_std_error(&j.err.mgr);
	j.err.mgr.error_exit = jpg_fail;
	if (!(j.row = malloc((size_t)img_w(im) * 3)))
		return ERR_NOMEM;
	e = jpg_run(&j, im, q, matte);
	jpeg_destroy_compress(&j.c);
	free(j.row);
	if (!e && j.mem) {
		/* libjpeg's buffer comes from malloc: hand it over as it is. */
		*out = j.mem;
		*len = j.size;
		return ERR_OK;
	}
	free(j.mem);
	return e ? e : ERR_INTERNAL;
}

/* ---- WebP ---- */

static enum err enc_webp(const struct img *im, int q, void **out, size_t *len)
{
	int w = img_w(im), h = img_h(im), x, y, ch = im->alpha ? 4 : 3;
	uint8_t *rgba, *o = NULL;
	size_t n;

	if (w > WEBP_MAX_DIMENSION || h > WEBP_MAX_DIMENSION)
		return ERR_TOO_MANY_PIXELS;
	if (!(rgba = malloc((size_t)w * h * ch)))
		return ERR_NOMEM;
	for (y = 0; y < h; y++) {
		uint8_t *d = rgba + (size_t)y * w * ch;

		for (x = 0; x < w; x++, d += ch) {
			uint8_t p[4];

			px(im, x, y, p);
			memcpy(d, p, (size_t)ch);
		}
	}
	if (q >= 100)
		n = ch == 4 ? WebPEncodeLosslessRGBA(rgba, w, h, w * 4, &o)
		            : WebPEncodeLosslessRGB(rgba, w, h, w * 3, &o);
	else
		n = ch == 4 ? WebPEncodeRGBA(rgba, w, h, w * 4, (float)q, &o)
		            : WebPEncodeRGB(rgba, w, h, w * 3, (float)q, &o);
	free(rgba);
	if (!n || !o)
		return ERR_INTERNAL;
	if (!(*out = malloc(n))) {
		WebPFree(o);
		return ERR_NOMEM;
	}
	memcpy(*out, o, n);
	*len = n;
	WebPFree(o);
	return ERR_OK;
}

/* ---- the rest, through gd ---- */

static enum err enc_gd(const struct img *im, enum img_fmt fmt, int q, uint32_t matte,
                       void **out, size_t *len)
{
	int w = img_w(im), h = img_h(im), x, y, size = 0, flat = fmt == IMG_FMT_GIF || fmt == IMG_FMT_BMP;
	struct img tmp = { 0 };
	uint8_t *rgb = NULL;
	void *p = NULL;
	enum err e;

	if ((e = img_new(&tmp, w, h, 0)))
		return e;
	if (!(rgb = malloc((size_t)w * 3))) {
		e = ERR_NOMEM;
		goto out;
	}
	for (y = 0; y < h; y++) {
		int *d = tmp.gd->tpixels[y];

		if (flat || !im->alpha) {
			row_rgb(im, y, matte, rgb);
			for (x = 0; x < w; x++)
				d[x] = rgb[3 * x] << 16 | rgb[3 * x + 1] << 8 | rgb[3 * x + 2];
		} else {
			const uint8_t *a = im->alpha + (size_t)y * w;

			for (x = 0; x < w; x++)
				d[x] = ((255 - a[x]) >> 1) << 24 | (im->gd->tpixels[y][x] & 0xFFFFFF);
		}
	}
	switch (fmt) {
	case IMG_FMT_GIF:  p = gdImageGifPtr(tmp.gd, &size); break;
	case IMG_FMT_BMP:  p = gdImageBmpPtr(tmp.gd, &size, 0); break;
	case IMG_FMT_TIFF: p = gdImageTiffPtr(tmp.gd, &size); break;
	case IMG_FMT_AVIF: p = gdImageAvifPtrEx(tmp.gd, &size, q ? q : AVIF_Q_DEFAULT, AVIF_SPEED); break;
	case IMG_FMT_HEIC:
		p = gdImageHeifPtrEx(tmp.gd, &size, q ? q : AVIF_Q_DEFAULT, GD_HEIF_CODEC_HEVC,
		                     GD_HEIF_CHROMA_444);
		break;
	default:
		e = ERR_UNSUPPORTED;
		goto out;
	}
	if (!p || size <= 0) {
		e = ERR_UNSUPPORTED;    /* this machine's libgd cannot write the format */
		goto out;
	}
	if (!(*out = malloc((size_t)size))) {
		e = ERR_NOMEM;
		goto out;
	}
	memcpy(*out, p, (size_t)size);
	*len = (size_t)size;
out:
	if (p)
		gdFree(p);
	free(rgb);
	img_free(&tmp);
	return e;
}

enum err img_encode(const struct img *im, enum img_fmt fmt, int q, int png_level,
                    uint32_t matte, void **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (png_level < 0 || png_level > 9)
		png_level = PNG_LEVEL_DEFAULT;
	if (q < 0 || q > 100)
		return ERR_BAD_FIELD;
	switch (fmt) {
	case IMG_FMT_PNG:  return enc_png(im, png_level, 0, out, len);
	case IMG_FMT_JPEG: return enc_jpeg(im, q ? q : JPEG_Q_DEFAULT, matte, out, len);
	case IMG_FMT_WEBP: return enc_webp(im, q ? q : WEBP_Q_DEFAULT, out, len);
	case IMG_FMT_NONE: return ERR_BAD_FIELD;
	default:           return enc_gd(im, fmt, q, matte, out, len);
	}
}

enum err img_encode_matte(const struct img *im, int png_level, void **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (png_level < 0 || png_level > 9)
		png_level = PNG_LEVEL_DEFAULT;
	return enc_png(im, png_level, 1, out, len);
}

enum img_fmt img_pick_format(const struct img *im, enum img_fmt want)
{
	size_t n, i;

	if (want != IMG_FMT_NONE)
		return want;
	if (!im->alpha)
		return IMG_FMT_JPEG;
	n = (size_t)img_w(im) * img_h(im);
	for (i = 0; i < n; i++)
		if (im->alpha[i] != 255)
			return IMG_FMT_PNG;
	return IMG_FMT_JPEG;
}
