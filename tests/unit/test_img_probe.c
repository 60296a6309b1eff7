/* test_img_probe.c: the header probe on hand-built headers of every format: sizes,
 * byte orders, alpha flags, EXIF orientation, caps, truncation at every length; and
 * that the size checked is the one the decoder allocates: a TIFF's first directory as
 * libtiff reads it, an AVIF's or HEIC's primary item, grid canvases and tiles, coded
 * pictures (AV1 sequence headers, HEVC SPS). */
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


/* ---- HEIF builders: boxes with their size patched when closed ---- */

static size_t bopen(uint8_t *p, size_t *n, const char *type, int full, unsigned vflags)
{
	size_t at = *n;

	*n = b32(p, *n, 0, 1);
	*n = put_s(p, *n, type, 4);
	if (full)
		*n = b32(p, *n, vflags, 1);
	return at;
}

static void bclose(uint8_t *p, size_t n, size_t at)
{
	b32(p, at, (uint32_t)(n - at), 1);
}

/* One reference of iref: type, from, to[]. */
struct href {
	const char *type;
	unsigned from, nto, to[16];
};

/* A property of ipco: 'i' ispe w x h; 'h' an hvcC whose SPS says w x h; 'a' an av1C
 * whose sequence header says w x h; 'f' a 'free' box with a 64-bit size (a walk of
 * ipco that stops there sees nothing past it). */
struct hprop {
	char kind;
	unsigned w, h;
};

/*
 * An AVIF or HEIC file: major brand `brand` (also listed compatible); items 1.. of
 * types[] (up to a NULL), the grid_item's data `grid` in idat, every other item's in
 * mdat: for av01 a temporal delimiter and a reduced still-picture sequence header of
 * coded[i] (0 x 0: its first ispe), for hvc1 one NAL unit; ipco holding props[] (up to
 * kind 0); ipma giving item i+1 the 1-based property indices of the string assoc[i];
 * the references refs[] (up to a NULL type); pitm naming primary.
 */
struct hspec {
	const char *brand;
	unsigned primary;
	const char *types[20];
	struct hprop props[8];
	const char *assoc[20];
	struct href refs[4];
	unsigned grid_item;
	const uint8_t *grid;
	size_t grid_n;
	unsigned coded[20][2];
};

/* MSB-first bit writer: bput(b, &i, v, k) appends the k low bits of v. */
static void bput(uint8_t *b, size_t *i, uint32_t v, unsigned k)
{
	while (k--) {
		if (k < 32 && (v >> k & 1))
			b[*i / 8] |= (uint8_t)(0x80 >> *i % 8);
		(*i)++;
	}
}

/* Exp-Golomb ue(v). */
static void bput_ue(uint8_t *b, size_t *i, uint32_t v)
{
	unsigned z = 0;

	while ((v + 1) >> (z + 1))
		z++;
	bput(b, i, 0, z);
	bput(b, i, v + 1, z + 1);
}

/* An AV1 reduced still-picture sequence header OBU of w x h (16-bit size fields). */
static size_t av1_seq_obu(uint8_t *p, size_t n, unsigned w, unsigned h)
{
	uint8_t b[8] = { 0 };
	size_t i = 0;

	bput(b, &i, 0, 3);                  /* seq_profile */
	bput(b, &i, 3, 2);                  /* still_picture, reduced_still_picture_header */
	bput(b, &i, 0, 5);                  /* seq_level_idx */
	bput(b, &i, 15, 4);                 /* frame_width_bits_minus_1 */
	bput(b, &i, 15, 4);
	bput(b, &i, w - 1, 16);
	bput(b, &i, h - 1, 16);
	n = put_s(p, n, "\x0A\x08", 2);     /* OBU_SEQUENCE_HEADER, has_size, 8 bytes */
	return put_s(p, n, (const char *)b, 8);
}

/* An hvcC holding one SPS NAL unit of w x h, emulation-prevention bytes and all. */
static size_t hvcc_box(uint8_t *p, size_t n, unsigned w, unsigned h)
{
	uint8_t b[32] = { 0 }, e[48];
	size_t i = 0, k, m = 0, z = 0, at;

	bput(b, &i, 0, 4);                  /* sps_video_parameter_set_id */
	bput(b, &i, 0, 3);                  /* sps_max_sub_layers_minus1 */
	bput(b, &i, 1, 1);
	bput(b, &i, 1, 8);                  /* profile space, tier, general_profile_idc 1 */
	bput(b, &i, 0x60000000, 32);
	bput(b, &i, 0xB, 4);
	bput(b, &i, 0, 44);                 /* zeros: emulation prevention needed */
	bput(b, &i, 0x5D, 8);               /* general_level_idc */
	bput_ue(b, &i, 0);                  /* sps_seq_parameter_set_id */
	bput_ue(b, &i, 1);                  /* chroma_format_idc 4:2:0 */
	bput_ue(b, &i, w);
	bput_ue(b, &i, h);
	bput(b, &i, 1, 1);
	e[m++] = 0x42;                      /* NAL header: SPS (33) */
	e[m++] = 0x01;
	for (k = 0; k < (i + 7) / 8; k++) {
		if (z >= 2 && b[k] <= 3) {
			e[m++] = 3;
			z = 0;
		}
		z = b[k] ? 0 : z + 1;
		e[m++] = b[k];
	}
	at = bopen(p, &n, "hvcC", 0, 0);
	n = put_s(p, n, "\x01\x01\x60\0\0\0\xB0\0\0\0\0\0\x5D\xF0\0\xFC\xFD\xF8\xF8\0\0\x0F", 22);
	n = put_s(p, n, "\x01\xA1\x00\x01", 4);   /* one array: SPS, one NAL unit */
	n = b16(p, n, (unsigned)m, 1);
	n = put_s(p, n, (const char *)e, m);
	bclose(p, n, at);
	return n;
}

static size_t heif_file(uint8_t *p, const struct hspec *h)
{
	size_t n = 0, at, at2, at3, iloc_at, mdat, off[20], len[20];
	unsigned i, k, ni = 0;

	while (h->types[ni])
		ni++;
	at = bopen(p, &n, "ftyp", 0, 0);
	n = put_s(p, n, h->brand, 4);
	n = b32(p, n, 0, 1);
	n = put_s(p, n, h->brand, 4);
	n = put_s(p, n, "mif1", 4);
	bclose(p, n, at);
	at = bopen(p, &n, "meta", 1, 0);
	at2 = bopen(p, &n, "hdlr", 1, 0);
	n = b32(p, n, 0, 1);
	n = put_s(p, n, "pict\0\0\0\0\0\0\0\0\0\0\0\0\0", 17);
	bclose(p, n, at2);
	at2 = bopen(p, &n, "pitm", 1, 0);
	n = b16(p, n, h->primary, 1);
	bclose(p, n, at2);
	at2 = bopen(p, &n, "iinf", 1, 0);
	n = b16(p, n, ni, 1);
	for (i = 0; i < ni; i++) {
		at3 = bopen(p, &n, "infe", 1, 2u << 24);
		n = b16(p, n, i + 1, 1);
		n = b16(p, n, 0, 1);
		n = put_s(p, n, h->types[i], 4);
		n = put_s(p, n, "", 1);
		bclose(p, n, at3);
	}
	bclose(p, n, at2);
	iloc_at = n;                        /* version 1, offsets and lengths of 4 bytes */
	at2 = bopen(p, &n, "iloc", 1, 1u << 24);
	n = put_s(p, n, "\x44\x00", 2);
	n = b16(p, n, ni, 1);
	for (i = 0; i < ni; i++) {
		n = b16(p, n, i + 1, 1);
		n = b16(p, n, i + 1 == h->grid_item, 1);  /* construction method: 1 = idat */
		n = b16(p, n, 0, 1);
		n = b16(p, n, 1, 1);
		n = b32(p, n, 0, 1);            /* offset and length, patched below */
		n = b32(p, n, 0, 1);
	}
	bclose(p, n, at2);
	at2 = bopen(p, &n, "iprp", 0, 0);
	at3 = bopen(p, &n, "ipco", 0, 0);
	for (k = 0; h->props[k].kind; k++) {
		size_t at4;

		if (h->props[k].kind == 'f') {
			n = b32(p, n, 1, 1);
			n = put_s(p, n, "free", 4);
			n = b32(p, n, 0, 1);
			n = b32(p, n, 16, 1);
		} else if (h->props[k].kind == 'h') {
			n = hvcc_box(p, n, h->props[k].w, h->props[k].h);
		} else if (h->props[k].kind == 'a') {
			at4 = bopen(p, &n, "av1C", 0, 0);
			n = put_s(p, n, "\x81\x00\x0C\x00", 4);
			n = av1_seq_obu(p, n, h->props[k].w, h->props[k].h);
			bclose(p, n, at4);
		} else {
			at4 = bopen(p, &n, "ispe", 1, 0);
			n = b32(p, n, h->props[k].w, 1);
			n = b32(p, n, h->props[k].h, 1);
			bclose(p, n, at4);
		}
	}
	bclose(p, n, at3);
	at3 = bopen(p, &n, "ipma", 1, 0);
	n = b32(p, n, ni, 1);
	for (i = 0; i < ni; i++) {
		const char *a = h->assoc[i] ? h->assoc[i] : "";

		n = b16(p, n, i + 1, 1);
		p[n++] = (uint8_t)strlen(a);
		n = put_s(p, n, a, strlen(a));
	}
	bclose(p, n, at3);
	bclose(p, n, at2);
	if (h->refs[0].type) {
		at2 = bopen(p, &n, "iref", 1, 0);
		for (k = 0; k < 4 && h->refs[k].type; k++) {
			at3 = bopen(p, &n, h->refs[k].type, 0, 0);
			n = b16(p, n, h->refs[k].from, 1);
			n = b16(p, n, h->refs[k].nto, 1);
			for (i = 0; i < h->refs[k].nto; i++)
				n = b16(p, n, h->refs[k].to[i], 1);
			bclose(p, n, at3);
		}
		bclose(p, n, at2);
	}
	if (h->grid_item) {
		at2 = bopen(p, &n, "idat", 0, 0);
		n = put_s(p, n, (const char *)h->grid, h->grid_n);
		bclose(p, n, at2);
	}
	bclose(p, n, at);
	at = bopen(p, &n, "mdat", 0, 0);
	mdat = n;
	for (i = 0; i < ni; i++) {
		unsigned w = h->coded[i][0], ht = h->coded[i][1];
		const char *a = h->assoc[i] ? h->assoc[i] : "";

		off[i] = n;
		if (i + 1 == h->grid_item) {
			off[i] = 0;
			len[i] = h->grid_n;
			continue;
		}
		if (!strcmp(h->types[i], "av01")) {
			for (k = 0; !w && a[k]; k++)        /* the item's first ispe */
				if (h->props[(a[k] & 0x7F) - 1].kind == 'i') {
					w = h->props[(a[k] & 0x7F) - 1].w;
					ht = h->props[(a[k] & 0x7F) - 1].h;
				}
			n = put_s(p, n, "\x12\x00", 2);     /* temporal delimiter */
			n = av1_seq_obu(p, n, w ? w : 1, ht ? ht : 1);
		} else {
			n = put_s(p, n, "\0\0\0\x02\x26\x01", 6);   /* an IDR slice NAL unit */
		}
		len[i] = n - off[i];
	}
	bclose(p, n, at);
	for (i = 0; i < ni; i++) {
		b32(p, iloc_at + 12 + 4 + (size_t)i * 16 + 8, (uint32_t)off[i], 1);
		b32(p, iloc_at + 12 + 4 + (size_t)i * 16 + 12, (uint32_t)len[i], 1);
	}
	(void)mdat;
	return n;
}

/* A little-endian TIFF whose IFD0 holds the entries e[] (tag, type, count, value or
 * offset), followed by 8 bytes (at offset 8 + 2 + 12 k + 4) a LONG8 may point to. */
struct tent {
	unsigned tag, type, count;
	uint32_t v;
};

static size_t tiff_file(uint8_t *p, const struct tent *e, unsigned k, uint64_t v8)
{
	size_t n = put_s(p, 0, "II*\0", 4);
	unsigned i;

	n = b32(p, n, 8, 0);
	n = b16(p, n, k, 0);
	for (i = 0; i < k; i++) {
		n = b16(p, n, e[i].tag, 0);
		n = b16(p, n, e[i].type, 0);
		n = b32(p, n, e[i].count, 0);
		n = e[i].type == 3 || e[i].type == 8 ? b16(p, b16(p, n, e[i].v, 0), 0, 0) : b32(p, n, e[i].v, 0);
	}
	n = b32(p, n, 0, 0);
	n = b32(p, n, (uint32_t)v8, 0);
	return b32(p, n, (uint32_t)(v8 >> 32), 0);
}

int main(void)
{
	static uint8_t p[8192];
	size_t n;
	struct img_info in;

	/* JPEG: APP0, a DQT, then progressive SOF2 400x300. */
	n = put_s(p, 0, "\xFF\xD8\xFF\xE0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20);
	n = put_s(p, n, "\xFF\xDB\x00\x04\x00\x00", 6);
	n = put_s(p, n, "\xFF\xC2\x00\x0B\x08", 5);
	n = b16(p, n, 300, 1);
	n = b16(p, n, 400, 1);
	n = put_s(p, n, "\x01\x01\x11\x00", 4);
	/* A scan: SOS, entropy-coded bytes (0xFF stuffed as 0xFF 0x00), EOI. */
	n = put_s(p, n, "\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00", 10);
	n = put_s(p, n, "\x12\xFF\x00\x34\xFF\xD0\x56\xFF\xD9", 9);
	check("jpeg progressive", p, n, IMG_FMT_JPEG, 400, 300);
	is_int(in.orientation = 1, 1, "jpeg: orientation 1 without Exif");
	is_int(img_probe(p, n - 2, NULL, &in), ERR_CORRUPT, "jpeg: scan data without its EOI (cut short) -> corrupt");
	is_int(img_probe(p, n - 9, NULL, &in), ERR_CORRUPT, "jpeg: a header with no scan data -> corrupt");
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

	/* TIFF: the sizes gd will allocate are libtiff's, which keeps the first of a repeated
	 * tag. A directory repeating one is refused, whichever way round (the reviewer's
	 * 300x2883784 first and 1x1 after, which probed 1x1 and decoded at 3.4 GB). */
	{
		struct tent t[4] = { { 256, 3, 1, 300 }, { 257, 4, 1, 2883784 }, { 256, 3, 1, 1 }, { 257, 3, 1, 1 } };
		struct tent r[4] = { { 256, 3, 1, 1 }, { 257, 3, 1, 1 }, { 256, 3, 1, 300 }, { 257, 4, 1, 2883784 } };
		struct tent one[2] = { { 256, 3, 1, 1200 }, { 257, 4, 1, 900 } };
		static const struct {
			unsigned type, count;
			uint32_t v;
			uint64_t v8;
			int w;          /* the width libtiff reads, or -1: libtiff fails the directory */
		} ty[] = {
			{ 1, 1, 200, 0, 200 },              /* BYTE */
			{ 6, 1, 100, 0, 100 },              /* SBYTE */
			{ 6, 1, 0xC8, 0, -1 },              /* SBYTE -56 */
			{ 8, 1, 1200, 0, 1200 },            /* SSHORT */
			{ 8, 1, 0x8001, 0, -1 },            /* SSHORT negative */
			{ 9, 1, 1200, 0, 1200 },            /* SLONG */
			{ 9, 1, 0xFFFFFFF0u, 0, -1 },       /* SLONG negative */
			{ 16, 1, 38, 1200, 1200 },          /* LONG8 at offset 38 */
			{ 17, 1, 38, 1200, 1200 },          /* SLONG8 */
			{ 16, 1, 38, 0x100000001ull, -1 },  /* LONG8 over 32 bits */
			{ 16, 1, 4000, 1200, -1 },          /* LONG8 past the end */
			{ 3, 2, 1200, 0, -1 },              /* two values */
			{ 2, 1, 1200, 0, -1 },              /* ASCII */
			{ 5, 1, 38, 0, -1 },                /* RATIONAL */
		};
		struct tent tt[2] = { { 256, 0, 0, 0 }, { 257, 3, 1, 900 } };
		struct tent tile[4] = { { 256, 3, 1, 16 }, { 257, 3, 1, 16 }, { 322, 4, 1, 65536 }, { 323, 4, 1, 65536 } };
		size_t k;

		n = tiff_file(p, t, 4, 0);
		is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "tiff: 300x2883784 then a repeated 1x1 -> corrupt");
		n = tiff_file(p, r, 4, 0);
		is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "tiff: 1x1 then a repeated 300x2883784 -> corrupt");
		n = tiff_file(p, one, 2, 0);
		check("tiff without repeats", p, n, IMG_FMT_TIFF, 1200, 900);
		for (k = 0; k < sizeof ty / sizeof ty[0]; k++) {
			enum err e;

			tt[0].type = ty[k].type;
			tt[0].count = ty[k].count;
			tt[0].v = ty[k].v;
			n = tiff_file(p, tt, 2, ty[k].v8);
			e = img_probe(p, n, NULL, &in);
			if (ty[k].w < 0)
				is_int(e, ERR_CORRUPT, "tiff: width of type %u count %u refused as libtiff does",
				       ty[k].type, ty[k].count);
			else
				ok(e == ERR_OK && in.width == ty[k].w && in.height == 900,
				   "tiff: width of type %u read as libtiff does (%d; got %d %dx%d)", ty[k].type,
				   ty[k].w, (int)e, in.width, in.height);
		}
		n = tiff_file(p, tile, 4, 0);
		is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS, "tiff: a 65536x65536 tile of a 16x16 image -> too many pixels");
		tile[2].v = tile[3].v = 256;
		n = tiff_file(p, tile, 4, 0);
		is_int(img_probe(p, n, NULL, &in), ERR_OK, "tiff: a 256x256 tile of a 16x16 image is fine");
	}

	/* AVIF and HEIC: the primary item (pitm) and the ispe its ipma entry names. Items
	 * 1 and 2 take properties 1 and 2 (in AVIF) or 1-2 with hvcC 3-4 (in HEIC). */
	{
		const char *brands[2] = { "avif", "heic" }, *coded[2] = { "av01", "hvc1" };
		int k;

		for (k = 0; k < 2; k++) {
			const char *c = coded[k];
			const char *a1 = k ? "\x82\x84" : "\x82", *a2 = k ? "\x81\x83" : "\x81";
			/* 1: the primary, 4032x3024; 2: its thumbnail, 160x120. */
			struct hspec ok1 = { brands[k], 1, { c, c },
			                     { { 'i', 160, 120 }, { 'i', 4032, 3024 }, { 'h', 160, 120 }, { 'h', 4032, 3024 } },
			                     { a1, a2 }, { { "thmb", 2, 1, { 1 } } }, 0, NULL, 0, { { 0 } } };
			/* The primary's 40000x30000 is past a box with a 64-bit size, where a
			 * scan of ipco for the largest ispe stopped, seeing only the 160x120. */
			struct hspec hid = { brands[k], 1, { c, c },
			                     { { 'i', 160, 120 }, { 'f', 0, 0 }, { 'i', 40000, 30000 }, { 'h', 160, 120 },
			                       { 'h', 40000, 30000 } },
			                     { k ? "\x83\x85" : "\x83", k ? "\x81\x84" : "\x81" },
			                     { { "thmb", 2, 1, { 1 } } }, 0, NULL, 0, { { 0 } } };
			/* The reverse: a huge item that is not the primary and is never decoded. */
			struct hspec rev = ok1;
			/* The alpha plane of a 160x120 primary, 40000x30000 behind the same box. */
			struct hspec alpha = hid;
			/* A 64x64 primary whose coded picture is 16384x16384 (the AV1 sequence
			 * header, the HEVC SPS): the decoder allocates that before anything. */
			struct hspec pic = { brands[k], 1, { c }, { { 'i', 64, 64 }, { 'h', 16384, 16384 } },
			                     { k ? "\x81\x82" : "\x81" }, { { 0 } }, 0, NULL, 0, { { 16384, 16384 } } };
			struct hspec two = ok1, none = ok1, nopitm = ok1, ovl = ok1;
			struct img_limits l = { 1000, 1000, 1000000 };
			char what[64];

			snprintf(what, sizeof what, "%s primary", brands[k]);
			n = heif_file(p, &ok1);
			check(what, p, n, k ? IMG_FMT_HEIC : IMG_FMT_AVIF, 4032, 3024);
			n = heif_file(p, &hid);
			is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS,
			       "%s: small non-primary ispe, 40000x30000 primary -> too many pixels", brands[k]);
			rev.props[1].w = rev.props[3].w = 40000;
			rev.props[1].h = rev.props[3].h = 30000;
			rev.primary = 2;
			n = heif_file(p, &rev);
			ok(img_probe(p, n, NULL, &in) == ERR_OK && in.width == 160 && in.height == 120,
			   "%s: a huge item that is not the primary is not what is decoded (got %dx%d)",
			   brands[k], in.width, in.height);
			alpha.assoc[0] = k ? "\x81\x84" : "\x81";
			alpha.assoc[1] = k ? "\x83\x85" : "\x83";
			alpha.refs[0].type = "auxl";
			alpha.refs[0].from = 2;
			n = heif_file(p, &alpha);
			is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS,
			       "%s: a 40000x30000 alpha item of a 160x120 primary -> too many pixels", brands[k]);
			n = heif_file(p, &pic);
			is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS,
			       "%s: a 64x64 ispe over a 16384x16384 coded picture -> too many pixels", brands[k]);
			pic.props[1].w = pic.props[1].h = pic.coded[0][0] = pic.coded[0][1] = 64;
			n = heif_file(p, &pic);
			check(k ? "heic without thumbnail" : "avif without thumbnail", p, n,
			      k ? IMG_FMT_HEIC : IMG_FMT_AVIF, 64, 64);
			if (!k) {                   /* the sequence header in av1C (libheif uses it) */
				pic.props[1].kind = 'a';
				pic.props[1].w = pic.props[1].h = 16384;
				pic.assoc[0] = "\x81\x82";
				n = heif_file(p, &pic);
				is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS,
				       "avif: a 16384x16384 sequence header in av1C -> too many pixels");
			}
			/* Caps of 1000x1000: a 900x900 thumbnail has the larger area, the
			 * 5000x100 primary is what gets decoded. */
			ok1.props[0].w = ok1.props[0].h = ok1.props[2].w = ok1.props[2].h = 900;
			ok1.props[1].w = ok1.props[3].w = 5000;
			ok1.props[1].h = ok1.props[3].h = 100;
			n = heif_file(p, &ok1);
			is_int(img_probe(p, n, &l, &in), ERR_TOO_MANY_PIXELS,
			       "%s: a 5000x100 primary over a 900x900 thumbnail, caps 1000x1000 -> too many pixels", brands[k]);
			two.assoc[0] = k ? "\x81\x82\x84" : "\x81\x82";
			n = heif_file(p, &two);
			is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "%s: a primary with two ispe -> corrupt", brands[k]);
			none.assoc[0] = k ? "\x84" : "";
			n = heif_file(p, &none);
			is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "%s: a primary without ispe -> corrupt", brands[k]);
			nopitm.primary = 7;
			n = heif_file(p, &nopitm);
			is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "%s: pitm naming no item -> corrupt", brands[k]);
			ovl.types[0] = "iovl";
			n = heif_file(p, &ovl);
			is_int(img_probe(p, n, NULL, &in), ERR_UNSUPPORTED, "%s: an overlay primary -> unsupported", brands[k]);
		}
		{
			struct hspec seq = { "avis", 1, { "av01" }, { { 'i', 64, 64 } }, { "\x81" }, { { 0 } }, 0, NULL, 0, { { 0 } } };

			n = heif_file(p, &seq);
			is_int(img_probe(p, n, NULL, &in), ERR_UNSUPPORTED, "avif: an image sequence (avis) -> unsupported");
		}
		memcpy(p + 8, "mp42", 4);
		memcpy(p + 16, "isom", 4);
		is_int(img_probe(p, n, NULL, &in), ERR_UNSUPPORTED, "an MP4 (ftyp mp42) -> unsupported");
	}

	/* Grids: the canvas is the grid's own output size, whatever the ispe say. */
	{
		/* A 1x1 grid cropping a 64x64 tile to 64x48 (what libheif writes for 64x48). */
		static const uint8_t crop[8] = { 0, 0, 0, 0, 0, 64, 0, 48 };
		/* 20000x20000 (32-bit fields) out of the same tile. */
		static const uint8_t huge[12] = { 0, 1, 0, 0, 0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20 };
		/* 2x2 tiles of 512x512 making 1000x900. */
		static const uint8_t quad[8] = { 0, 0, 1, 1, 0x03, 0xE8, 0x03, 0x84 };
		/* 4x4 tiles of 4096x4096 making 16384x16384. */
		static const uint8_t big[8] = { 0, 0, 3, 3, 0x40, 0x00, 0x40, 0x00 };
		struct hspec h1 = { "heic", 2, { "hvc1", "grid" }, { { 'i', 64, 64 }, { 'i', 64, 48 }, { 'h', 64, 64 } },
		                    { "\x81\x83", "\x82" }, { { "dimg", 2, 1, { 1 } } }, 2, crop, sizeof crop, { { 0 } } };
		struct hspec h2 = h1;
		struct hspec q = { "avif", 1, { "grid", "av01", "av01", "av01", "av01" },
		                   { { 'i', 1000, 900 }, { 'i', 512, 512 } },
		                   { "\x81", "\x82", "\x82", "\x82", "\x82" }, { { "dimg", 1, 4, { 2, 3, 4, 5 } } },
		                   1, quad, sizeof quad, { { 0 } } };
		struct hspec a16 = { "avif", 1, { "grid", "av01", "av01", "av01", "av01", "av01", "av01", "av01", "av01",
		                                  "av01", "av01", "av01", "av01", "av01", "av01", "av01", "av01" },
		                     { { 'i', 12, 9 }, { 'i', 4096, 4096 } },
		                     { "\x81", "\x82", "\x82", "\x82", "\x82", "\x82", "\x82", "\x82", "\x82",
		                       "\x82", "\x82", "\x82", "\x82", "\x82", "\x82", "\x82", "\x82" },
		                     { { "dimg", 1, 16, { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 } } },
		                     1, big, sizeof big, { { 0 } } };
		struct hspec bad = q;

		n = heif_file(p, &h1);
		check("heic 1x1 grid cropping its tile", p, n, IMG_FMT_HEIC, 64, 48);
		h2.grid = huge;
		h2.grid_n = sizeof huge;
		h2.props[1].w = h2.props[1].h = 20000;  /* the grid's ispe agrees, as it must */
		n = heif_file(p, &h2);
		is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS, "heic: a 20000x20000 grid of one 64x64 tile -> too many pixels");
		h2.props[1].w = 64;
		h2.props[1].h = 48;
		n = heif_file(p, &h2);
		ok(img_probe(p, n, NULL, &in) != ERR_OK, "heic: a 20000x20000 grid whose ispe says 64x48 -> refused");
		n = heif_file(p, &q);
		check("avif 2x2 grid", p, n, IMG_FMT_AVIF, 1000, 900);
		n = heif_file(p, &a16);
		ok(img_probe(p, n, NULL, &in) != ERR_OK, "avif: a 16384x16384 grid of 4096x4096 tiles, ispe 12x9 -> refused");
		a16.props[0].w = a16.props[0].h = 16384;
		n = heif_file(p, &a16);
		is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS, "avif: a 16384x16384 grid of 4096x4096 tiles -> too many pixels");
		bad.refs[0].nto = 3;
		n = heif_file(p, &bad);
		is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "avif: a 2x2 grid with 3 tiles -> corrupt");
		bad = q;
		bad.props[1].w = bad.props[1].h = 400;
		n = heif_file(p, &bad);
		is_int(img_probe(p, n, NULL, &in), ERR_CORRUPT, "avif: 2x2 tiles of 400x400 do not cover 1000x900 -> corrupt");
		bad = q;
		bad.coded[3][0] = bad.coded[3][1] = 16000;
		n = heif_file(p, &bad);
		is_int(img_probe(p, n, NULL, &in), ERR_TOO_MANY_PIXELS, "avif: a tile coded at 16000x16000 -> too many pixels");
		bad = q;
		bad.types[1] = "grid";
		n = heif_file(p, &bad);
		ok(img_probe(p, n, NULL, &in) != ERR_OK, "avif: a grid of grids -> refused");
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
