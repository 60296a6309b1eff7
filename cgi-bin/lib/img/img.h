/* img.h: the image engine's shared types and entry points. The engine knows nothing of
 * HTTP or SQLite: it takes bytes and options, and gives bytes, pixels and an error code. */
#ifndef BACKDROP_IMG_H
#define BACKDROP_IMG_H

#include <stddef.h>
#include <stdint.h>
#include <gd.h>
#include "err.h"

/*
 * A decoded picture: libgd truecolor pixels for color, and an 8-bit alpha plane kept
 * beside them, because libgd's own alpha has only 7 bits. gd's alpha bits are ignored
 * (treated as opaque) everywhere in the engine; `alpha` is the truth.
 *   gd     truecolor gdImage, owned.
 *   alpha  w*h bytes row-major, 0 transparent .. 255 opaque, owned; NULL means opaque.
 * Colors are straight (not premultiplied), sRGB assumed (ICC profiles are ignored).
 */
struct img {
	gdImagePtr gd;
	uint8_t *alpha;
};

#define img_w(im) gdImageSX((im)->gd)
#define img_h(im) gdImageSY((im)->gd)

/* Frees the pixels and the plane; accepts NULL and an empty struct; leaves it zeroed. */
void img_free(struct img *im);

/* A rectangle in pixels; w or h 0 means empty. */
struct img_rect {
	int x, y, w, h;
};

/* ---- formats and probing (probe.c) ---- */

/* The formats we recognise by their magic bytes. IMG_FMT_NONE is "unknown" as a probe
 * result and "auto" as an output format. */
enum img_fmt {
	IMG_FMT_NONE, IMG_FMT_JPEG, IMG_FMT_PNG, IMG_FMT_WEBP, IMG_FMT_GIF, IMG_FMT_BMP,
	IMG_FMT_TIFF, IMG_FMT_AVIF, IMG_FMT_HEIC, IMG_FMT__MAX
};

/* Short name ("jpeg"), MIME type ("image/jpeg") and file extension ("jpg") of a format;
 * never NULL, static storage ("", "application/octet-stream", "bin" for NONE). */
const char *img_fmt_name(enum img_fmt f);
const char *img_fmt_mime(enum img_fmt f);
const char *img_fmt_ext(enum img_fmt f);

/* Caps checked before any decode. A zeroed field means the lim.h default. */
struct img_limits {
	long max_width, max_height, max_pixels;
};

/* Fills l with the defaults of lim.h. */
void img_limits_default(struct img_limits *l);

/* What the header says. width and height are as stored in the file; orientation is the
 * EXIF orientation 1..8 of a JPEG (1 when absent or another format). */
struct img_info {
	enum img_fmt fmt;
	int width, height;
	int orientation;
	int has_alpha;     /* 1 when the header declares an alpha channel (best effort) */
};

/*
 * Reads the format, dimensions and orientation from the first bytes of an image,
 * without decoding. Returns ERR_OK; ERR_UNSUPPORTED for an unknown format; ERR_CORRUPT
 * for a truncated or inconsistent header, a zero dimension or a JPEG with no EOI marker
 * after its first scan (the file was cut short); ERR_TOO_MANY_PIXELS when
 * width, height or pixel count (upright) exceed lim (NULL: the defaults). Walks are
 * bounded by n and by fixed entry counts; reads nothing past p[n-1].
 */
enum err img_probe(const void *p, size_t n, const struct img_limits *lim, struct img_info *info);
/* 1 when p[0..n) starts with the signature of an image format, one img_probe() reads
 * or another (PSD, ICO, JPEG XL, JPEG 2000, SVG, ...): tells "a format we do not read"
 * from "not an image at all". Else 0. */
int img_looks_like_image(const void *p, size_t n);

/* ---- pixels (img.c) ---- */

/*
 * Makes a new w x h image, colors black, fully opaque (alpha NULL) unless with_alpha,
 * which allocates a plane of zeros (transparent). ERR_NOMEM, or ERR_TOO_MANY_PIXELS
 * for w or h < 1 or w*h overflowing.
 */
enum err img_new(struct img *im, int w, int h, int with_alpha);
/* Deep copy of src into *dst. */
enum err img_copy(const struct img *src, struct img *dst);
/* Ensures im has an alpha plane (all 255 when newly made). */
enum err img_alpha_ensure(struct img *im);
/* Frees the plane when every value is 255. Returns 1 if the image has transparency. */
int img_alpha_trim(struct img *im);
/* The bounding box of alpha > 0 (the whole image when alpha is NULL; w = 0 when empty). */
struct img_rect img_alpha_bbox(const struct img *im);
/*
 * Resamples src to w x h into *dst (premultiplied by alpha, a triangle filter widened
 * for downscaling, so shrinking averages every source pixel). ERR_NOMEM.
 */
enum err img_resize(const struct img *src, int w, int h, struct img *dst);
/* Copies the rectangle r (clipped to src) into a new image *dst. */
enum err img_crop(const struct img *src, struct img_rect r, struct img *dst);
/* Blurs color (premultiplied) and alpha in place with three box passes of radius r
 * (about a Gaussian of sigma r/sqrt(3)... r*0.58*sqrt(3)); r <= 0 does nothing. */
enum err img_blur(struct img *im, int r);
/* Blurs one 8-bit plane of w x h in place the same way. */
enum err img_blur_plane(uint8_t *p, int w, int h, int r);

/* ---- decoding (decode.c, orient.c) ---- */

/*
 * Decodes bytes whose header img_probe() accepted into *out (truecolor, 8-bit alpha
 * plane or NULL when opaque), then applies info->orientation. ERR_CORRUPT when the
 * decoder fails or gives other dimensions than the header; ERR_UNSUPPORTED when this
 * machine's libgd lacks the codec; ERR_NOMEM.
 */
enum err img_decode(const void *p, size_t n, const struct img_info *info, struct img *out);
/* Probe and decode in one call, with lim (NULL: defaults). */
enum err img_load(const void *p, size_t n, const struct img_limits *lim, struct img *out);
/* Turns im upright for EXIF orientation 1..8 (1: nothing). ERR_NOMEM. */
enum err img_orient(struct img *im, int orientation);

enum img_filter {
	IMG_FILTER_NONE, IMG_FILTER_RED, IMG_FILTER_GREEN, IMG_FILTER_BLUE,
	IMG_FILTER_NO_RED, IMG_FILTER_NO_GREEN, IMG_FILTER_NO_BLUE,
	IMG_FILTER_GRAYSCALE, IMG_FILTER_SEPIA, IMG_FILTER_INVERT, IMG_FILTER__MAX
};

/* ---- blending, filters (composite.c, filter.c) ---- */

/*
 * Blends src over dst with src's top-left at (x, y) (may be negative or partly off
 * dst), alpha-correct with 8-bit straight alpha, opacity 0..255 scaling src's alpha.
 * dst gets an alpha plane only if it had one. ERR_NOMEM.
 */
enum err img_over(struct img *dst, const struct img *src, int x, int y, int opacity);
/* Applies filter f to im's colors in place (alpha untouched). See filter.c. */
void img_filter(struct img *im, enum img_filter f);

/* ---- encoding (encode.c) ---- */

/*
 * Encodes im as fmt (never NONE: see img_pick_format) with quality q (0 = default;
 * JPEG 90, WebP 90, AVIF 80; WebP 100 = lossless) and PNG level png_level. JPEG (and
 * other formats without alpha) flatten transparency onto matte 0xRRGGBBAA (alpha
 * ignored). On ERR_OK *out is malloc'd (caller frees) and *len its size.
 */
enum err img_encode(const struct img *im, enum img_fmt fmt, int q, int png_level,
                    uint32_t matte, void **out, size_t *len);
/* Encodes im's alpha plane (255 when NULL) as an 8-bit grayscale PNG. */
enum err img_encode_matte(const struct img *im, int png_level, void **out, size_t *len);
/* The format for "auto": PNG when im has any alpha < 255, else JPEG; else want. */
enum img_fmt img_pick_format(const struct img *im, enum img_fmt want);

#endif
