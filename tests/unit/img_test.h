/* img_test.h: helpers shared by the image engine's unit tests: synthetic images,
 * pixel reads, and small byte builders (PNG chunks, deflate streams, EXIF). */
#ifndef BACKDROP_IMG_TEST_H
#define BACKDROP_IMG_TEST_H

#include <stdlib.h>
#include <string.h>
#include "img.h"

/* LeakSanitizer (SAN=1): libavif (inside gd's AVIF codec), x265 (libheif's HEVC
 * encoder) and onnxruntime (the network stage's runtime) keep small allocations of
 * their own to exit; they are not ours. Under clang the stack of an allocation made
 * through C++'s operator new often ends in libstdc++ (built without frame pointers):
 * our code is C, so those are the C++ libraries' too. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libavif.so\nleak:libx265.so\nleak:libheif.so\nleak:libdav1d.so\nleak:libaom.so\n"
	       "leak:libonnxruntime.so\nleak:libstdc++.so\n";
}

/* A w x h image filled with rgb (0xRRGGBB) and alpha a (255: no plane). */
static inline struct img mk(int w, int h, int rgb, int a)
{
	struct img im = { 0 };
	int x, y;

	if (img_new(&im, w, h, a != 255)) {
		printf("Bail out! img_new %dx%d\n", w, h);
		exit(1);
	}
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			im.gd->tpixels[y][x] = rgb;
	if (im.alpha)
		memset(im.alpha, a, (size_t)w * h);
	return im;
}

static inline void put(struct img *im, int x, int y, int rgb, int a)
{
	im->gd->tpixels[y][x] = rgb;
	if (im->alpha)
		im->alpha[(size_t)y * img_w(im) + x] = (uint8_t)a;
}

/* Fills the rectangle with rgb and alpha a. */
static inline void rect(struct img *im, int x0, int y0, int w, int h, int rgb, int a)
{
	int x, y;

	for (y = y0; y < y0 + h; y++)
		for (x = x0; x < x0 + w; x++)
			put(im, x, y, rgb, a);
}

static inline int rgb_at(const struct img *im, int x, int y)
{
	return im->gd->tpixels[y][x] & 0xFFFFFF;
}

static inline int alpha_at(const struct img *im, int x, int y)
{
	return im->alpha ? im->alpha[(size_t)y * img_w(im) + x] : 255;
}

/* 1 when every channel of a and b differs by at most tol. */
static inline int near(int a, int b, int tol)
{
	int s;

	for (s = 0; s < 24; s += 8) {
		int d = ((a >> s) & 255) - ((b >> s) & 255);

		if (d > tol || d < -tol)
			return 0;
	}
	return 1;
}

static inline uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFF;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xFFFFFFFF;
}

static inline void be32w(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Appends a PNG chunk (length, type, data, CRC) at out + *n. */
static inline void png_chunk(uint8_t *out, size_t *n, const char *type, const uint8_t *d, size_t len)
{
	be32w(out + *n, (uint32_t)len);
	memcpy(out + *n + 4, type, 4);
	if (len)
		memcpy(out + *n + 8, d, len);
	be32w(out + *n + 8 + len, crc32_png(out + *n + 4, len + 4));
	*n += 12 + len;
}

/* A zlib stream inflating to `zeros` zero bytes (fixed Huffman: one literal 0, then
 * matches of length 258 at distance 1). Returns its size in out. */
static inline size_t zlib_zeros(uint8_t *out, size_t cap, unsigned long zeros)
{
	size_t n = 2, bits = 0;
	uint32_t acc = 0;
	unsigned long left = zeros - 1, m;

#define PUTB(v, nb) do { acc |= (uint32_t)(v) << bits; bits += (nb); \
	while (bits >= 8) { if (n < cap) out[n++] = (uint8_t)acc; acc >>= 8; bits -= 8; } } while (0)
/* Huffman codes go most significant bit first. */
#define PUTH(code, nb) do { int i_; for (i_ = (nb) - 1; i_ >= 0; i_--) PUTB(((code) >> i_) & 1, 1); } while (0)
	out[0] = 0x78;
	out[1] = 0x01;
	PUTB(1, 1);                  /* BFINAL */
	PUTB(1, 2);                  /* fixed Huffman */
	PUTH(0x30, 8);               /* literal 0 */
	for (m = 0; m + 258 <= left; m += 258) {
		PUTH(0xC5, 8);           /* length code 285 = 258 */
		PUTH(0, 5);              /* distance code 0 = 1 */
	}
	for (; m < left; m++)
		PUTH(0x30, 8);
	PUTH(0, 7);                  /* end of block */
	if (bits)
		PUTB(0, 8 - bits);
	if (n + 4 <= cap) {
		uint32_t b = (uint32_t)(zeros % 65521);

		be32w(out + n, b << 16 | 1);   /* Adler-32 of zeros: a = 1, b = len */
		n += 4;
	}
#undef PUTB
#undef PUTH
	return n;
}

/* Inserts an APP1 Exif segment with orientation o right after a JPEG's SOI. *len grows
 * by 36; returns a new malloc'd buffer. */
static inline uint8_t *jpeg_with_orientation(const uint8_t *j, size_t *len, int o)
{
	static const uint8_t app1[36] = {
		0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 42, 0, 0, 0, 8,         /* TIFF header, IFD0 at 8 */
		0, 1,                                /* one entry */
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, /* orientation SHORT 1 value */
		0, 0, 0, 0                           /* no next IFD */
	};
	uint8_t *p = malloc(*len + sizeof app1);

	memcpy(p, j, 2);
	memcpy(p + 2, app1, sizeof app1);
	p[2 + 29] = (uint8_t)o;       /* the SHORT value, big-endian */
	memcpy(p + 2 + sizeof app1, j + 2, *len - 2);
	*len += sizeof app1;
	return p;
}

#endif
