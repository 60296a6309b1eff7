/* probe.c: format, dimensions and EXIF orientation from an image's header bytes,
 * checked against the caps before anything is decoded (AVIF and HEIC: probe_heif.c). */
#include <string.h>
#include "img.h"
#include "probe_int.h"
#include "lim.h"

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

/* A bounded TIFF reader: the byte order and the whole TIFF blob (file or Exif). */
struct tiff {
	const uint8_t *p;
	size_t n;
	int be;
};

static uint32_t t16(const struct tiff *t, size_t o) { return t->be ? be16(t->p + o) : le16(t->p + o); }
static uint32_t t32(const struct tiff *t, size_t o) { return t->be ? be32(t->p + o) : le32(t->p + o); }

/* What the first IFD says; 0 where a tag is absent. */
struct tiff_dir {
	uint32_t w, h;      /* ImageWidth, ImageLength */
	uint32_t tw, th;    /* TileWidth, TileLength */
	int orient;         /* Orientation 1..8, 0 when absent or out of range */
};

/*
 * One entry's value the way libtiff reads a 32-bit size (TIFFReadDirEntryLong in
 * tif_dirread.c): count 1; BYTE, SHORT, LONG, and SBYTE, SSHORT, SLONG when not
 * negative, from the entry's value field; LONG8 and SLONG8 from the offset it holds,
 * when they fit in 32 bits. Returns 1 with *v set, or 0 where libtiff fails the whole
 * directory (so gd's TIFFClientOpen fails before anything is allocated).
 */
static int tiff_long(const struct tiff *t, size_t e, uint32_t *v)
{
	uint32_t off, hi, lo;

	if (t32(t, e + 4) != 1)
		return 0;
	switch (t16(t, e + 2)) {
	case 1:                         /* BYTE */
		*v = t->p[e + 8];
		return 1;
	case 6:                         /* SBYTE */
		*v = t->p[e + 8];
		return *v < 0x80;
	case 3:                         /* SHORT: the first two bytes of the field */
		*v = t16(t, e + 8);
		return 1;
	case 8:                         /* SSHORT */
		*v = t16(t, e + 8);
		return *v < 0x8000;
	case 4:                         /* LONG */
		*v = t32(t, e + 8);
		return 1;
	case 9:                         /* SLONG */
		*v = t32(t, e + 8);
		return *v < 0x80000000u;
	case 16:                        /* LONG8 and SLONG8: 8 bytes at an offset */
	case 17:
		off = t32(t, e + 8);
		if (off > t->n || t->n - off < 8)
			return 0;
		hi = t32(t, off + (t->be ? 0 : 4));
		lo = t32(t, off + (t->be ? 4 : 0));
		*v = lo;
		return hi == 0;         /* over 32 bits, or a negative SLONG8 */
	}
	return 0;
}

/*
 * Reads the first IFD (the directory libtiff opens and gd decodes) into *d.
 *
 * The sizes must be the ones gd will allocate: gd_tiff.c takes TIFFTAG_IMAGEWIDTH and
 * TIFFTAG_IMAGELENGTH from the directory TIFFClientOpen read, and libtiff keeps the
 * first entry of a repeated tag (TIFFReadDirectory marks later ones tdir_ignore). We do
 * not depend on that rule: a directory repeating a size tag is refused, so the one
 * entry we read is the one libtiff reads, with libtiff's own types (tiff_long). With
 * strict (the file itself), a size entry libtiff would fail on, or an entry table past
 * the end, is ERR_CORRUPT. Without it (EXIF in a JPEG) only the orientation matters and
 * the walk is best effort. Returns ERR_OK or ERR_CORRUPT.
 */
static enum err tiff_ifd0(const uint8_t *p, size_t n, int strict, struct tiff_dir *d)
{
	struct tiff t = { p, n, 0 };
	uint32_t off, cnt, i, seen = 0;

	memset(d, 0, sizeof *d);
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
		uint32_t tag = t16(&t, e), bit, v, *dst;

		switch (tag) {
		case 256: dst = &d->w; bit = 1; break;
		case 257: dst = &d->h; bit = 2; break;
		case 322: dst = &d->tw; bit = 4; break;
		case 323: dst = &d->th; bit = 8; break;
		case 0x0112:
			if (!(seen & 16) && tiff_long(&t, e, &v) && v >= 1 && v <= 8)
				d->orient = (int)v;
			seen |= 16;         /* the first one, as for every tag */
			continue;
		default:
			continue;
		}
		if (!strict)
			continue;
		if ((seen & bit) || !tiff_long(&t, e, dst))
			return ERR_CORRUPT; /* a repeated size, or one libtiff cannot read */
		seen |= bit;
	}
	return ERR_OK;
}

/* JPEG (ITU T.81 B.1): walks the markers up to the first SOFn, reading APP1 Exif on the
 * way for the orientation, then on to the first SOS: *whole is 1 when the data holds an
 * EOI marker after it, 0 when the file was cut short (libjpeg would fill the missing
 * rows with grey and only warn). In entropy-coded data 0xFF is always followed by 0x00
 * or RSTn, so the first 0xFF 0xD9 there is the EOI. Errors only before the SOFn. */
static enum err probe_jpeg(const uint8_t *p, size_t n, struct img_info *in, int *whole)
{
	size_t o = 2;
	int k, frame = 0;

	*whole = 0;
	for (k = 0; k < JPEG_MAX_MARKERS; k++) {
		uint8_t m;
		uint32_t len;

		while (o < n && p[o] == 0xFF && o + 1 < n && p[o + 1] == 0xFF)
			o++;                        /* fill bytes */
		if (o + 2 > n || p[o] != 0xFF)
			break;
		m = p[o + 1];
		o += 2;
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;                   /* no length */
		if (m == 0xD9 || m == 0xDA) {   /* EOI, or SOS: the frame header came before */
			*whole = m == 0xDA && memmem(p + o, n - o, "\xFF\xD9", 2);
			break;
		}
		if (o + 2 > n)
			break;
		len = be16(p + o);
		if (len < 2 || len > n - o)
			break;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && !frame) {
			if (len < 8)
				break;
			in->height = (int)be16(p + o + 3);
			in->width = (int)be16(p + o + 5);
			frame = 1;
		}
		if (m == 0xE1 && len >= 16 && !memcmp(p + o + 2, "Exif\0\0", 6) && in->orientation == 1) {
			struct tiff_dir d;  /* best effort: a broken Exif leaves orientation 1 */

			if (!tiff_ifd0(p + o + 8, len - 8, 0, &d) && d.orient)
				in->orientation = d.orient;
		}
		o += len;
	}
	return frame ? ERR_OK : ERR_CORRUPT;
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
	int whole = 1;

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
		e = probe_jpeg(p, n, in, &whole);
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
		struct tiff_dir d;

		in->fmt = IMG_FMT_TIFF;
		e = tiff_ifd0(p, n, 1, &d);
		if (!e && (d.w > 0x7FFFFFFF || d.h > 0x7FFFFFFF))
			e = ERR_TOO_MANY_PIXELS;
		/* A tile is read whole into one buffer (by gd, or by libtiff's RGBA reader)
		 * and may be larger than the image: it gets the caps too. */
		if (!e && (d.tw > lim->max_width || d.th > lim->max_height ||
		           (long long)d.tw * d.th > (long long)lim->max_pixels))
			e = ERR_TOO_MANY_PIXELS;
		in->width = (int)(d.w & 0x7FFFFFFF);
		in->height = (int)(d.h & 0x7FFFFFFF);
	} else if (n >= 8 && !memcmp(p + 4, "ftyp", 4)) {
		if (n < 16)
			return ERR_CORRUPT;         /* an ISOBMFF file cut inside its ftyp */
		e = img_probe_heif(p, n, lim, in);
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
	return whole ? ERR_OK : ERR_CORRUPT;   /* the caps first: a bomb is told as such */
}

/* Signatures of image files, at offset 0 unless said: the formats read above and
 * others that people upload (layered, icon, vector and newer formats). */
static const struct {
	size_t off, len;
	const char *magic;
} image_magic[] = {
	{ 0, 3, "\xFF\xD8\xFF" },               /* JPEG */
	{ 0, 4, "\x89PNG" },                    /* PNG */
	{ 8, 4, "WEBP" },                       /* WebP (RIFF) */
	{ 0, 4, "GIF8" },                       /* GIF */
	{ 0, 2, "BM" },                         /* BMP */
	{ 0, 4, "II*\0" }, { 0, 4, "MM\0*" },   /* TIFF, and camera raw built on it */
	{ 4, 4, "ftyp" },                       /* HEIF, AVIF, and other ISO media */
	{ 0, 4, "8BPS" },                       /* Photoshop */
	{ 0, 4, "\0\0\1\0" },                   /* Windows icon */
	{ 0, 4, "\0\0\2\0" },                   /* Windows cursor */
	{ 0, 2, "\xFF\x0A" },                   /* JPEG XL codestream */
	{ 4, 8, "JXL \r\n\x87\n" },             /* JPEG XL container */
	{ 4, 8, "jP  \r\n\x87\n" },             /* JPEG 2000 */
	{ 0, 4, "qoif" },                       /* QOI */
	{ 0, 4, "v/1\1" },                      /* OpenEXR */
	{ 0, 4, "DDS " },                       /* DirectDraw surface */
	{ 0, 9, "gimp xcf " },                  /* GIMP */
	{ 0, 10, "#?RADIANCE" },                /* Radiance HDR */
	{ 0, 4, "<svg" },                       /* SVG */
};

int img_looks_like_image(const void *data, size_t n)
{
	const char *p = data;
	size_t i, k;

	for (i = 0; p && i < sizeof image_magic / sizeof image_magic[0]; i++)
		if (n >= image_magic[i].off + image_magic[i].len &&
		    !memcmp(p + image_magic[i].off, image_magic[i].magic, image_magic[i].len))
			return 1;
	/* An SVG may open with an XML declaration, a comment or a doctype first. */
	for (k = 0; p && k + 4 <= n && k < 1024; k++)
		if (!memcmp(p + k, "<svg", 4))
			return 1;
	return 0;
}
