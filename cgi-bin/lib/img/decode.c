/* decode.c: decodes probed bytes into a struct img: PNG with libpng and WebP with
 * libwebp (both keep alpha at 8 bits), everything else through libgd. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include "img.h"
#include "lim.h"

/*
 * Why not gd for PNG and WebP: gd stores alpha in 7 bits, so a matte would lose its
 * low bit on every round trip. JPEG is decoded strictly (a libjpeg warning, such as a
 * truncated scan, is an error). Colors are taken as sRGB; ICC profiles and PNG gAMA
 * are ignored (the documented assumption of the engine).
 */

/* Stores RGBA row y into the image. Returns 1 when some alpha is below 255. */
static int put_row(struct img *im, int y, const uint8_t *s)
{
	int w = img_w(im), x, any = 0;
	int *row = im->gd->tpixels[y];
	uint8_t *a = im->alpha + (size_t)y * w;

	for (x = 0; x < w; x++, s += 4) {
		row[x] = s[0] << 16 | s[1] << 8 | s[2];
		a[x] = s[3];
		any |= s[3] ^ 255;
	}
	return any != 0;
}

/* Copies w x h RGBA rows (stride bytes apart) into im, keeping the alpha plane only
 * when some alpha is below 255. */
static enum err from_rgba(const uint8_t *p, size_t stride, int w, int h, struct img *im)
{
	int y, any = 0;
	enum err e;

	if ((e = img_new(im, w, h, 1)))
		return e;
	for (y = 0; y < h; y++)
		any |= put_row(im, y, p + (size_t)y * stride);
	if (!any) {
		free(im->alpha);
		im->alpha = NULL;
	}
	return ERR_OK;
}

struct png_rd {
	const uint8_t *p;
	size_t n, o;
	int w, h;
	struct img *im;
	uint8_t *rows;          /* the whole image for interlaced files, else one row */
	int any;                /* some alpha below 255 was seen */
};

static void png_read_mem(png_structp png, png_bytep out, size_t len)
{
	struct png_rd *r = png_get_io_ptr(png);

	if (len > r->n - r->o)
		png_error(png, "truncated");
	memcpy(out, r->p + r->o, len);
	r->o += len;
}

static void png_warn_quiet(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The libpng part, kept apart so that nothing it modifies lives across setjmp in a
 * register: all state is in *r, in the caller's frame. Non-interlaced rows are moved
 * into the image as they are read; interlaced ones need the whole RGBA image. The
 * allocation is bounded by the IHDR size the probe accepted (png_set_user_limits
 * holds libpng to it), so surplus IDAT data cannot grow it. */
static enum err png_run(png_structp png, png_infop info, struct png_rd *r)
{
	png_uint_32 w, h;
	int depth, ct, il, passes, y, p;
	enum err e;

	if (setjmp(png_jmpbuf(png)))
		return ERR_CORRUPT;
	png_set_user_limits(png, (png_uint_32)r->w, (png_uint_32)r->h);
	png_set_read_fn(png, r, png_read_mem);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &ct, &il, NULL, NULL);
	if ((int)w != r->w || (int)h != r->h)
		return ERR_CORRUPT;
	if (ct == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ct == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (depth == 16)
		png_set_scale_16(png);
	if (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(png);
	png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)r->w * 4)
		return ERR_CORRUPT;
	if ((e = img_new(r->im, r->w, r->h, 1)))
		return e;
	r->rows = malloc((size_t)r->w * 4 * (passes > 1 ? (size_t)r->h : 1));
	if (!r->rows)
		return ERR_NOMEM;
	for (p = 0; p < passes; p++)
		for (y = 0; y < r->h; y++) {
			uint8_t *row = r->rows + (passes > 1 ? (size_t)y * r->w * 4 : 0);

			png_read_row(png, row, NULL);
			if (passes == 1)
				r->any |= put_row(r->im, y, row);
		}
	if (passes > 1)
		for (y = 0; y < r->h; y++)
			r->any |= put_row(r->im, y, r->rows + (size_t)y * r->w * 4);
	if (!r->any) {
		free(r->im->alpha);
		r->im->alpha = NULL;
	}
	return ERR_OK;
}

static enum err decode_png(const uint8_t *p, size_t n, const struct img_info *in, struct img *im)
{
	struct png_rd r = { p, n, 0, in->width, in->height, im, NULL, 0 };
	png_structp png = NULL;
	png_infop info = NULL;
	enum err e;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, png_warn_quiet);
	if (!png || !(info = png_create_info_struct(png))) {
		e = ERR_NOMEM;
		goto out;
	}
	e = png_run(png, info, &r);
out:
	png_destroy_read_struct(&png, &info, NULL);
	free(r.rows);
	if (e)
		img_free(im);
	return e;
}

/* WebP: libwebp; an animation gives its first frame composed on its canvas. */
static enum err decode_webp(const uint8_t *p, size_t n, const struct img_info *in, struct img *im)
{
	WebPDecoderConfig cfg;
	WebPBitstreamFeatures *f = &cfg.input;
	WebPAnimDecoderOptions ao;
	WebPAnimDecoder *dec = NULL;
	WebPData wd = { p, n };
	uint8_t *frame;
	VP8StatusCode st;
	int ts;
	enum err e = ERR_CORRUPT;

	if (!WebPInitDecoderConfig(&cfg))
		return ERR_INTERNAL;
	if (WebPGetFeatures(p, n, f) != VP8_STATUS_OK)
		return ERR_CORRUPT;
	if (f->width != in->width || f->height != in->height)
		return ERR_CORRUPT;
	if (f->has_animation) {
		if (!WebPAnimDecoderOptionsInit(&ao))
			return ERR_INTERNAL;
		ao.color_mode = MODE_RGBA;
		ao.use_threads = 0;
		if (!(dec = WebPAnimDecoderNew(&wd, &ao)) || !WebPAnimDecoderGetNext(dec, &frame, &ts))
			goto out;
		e = from_rgba(frame, (size_t)in->width * 4, in->width, in->height, im);
		goto out;
	}
	/* WebPDecode, not WebPDecodeRGBA: its status tells a failed allocation (the
	 * worker's memory limit: 503) from a corrupt file (422). */
	cfg.output.colorspace = MODE_RGBA;
	if ((st = WebPDecode(p, n, &cfg)) != VP8_STATUS_OK) {
		e = st == VP8_STATUS_OUT_OF_MEMORY ? ERR_NOMEM : ERR_CORRUPT;
		goto out;
	}
	if (cfg.output.width != in->width || cfg.output.height != in->height)
		goto out;
	e = from_rgba(cfg.output.u.RGBA.rgba, (size_t)cfg.output.u.RGBA.stride, cfg.output.width,
	              cfg.output.height, im);
out:
	WebPAnimDecoderDelete(dec);
	WebPFreeDecBuffer(&cfg.output);
	return e;
}

/* Converts a gd image to ours: truecolor, gd's 7-bit alpha widened into the plane
 * (127 -> 0, 0 -> 255, rounded), gd's own alpha bits cleared. Takes gd. */
static enum err from_gd(gdImagePtr gd, struct img *im)
{
	int w = gdImageSX(gd), h = gdImageSY(gd), x, y, any = 0;

	im->gd = NULL;
	im->alpha = NULL;
	if (!gdImageTrueColor(gd) && !gdImagePaletteToTrueColor(gd)) {
		gdImageDestroy(gd);
		return ERR_NOMEM;
	}
	im->gd = gd;
	gdImageAlphaBlending(gd, 0);
	gdImageSaveAlpha(gd, 1);
	if (!(im->alpha = malloc((size_t)w * h))) {
		img_free(im);
		return ERR_NOMEM;
	}
	for (y = 0; y < h; y++) {
		int *row = gd->tpixels[y];
		uint8_t *a = im->alpha + (size_t)y * w;

		for (x = 0; x < w; x++) {
			int a7 = (row[x] >> 24) & 127;

			a[x] = (uint8_t)(255 - (a7 * 255 + 63) / 127);
			any |= a7;
			row[x] &= 0xFFFFFF;
		}
	}
	if (!any) {
		free(im->alpha);
		im->alpha = NULL;
	}
	return ERR_OK;
}

enum err img_decode(const void *data, size_t n, const struct img_info *in, struct img *out)
{
	gdImagePtr gd = NULL;
	void *p = (void *)data;     /* gd's reader API is not const-correct; it only reads */
	void *pre;
	enum err e;
	int w, h, bad;

	out->gd = NULL;
	out->alpha = NULL;
	if (n > INT32_MAX)
		return ERR_TOO_LARGE;
	switch (in->fmt) {
	case IMG_FMT_PNG:
		e = decode_png(data, n, in, out);
		goto orient;
	case IMG_FMT_WEBP:
		e = decode_webp(data, n, in, out);
		goto orient;
	default:
		break;
	}
	/* gd's decoders answer NULL for a corrupt file and for a failed allocation alike:
	 * what the picture will take here (gd's pixels, then our alpha plane) is asked for
	 * first, so that an image past the worker's memory limit is ERR_NOMEM (503), not
	 * "corrupt". The probe has checked the size against the caps. */
	if ((size_t)in->width * (size_t)in->height > SIZE_MAX / 5 ||
	    !(pre = malloc((size_t)in->width * (size_t)in->height * 5 + 1)))
		return ERR_NOMEM;
	free(pre);
	switch (in->fmt) {
	case IMG_FMT_JPEG: gd = gdImageCreateFromJpegPtrEx((int)n, p, 0); break;
	case IMG_FMT_GIF:  gd = gdImageCreateFromGifPtr((int)n, p); break;
	case IMG_FMT_BMP:  gd = gdImageCreateFromBmpPtr((int)n, p); break;
	case IMG_FMT_TIFF: gd = gdImageCreateFromTiffPtr((int)n, p); break;
	case IMG_FMT_AVIF: gd = gdImageCreateFromAvifPtr((int)n, p); break;
	case IMG_FMT_HEIC: gd = gdImageCreateFromHeifPtr((int)n, p); break;
	default: return ERR_UNSUPPORTED;
	}
	if (!gd)
		return ERR_CORRUPT;
	w = gdImageSX(gd);
	h = gdImageSY(gd);
	/* AVIF and HEIC: the probe gave the primary item's size (its ispe, which libavif
	 * scales the picture to, or a grid's canvas) after checking every picture the
	 * decoder allocates on the way against the caps: gd passes libavif and libheif no
	 * limit of ours (libavif's own is 16384 x 16384, libheif's 32768 each way,
	 * libde265's 65535). libheif may still give a coded picture cropped by its
	 * conformance window, or transformed: the probed size bounds the result. */
	if (in->fmt == IMG_FMT_HEIC || in->fmt == IMG_FMT_AVIF) {
		int big = in->width > in->height ? in->width : in->height;

		bad = w > big || h > big || (long long)w * h > (long long)in->width * in->height;
	} else {
		bad = w != in->width || h != in->height;
	}
	if (bad) {
		gdImageDestroy(gd);
		return ERR_CORRUPT;
	}
	e = from_gd(gd, out);
orient:
	if (!e && in->orientation > 1 && (e = img_orient(out, in->orientation)))
		img_free(out);
	return e;
}

enum err img_load(const void *p, size_t n, const struct img_limits *lim, struct img *out)
{
	struct img_info in;
	enum err e;

	out->gd = NULL;
	out->alpha = NULL;
	if ((e = img_probe(p, n, lim, &in)))
		return e;
	lim_pixels((long)in.width * in.height);   /* a large one yields from here on */
	return img_decode(p, n, &in, out);
}
