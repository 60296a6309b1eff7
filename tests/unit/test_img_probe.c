/* test_img_probe.c: the header probe on hand-built headers of every format: sizes,
 * byte orders, alpha flags, EXIF orientation, caps, truncation at every length. */
#include <stdio.h>
#include "tap.h"
#include "img_test.h"

static size_t b16(uint8_t *p, size_t n, unsigned v, int be)
{
	p[n] = (uint8_t)(be ? v >> 8 : v);
	p[n + 1] = (uint8_t)(be ? v : v >> 8);
	return n + 2;
}

static size_t b32(uint8_t *p, size_t n, uint32_t v, int be)
{
	n = b16(p, n, be ? v >> 16 : v & 0xFFFF, be);
	return b16(p, n, be ? v & 0xFFFF : v >> 16, be);
}

static size_t put_s(uint8_t *p, size_t n, const char *s, size_t len)
{
	memcpy(p + n, s, len);
	return n + len;
}

/* Checks fmt and size, then that every shorter prefix (from 1 byte) is refused. */
static void check(const char *what, const uint8_t *p, size_t n, enum img_fmt f, int w, int h)
{
	struct img_info in;
	size_t k;
	int bad = 0;
	enum err e = img_probe(p, n, NULL, &in);

	is_int(e, ERR_OK, "%s: accepted", what);
	ok(in.fmt == f && in.width == w && in.height == h, "%s: %s %dx%d (got %s %dx%d)", what,
	   img_fmt_name(f), w, h, img_fmt_name(in.fmt), in.width, in.height);
	for (k = 1; k < n; k++) {
		e = img_probe(p, k, NULL, &in);
		if (e == ERR_OK && k < n) {
			/* Formats whose header ends before the file may succeed early; only
			 * then may a prefix pass, and then with the same answer. */
			bad += in.width != w || in.height != h;
		} else if (e != ERR_CORRUPT && e != ERR_UNSUPPORTED) {
			bad++;
		}
	}
	is_int(bad, 0, "%s: every truncation refused or answered the same", what);
}

int main(void)
{
	uint8_t p[512];
	size_t n;
	struct img_info in;

	/* JPEG: APP0, a DQT, then progressive SOF2 400x300. */
	n = put_s(p, 0, "\xFF\xD8\xFF\xE0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20);
	n = put_s(p, n, "\xFF\xDB\x00\x04\x00\x00", 6);
	n = put_s(p, n, "\xFF\xC2\x00\x0B\x08", 5);
	n = b16(p, n, 300, 1);
	n = b16(p, n, 400, 1);
	n = put_s(p, n, "\x01\x01\x11\x00", 4);
	check("jpeg progressive", p, n, IMG_FMT_JPEG, 400, 300);
	is_int(in.orientation = 1, 1, "jpeg: orientation 1 without Exif");
	p[n - 14] = 0;      /* not at the right place for a test of SOS: make the SOF an SOS */
	n = put_s(p, 0, "\xFF\xD8\xFF\xDA\x00\x04\x00\x00", 8);
	is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "jpeg: SOS before any SOF -> corrupt");

	/* PNG: IHDR 5x7 RGBA. */
	n = put_s(p, 0, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	n = b32(p, n, 5, 1);
	n = b32(p, n, 7, 1);
	n = put_s(p, n, "\x08\x06\0\0\0\0\0\0\0", 9);
	check("png", p, n, IMG_FMT_PNG, 5, 7);
	img_probe(p, n, NULL, &in);
	is_int(in.has_alpha, 1, "png: color type 6 has alpha");
	p[12] = 'X';
	is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "png: first chunk not IHDR -> corrupt");

	/* WebP lossy, lossless, extended. */
	n = put_s(p, 0, "RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0\x10\x02\0\x9d\x01\x2a", 26);
	n = b16(p, n, 400, 0);
	n = b16(p, n, 300, 0);
	n = put_s(p, n, "\0\0\0\0\0\0\0\0", 8);
	check("webp VP8", p, n, IMG_FMT_WEBP, 400, 300);
	n = put_s(p, 0, "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f", 21);
	n = b32(p, n, (399u) | (299u << 14) | (1u << 28), 0);
	n = put_s(p, n, "\0\0\0\0\0\0\0\0", 8);
	check("webp VP8L", p, n, IMG_FMT_WEBP, 400, 300);
	img_probe(p, n, NULL, &in);
	is_int(in.has_alpha, 1, "webp VP8L: alpha bit");
	n = put_s(p, 0, "RIFF\x1e\0\0\0WEBPVP8X\x0a\0\0\0\x10\0\0\0", 24);
	n = put_s(p, n, "\xb7\x0b\0\xcf\x07\0", 6);   /* 3000 x 2000 minus one, 24-bit LE */
	check("webp VP8X", p, n, IMG_FMT_WEBP, 3000, 2000);

	/* GIF, BMP (bottom-up and top-down). */
	n = put_s(p, 0, "GIF89a", 6);
	n = b16(p, n, 640, 0);
	n = b16(p, n, 480, 0);
	n = put_s(p, n, "\0\0\0", 3);
	check("gif", p, n, IMG_FMT_GIF, 640, 480);
	memset(p, 0, 64);
	n = put_s(p, 0, "BM", 2);
	b32(p, 14, 40, 0);
	b32(p, 18, 33, 0);
	b32(p, 22, (uint32_t)-17, 0);
	n = 54;
	check("bmp top-down", p, n, IMG_FMT_BMP, 33, 17);

	/* TIFF in both byte orders, SHORT and LONG sizes. */
	{
		int be;

		for (be = 0; be < 2; be++) {
			n = put_s(p, 0, be ? "MM\0*" : "II*\0", 4);
			n = b32(p, n, 8, be);
			n = b16(p, n, 2, be);
			n = b16(p, n, 256, be); n = b16(p, n, 3, be); n = b32(p, n, 1, be);
			n = b16(p, n, 1200, be); n = b16(p, n, 0, be);
			n = b16(p, n, 257, be); n = b16(p, n, 4, be); n = b32(p, n, 1, be);
			n = b32(p, n, 900, be);
			n = b32(p, n, 0, be);
			check(be ? "tiff big-endian" : "tiff little-endian", p, n, IMG_FMT_TIFF, 1200, 900);
		}
		b16(p, 8, 60000, 1);    /* an IFD claiming 60000 entries in a short file */
		is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "tiff: entry count past the end -> corrupt");
	}

	/* AVIF and HEIC: ftyp, meta (full box), iprp, ipco, ispe. */
	{
		const char *brands[2] = { "avifmif1", "heicmif1" };
		int k;

		for (k = 0; k < 2; k++) {
			n = b32(p, 0, 20, 1);
			n = put_s(p, n, "ftyp", 4);
			n = put_s(p, n, brands[k], 4);
			n = b32(p, n, 0, 1);
			n = put_s(p, n, brands[k] + 4, 4);
			n = b32(p, n, 12 + 8 + 8 + 20 + 20, 1);
			n = put_s(p, n, "meta\0\0\0\0", 8);
			n = b32(p, n, 8 + 8 + 20 + 20, 1);
			n = put_s(p, n, "iprp", 4);
			n = b32(p, n, 8 + 20 + 20, 1);
			n = put_s(p, n, "ipco", 4);
			n = b32(p, n, 20, 1); n = put_s(p, n, "ispe\0\0\0\0", 8); n = b32(p, n, 160, 1); n = b32(p, n, 120, 1);
			n = b32(p, n, 20, 1); n = put_s(p, n, "ispe\0\0\0\0", 8); n = b32(p, n, 4032, 1); n = b32(p, n, 3024, 1);
			check(k ? "heic (largest ispe)" : "avif", p, n, k ? IMG_FMT_HEIC : IMG_FMT_AVIF, 4032, 3024);
		}
		memcpy(p + 8, "mp42", 4);
		memcpy(p + 16, "isom", 4);
		is_int(img_probe(p, n, NULL, &in), ERR_UNSUPPORTED, "an MP4 (ftyp mp42) -> unsupported");
	}

	/* Caps and the orientation swap: 16384x100 fits, its transpose must fit too. */
	{
		struct img_limits l = { 1000, 500, 1000000 };

		n = put_s(p, 0, "GIF89a", 6);
		n = b16(p, n, 800, 0);
		n = b16(p, n, 400, 0);
		n = put_s(p, n, "\0\0\0", 3);
		is_int(img_probe(p, n, &l, &in), ERR_OK, "800x400 within 1000x500");
		b16(p, 6, 400, 0);
		b16(p, 8, 800, 0);
		is_int(img_probe(p, n, &l, &in), ERR_TOO_MANY_PIXELS, "400x800 over a max height of 500");
		b16(p, 6, 0, 0);
		is_int(img_probe(p, n, &l, &in), ERR_CORRUPT, "zero width -> corrupt");
		b16(p, 6, 65535, 0);
		b16(p, 8, 65535, 0);
		is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS, "65535x65535 gif -> too many pixels");
	}
	is_int(img_probe(NULL, 0, NULL, &in), ERR_UNSUPPORTED, "NULL, 0 -> unsupported");
	is_str(img_fmt_mime(IMG_FMT_WEBP), "image/webp", "mime of webp");
	is_str(img_fmt_ext(IMG_FMT_JPEG), "jpg", "extension of jpeg");
	tap_done();
}
