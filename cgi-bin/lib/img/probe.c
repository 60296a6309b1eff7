/* probe.c: format, dimensions and EXIF orientation from an image's header bytes,
 * checked against the caps before anything is decoded. */
#include <string.h>
#include "img.h"
#include "lim.h"

#define ISOBMFF_MAX_BOXES 256   /* boxes visited per ISOBMFF container level */
#define TIFF_MAX_ENTRIES  1024  /* IFD entries read from one TIFF directory */
#define JPEG_MAX_MARKERS  1024  /* markers walked before SOFn */

static const struct {
	const char *name, *mime, *ext;
} fmts[IMG_FMT__MAX] = {
	[IMG_FMT_NONE] = { "", "application/octet-stream", "bin" },
	[IMG_FMT_JPEG] = { "jpeg", "image/jpeg", "jpg" },
	[IMG_FMT_PNG]  = { "png", "image/png", "png" },
	[IMG_FMT_WEBP] = { "webp", "image/webp", "webp" },
	[IMG_FMT_GIF]  = { "gif", "image/gif", "gif" },
	[IMG_FMT_BMP]  = { "bmp", "image/bmp", "bmp" },
	[IMG_FMT_TIFF] = { "tiff", "image/tiff", "tif" },
	[IMG_FMT_AVIF] = { "avif", "image/avif", "avif" },
	[IMG_FMT_HEIC] = { "heic", "image/heic", "heic" },
};

const char *img_fmt_name(enum img_fmt f) { return fmts[(unsigned)f < IMG_FMT__MAX ? f : 0].name; }
const char *img_fmt_mime(enum img_fmt f) { return fmts[(unsigned)f < IMG_FMT__MAX ? f : 0].mime; }
const char *img_fmt_ext(enum img_fmt f) { return fmts[(unsigned)f < IMG_FMT__MAX ? f : 0].ext; }

void img_limits_default(struct img_limits *l)
{
	l->max_width = LIM_MAX_WIDTH;
	l->max_height = LIM_MAX_HEIGHT;
	l->max_pixels = LIM_MAX_PIXELS;
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }
static uint32_t le32(const uint8_t *p) { return le16(p + 2) << 16 | le16(p); }
static uint32_t le24(const uint8_t *p) { return (uint32_t)p[2] << 16 | le16(p); }

/* A bounded TIFF reader: the byte order and the whole TIFF blob (file or Exif). */
struct tiff {
	const uint8_t *p;
	size_t n;
	int be;
};

static uint32_t t16(const struct tiff *t, size_t o) { return t->be ? be16(t->p + o) : le16(t->p + o); }
static uint32_t t32(const struct tiff *t, size_t o) { return t->be ? be32(t->p + o) : le32(t->p + o); }

/* Reads the first IFD: sets *w, *h (may be NULL) and *orient from its tags. Returns
 * ERR_CORRUPT when the header or directory is cut short, else ERR_OK. */
static enum err tiff_ifd0(const uint8_t *p, size_t n, uint32_t *w, uint32_t *h, int *orient)
{
	struct tiff t = { p, n, 0 };
	uint32_t off, cnt, i;

	if (n < 8)
		return ERR_CORRUPT;
	if (!memcmp(p, "MM\0*", 4))
		t.be = 1;
	else if (memcmp(p, "II*\0", 4))
		return ERR_CORRUPT;
	off = t32(&t, 4);
	if (off < 8 || off > n - 2)
		return ERR_CORRUPT;
	cnt = t16(&t, off);
	if (cnt > TIFF_MAX_ENTRIES || cnt > (n - off - 2) / 12)
		return ERR_CORRUPT;
	for (i = 0; i < cnt; i++) {
		size_t e = off + 2 + (size_t)i * 12;
		uint32_t tag = t16(&t, e), type = t16(&t, e + 2), v;

		if (type == 3)          /* SHORT: the value sits in the first two bytes */
			v = t16(&t, e + 8);
		else if (type == 4)     /* LONG */
			v = t32(&t, e + 8);
		else
			continue;
		if (tag == 256 && w)
			*w = v;
		else if (tag == 257 && h)
			*h = v;
		else if (tag == 0x0112 && orient && v >= 1 && v <= 8)
			*orient = (int)v;
	}
	return ERR_OK;
}

/* JPEG (ITU T.81 B.1): walks the markers up to the first SOFn, reading APP1 Exif on the
 * way for the orientation. */
static enum err probe_jpeg(const uint8_t *p, size_t n, struct img_info *in)
{
	size_t o = 2;
	int k;

	for (k = 0; k < JPEG_MAX_MARKERS; k++) {
		uint8_t m;
		uint32_t len;

		while (o < n && p[o] == 0xFF && o + 1 < n && p[o + 1] == 0xFF)
			o++;                        /* fill bytes */
		if (o + 2 > n)
			return ERR_CORRUPT;
		if (p[o] != 0xFF)
			return ERR_CORRUPT;
		m = p[o + 1];
		o += 2;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;                   /* no length */
		if (m == 0xD9 || m == 0xDA)
			return ERR_CORRUPT;         /* EOI or SOS before any frame header */
		if (o + 2 > n)
			return ERR_CORRUPT;
		len = be16(p + o);
		if (len < 2 || len > n - o)
			return ERR_CORRUPT;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (len < 8)
				return ERR_CORRUPT;
			in->height = (int)be16(p + o + 3);
			in->width = (int)be16(p + o + 5);
			return ERR_OK;
		}
		if (m == 0xE1 && len >= 16 && !memcmp(p + o + 2, "Exif\0\0", 6) && in->orientation == 1)
			tiff_ifd0(p + o + 8, len - 8, NULL, NULL, &in->orientation); /* best effort */
		o += len;
	}
	return ERR_CORRUPT;
}

/* PNG (RFC 2083 / ISO 15948): the IHDR chunk must come first. */
static enum err probe_png(const uint8_t *p, size_t n, struct img_info *in)
{
	uint32_t w, h;

	if (n < 33 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4))
		return ERR_CORRUPT;
	w = be32(p + 16);
	h = be32(p + 20);
	if (w > 0x7FFFFFFF || h > 0x7FFFFFFF)
		return ERR_CORRUPT;
	in->width = (int)w;
	in->height = (int)h;
	in->has_alpha = p[25] == 4 || p[25] == 6;
	return ERR_OK;
}

/* WebP (RFC 9649): RIFF, then the first chunk is VP8, VP8L or VP8X. */
static enum err probe_webp(const uint8_t *p, size_t n, struct img_info *in)
{
	const uint8_t *c = p + 12, *d = p + 20;

	if (n < 30)
		return ERR_CORRUPT;
	if (!memcmp(c, "VP8 ", 4)) {
		if (d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a)
			return ERR_CORRUPT;
		in->width = (int)(le16(d + 6) & 0x3FFF);
		in->height = (int)(le16(d + 8) & 0x3FFF);
	} else if (!memcmp(c, "VP8L", 4)) {
		uint32_t b = le32(d + 1);

		if (d[0] != 0x2F)
			return ERR_CORRUPT;
		in->width = (int)(b & 0x3FFF) + 1;
		in->height = (int)((b >> 14) & 0x3FFF) + 1;
		in->has_alpha = (b >> 28) & 1;
	} else if (!memcmp(c, "VP8X", 4)) {
		in->width = (int)le24(d + 4) + 1;
		in->height = (int)le24(d + 7) + 1;
		in->has_alpha = (d[0] >> 4) & 1;
	} else {
		return ERR_UNSUPPORTED;
	}
	return ERR_OK;
}

/* ISOBMFF (ISO 14496-12): finds a child box of type `type` in [p, p+n); sets *b, *bn
 * to its payload. Returns 1 or 0. Bounded by ISOBMFF_MAX_BOXES. */
static int box_find(const uint8_t *p, size_t n, const char *type, const uint8_t **b, size_t *bn)
{
	size_t o = 0;
	int k;

	for (k = 0; k < ISOBMFF_MAX_BOXES && n - o >= 8; k++) {
		uint64_t sz = be32(p + o);
		size_t hdr = 8;

		if (sz == 1) {
			if (n - o < 16)
				return 0;
			sz = (uint64_t)be32(p + o + 8) << 32 | be32(p + o + 12);
			hdr = 16;
		} else if (sz == 0) {
			sz = n - o;
		}
		if (sz < hdr || sz > n - o)
			return 0;
		if (!memcmp(p + o + 4, type, 4)) {
			*b = p + o + hdr;
			*bn = (size_t)sz - hdr;
			return 1;
		}
		o += (size_t)sz;
	}
	return 0;
}

/* AVIF and HEIC (HEIF, ISO 23008-12): ftyp brands, then meta/iprp/ipco/ispe. The
 * largest ispe is taken, which is the primary image's for grids and thumbnails; it is
 * an upper bound of the decoded size (a clean-aperture crop or a rotation may follow).
 * XXX: pitm/ipma are not followed; the largest extent is the safe side for the caps. */
static enum err probe_heif(const uint8_t *p, size_t n, struct img_info *in)
{
	const uint8_t *ftyp, *meta, *iprp, *ipco;
	size_t fn, mn, in_, cn, o;
	uint32_t w = 0, h = 0;
	int avif = 0, heic = 0, k;

	if (!box_find(p, n, "ftyp", &ftyp, &fn) || fn < 8)
		return ERR_CORRUPT;
	for (o = 0; o + 4 <= fn; o += 4) {
		if (o == 4)
			continue;                   /* minor version */
		if (!memcmp(ftyp + o, "avif", 4) || !memcmp(ftyp + o, "avis", 4))
			avif = 1;
		if (!memcmp(ftyp + o, "heic", 4) || !memcmp(ftyp + o, "heix", 4) ||
		    !memcmp(ftyp + o, "heim", 4) || !memcmp(ftyp + o, "heis", 4) ||
		    !memcmp(ftyp + o, "hevc", 4) || !memcmp(ftyp + o, "hevx", 4))
			heic = 1;
	}
	if (!avif && !heic)
		return ERR_UNSUPPORTED;
	in->fmt = avif ? IMG_FMT_AVIF : IMG_FMT_HEIC;
	if (!box_find(p, n, "meta", &meta, &mn) || mn < 4 ||
	    !box_find(meta + 4, mn - 4, "iprp", &iprp, &in_) ||
	    !box_find(iprp, in_, "ipco", &ipco, &cn))
		return ERR_CORRUPT;
	for (o = 0, k = 0; k < ISOBMFF_MAX_BOXES && cn - o >= 8; k++) {
		uint32_t sz = be32(ipco + o);

		if (sz < 8 || sz > cn - o)
			break;
		if (!memcmp(ipco + o + 4, "ispe", 4) && sz >= 20) {
			uint32_t bw = be32(ipco + o + 12), bh = be32(ipco + o + 16);

			if ((uint64_t)bw * bh > (uint64_t)w * h) {
				w = bw;
				h = bh;
			}
		}
		o += sz;
	}
	if (w > 0x7FFFFFFF || h > 0x7FFFFFFF)
		return ERR_TOO_MANY_PIXELS;
	if (!w || !h)
		return ERR_CORRUPT;
	in->width = (int)w;
	in->height = (int)h;
	return ERR_OK;
}

/* BMP: BITMAPFILEHEADER then a DIB header; OS/2 core headers have 16-bit sizes. A
 * negative height means top-down rows. libgd reads uncompressed and RLE pixels only:
 * bit-field (32-bit with alpha) and embedded JPEG or PNG bitmaps are unsupported. */
static enum err probe_bmp(const uint8_t *p, size_t n, struct img_info *in)
{
	uint32_t hs;
	int32_t w, h;

	if (n < 26)
		return ERR_CORRUPT;
	hs = le32(p + 14);
	if (hs == 12) {
		w = (int32_t)le16(p + 18);
		h = (int32_t)le16(p + 20);
	} else if (hs >= 40 && hs <= 256) {
		if (n < 34)
			return ERR_CORRUPT;
		if (le32(p + 30) > 2)   /* BI_RGB, BI_RLE8, BI_RLE4 */
			return ERR_UNSUPPORTED;
		w = (int32_t)le32(p + 18);
		h = (int32_t)le32(p + 22);
	} else {
		return ERR_CORRUPT;
	}
	if (h == INT32_MIN || w < 0)
		return ERR_CORRUPT;
	in->width = w;
	in->height = h < 0 ? -h : h;
	return ERR_OK;
}

enum err img_probe(const void *data, size_t n, const struct img_limits *lim, struct img_info *in)
{
	const uint8_t *p = data;
	struct img_limits def;
	enum err e;
	long w, h;

	memset(in, 0, sizeof *in);
	in->orientation = 1;
	img_limits_default(&def);
	if (lim) {
		if (lim->max_width > 0)
			def.max_width = lim->max_width;
		if (lim->max_height > 0)
			def.max_height = lim->max_height;
		if (lim->max_pixels > 0)
			def.max_pixels = lim->max_pixels;
	}
	lim = &def;
	if (!p || n < 4)
		return n == 0 || !p ? ERR_UNSUPPORTED : ERR_CORRUPT;
	if (p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
		in->fmt = IMG_FMT_JPEG;
		e = probe_jpeg(p, n, in);
	} else if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) {
		in->fmt = IMG_FMT_PNG;
		e = probe_png(p, n, in);
	} else if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) {
		in->fmt = IMG_FMT_WEBP;
		e = probe_webp(p, n, in);
	} else if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6))) {
		in->fmt = IMG_FMT_GIF;
		if (n < 10)
			return ERR_CORRUPT;
		in->width = (int)le16(p + 6);
		in->height = (int)le16(p + 8);
		e = ERR_OK;
	} else if (p[0] == 'B' && p[1] == 'M') {
		in->fmt = IMG_FMT_BMP;
		e = probe_bmp(p, n, in);
	} else if (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4)) {
		uint32_t tw = 0, th = 0;

		in->fmt = IMG_FMT_TIFF;
		e = tiff_ifd0(p, n, &tw, &th, NULL);
		if (!e && (tw > 0x7FFFFFFF || th > 0x7FFFFFFF))
			e = ERR_TOO_MANY_PIXELS;
		in->width = (int)(tw & 0x7FFFFFFF);
		in->height = (int)(th & 0x7FFFFFFF);
	} else if (n >= 8 && !memcmp(p + 4, "ftyp", 4)) {
		if (n < 16)
			return ERR_CORRUPT;         /* an ISOBMFF file cut inside its ftyp */
		e = probe_heif(p, n, in);
	} else if (!memcmp(p, "RIFF", 4) && n < 16) {
		return ERR_CORRUPT;             /* too short to tell which RIFF it is */
	} else {
		if (n >= 8 && !memcmp(p, "\x89PNG", 4))
			return ERR_CORRUPT;         /* a PNG signature cut or mangled */
		return ERR_UNSUPPORTED;
	}
	if (e)
		return e;
	if (in->width <= 0 || in->height <= 0)
		return ERR_CORRUPT;
	w = in->orientation >= 5 ? in->height : in->width;
	h = in->orientation >= 5 ? in->width : in->height;
	/* Both factors are at most 2^31 - 1 here, so the product fits in 64 bits. */
	if (w > lim->max_width || h > lim->max_height ||
	    (long long)w * h > (long long)lim->max_pixels)
		return ERR_TOO_MANY_PIXELS;
	return ERR_OK;
}
