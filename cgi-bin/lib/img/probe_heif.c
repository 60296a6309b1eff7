/* probe_heif.c: the AVIF and HEIC probe (HEIF, ISO/IEC 23008-12; boxes per ISO/IEC
 * 14496-12): the primary item's size, every picture its decoder allocates capped. */
#include <string.h>
#include "probe_int.h"

#define ISOBMFF_MAX_BOXES 256   /* boxes visited per ISOBMFF container level */
#define HEIF_MAX_ENTRIES  4096  /* items, associations, references walked per HEIF box */
#define HEIF_MAX_IPMA     4     /* ipma boxes (one per version and flags) */
#define HEIF_MAX_TILES    512   /* grid tiles: libavif keeps a decoder for each (about
                                   430 KB); a 50 MP photo in 512 px tiles has 192 */
#define HEIF_MAX_UNITS    256   /* AV1 OBUs or HEVC NAL units walked in one item */
#define HEIF_MAX_EXTENTS  32    /* extents of one item (libheif's limit too) */
#define HEIF_MAX_STEPS    4000000L  /* box and entry steps per file: about 10 ms */
#define HEIF_UNIT_BYTES   512   /* bytes read of a sequence header or SPS: past their sizes */

/* A box: its four-character type and its payload. */
struct box {
	const uint8_t *type, *p;
	size_t n;
};

/* Reads the box at *o of [p, p+n) into *b and moves *o past it. Size 0 runs to the end
 * of [p, p+n), size 1 has a 64-bit size, "uuid" 16 more bytes of type. Returns 1; 0 at
 * the end; -1 for a box that does not fit (or stray bytes after the last box). */
static int box_next(const uint8_t *p, size_t n, size_t *o, struct box *b)
{
	size_t r = n - *o, hdr = 8;
	uint64_t sz;

	if (r == 0)
		return 0;
	if (r < 8)
		return -1;
	sz = be32(p + *o);
	if (sz == 1) {
		if (r < 16)
			return -1;
		sz = (uint64_t)be32(p + *o + 8) << 32 | be32(p + *o + 12);
		hdr = 16;
	} else if (sz == 0) {
		sz = r;
	}
	if (!memcmp(p + *o + 4, "uuid", 4))
		hdr += 16;
	if (sz < hdr || sz > r)
		return -1;
	b->type = p + *o + 4;
	b->p = p + *o + hdr;
	b->n = (size_t)sz - hdr;
	*o += (size_t)sz;
	return 1;
}

/* Finds the first child box of type `type` in [p, p+n). Returns 1 or 0. */
static int box_find(const uint8_t *p, size_t n, const char *type, struct box *b)
{
	size_t o = 0;
	int k;

	for (k = 0; k < ISOBMFF_MAX_BOXES && box_next(p, n, &o, b) > 0; k++)
		if (!memcmp(b->type, type, 4))
			return 1;
	return 0;
}

/* The meta box of one file, parsed enough to follow items: payloads of the boxes we
 * read (full-box headers included), and the caps every decoded item must fit. */
struct heif {
	const uint8_t *p;           /* the whole file (item data at file offsets) */
	size_t n;
	struct box iinf, iloc, iref, idat, ipco;    /* iref, idat: n = 0 when absent */
	struct box ipma[HEIF_MAX_IPMA];
	int nipma;
	int avif;                   /* decoded by libavif, which knows av01 and grid only */
	const struct img_limits *lim;
	long steps;                 /* walk steps left (HEIF_MAX_STEPS in all) */
};

/* Counts one step of a walk through the file's tables. Returns 1, or 0 once the file
 * has used up HEIF_MAX_STEPS (img_probe_heif then refuses it as too involved). */
static int heif_step(struct heif *h)
{
	return --h->steps >= 0;
}

/* An unsigned big-endian field of k = 0, 2, 4 or 8 bytes. */
static uint64_t ben(const uint8_t *p, unsigned k)
{
	uint64_t v = 0;

	while (k--)
		v = v << 8 | *p++;
	return v;
}

/* Indexes the children of meta: pitm (into *primary), iinf, iloc, iref, idat, and
 * iprp's ipco and ipma boxes. A repeated one (libavif refuses them; libheif keeps the
 * first) or a missing required one is ERR_CORRUPT. */
static enum err heif_open(struct heif *h, const uint8_t *m, size_t mn, uint32_t *primary)
{
	static const char uniq[][5] = { "pitm", "iinf", "iloc", "iref", "idat", "iprp" };
	struct box b, found[6] = { { 0 } };
	size_t o = 0;
	unsigned seen = 0, i;
	int r = 0, k;

	for (k = 0; k < ISOBMFF_MAX_BOXES && (r = box_next(m, mn, &o, &b)) > 0; k++)
		for (i = 0; i < 6; i++)
			if (!memcmp(b.type, uniq[i], 4)) {
				if (seen & 1u << i)
					return ERR_CORRUPT;
				seen |= 1u << i;
				found[i] = b;
			}
	if (r < 0 || (seen & 0x27) != 0x27)   /* pitm, iinf, iloc and iprp are required */
		return ERR_CORRUPT;
	b = found[0];
	if (b.n < 6 || (b.p[0] && b.n < 8))
		return ERR_CORRUPT;
	*primary = b.p[0] ? be32(b.p + 4) : be16(b.p + 4);
	h->iinf = found[1];
	h->iloc = found[2];
	if (seen & 8)
		h->iref = found[3];
	if (seen & 16)
		h->idat = found[4];
	o = 0;
	for (k = 0; k < ISOBMFF_MAX_BOXES && (r = box_next(found[5].p, found[5].n, &o, &b)) > 0; k++) {
		if (!memcmp(b.type, "ipco", 4)) {
			if (h->ipco.p)
				return ERR_CORRUPT;
			h->ipco = b;
		} else if (!memcmp(b.type, "ipma", 4)) {
			if (h->nipma == HEIF_MAX_IPMA)
				return ERR_CORRUPT;
			h->ipma[h->nipma++] = b;
		}
	}
	if (r < 0 || !h->ipco.p || !h->nipma)
		return ERR_CORRUPT;
	return ERR_OK;
}

/* The item_type of item id, from its one infe (version 2 or 3) in iinf. ERR_CORRUPT
 * when the item has no infe or several; ERR_UNSUPPORTED for an older infe (no type). */
static enum err heif_type(struct heif *h, uint32_t id, uint8_t type[4])
{
	const struct box *ii = &h->iinf;
	struct box b;
	size_t o;
	int found = 0, r = 0, k;

	if (ii->n < 4 || ii->n < (o = ii->p[0] ? 8 : 6))
		return ERR_CORRUPT;
	for (k = 0; k < HEIF_MAX_ENTRIES && (r = box_next(ii->p, ii->n, &o, &b)) > 0; k++) {
		int v3;

		if (!heif_step(h))
			return ERR_CORRUPT;
		if (memcmp(b.type, "infe", 4) || b.n < 6)
			continue;
		v3 = b.p[0] >= 3;
		if (v3 && b.n < 8)
			return ERR_CORRUPT;
		if ((v3 ? be32(b.p + 4) : be16(b.p + 4)) != id)
			continue;
		if (found++)
			return ERR_CORRUPT;
		if (b.p[0] < 2)
			memset(type, 0, 4);
		else if (b.n < (size_t)(v3 ? 14 : 12))
			return ERR_CORRUPT;
		else
			memcpy(type, b.p + (v3 ? 10 : 8), 4);
	}
	if (r < 0 || !found)
		return ERR_CORRUPT;
	return type[0] ? ERR_OK : ERR_UNSUPPORTED;
}

/* The property at 1-based index idx of ipco. Returns 1 or 0. */
static int ipco_get(struct heif *h, uint32_t idx, struct box *b)
{
	size_t o = 0;

	while (idx-- > 0)
		if (!heif_step(h) || box_next(h->ipco.p, h->ipco.n, &o, b) <= 0)
			return 0;
	return 1;
}

/*
 * The ispe (image spatial extents) of item id: its entry in ipma, then among the
 * properties that entry names, the one ispe. Sets *w, *ht, both 0 when it has none,
 * and cfg[0], cfg[1] (cfg may be NULL) to its hvcC and av1C (p NULL when none). Two
 * ispe are ERR_CORRUPT (libavif takes the first, libheif the last), as are two hvcC
 * or av1C, an item listed twice in ipma (libheif reads the first entry), an
 * association naming no property, and an entry cut short.
 */
static enum err heif_props(struct heif *h, uint32_t id, uint32_t *w, uint32_t *ht,
                           struct box *cfg)
{
	struct box none[2];
	int i, entries = 0;

	*w = *ht = 0;
	if (!cfg)
		cfg = none;
	memset(cfg, 0, 2 * sizeof *cfg);
	for (i = 0; i < h->nipma; i++) {
		const uint8_t *p = h->ipma[i].p;
		size_t n = h->ipma[i].n, o = 8, isz, asz;
		uint32_t cnt, k;

		if (n < 8)
			return ERR_CORRUPT;
		isz = p[0] ? 4 : 2;
		asz = (p[3] & 1) ? 2 : 1;
		cnt = be32(p + 4);
		for (k = 0; k < cnt; k++) {
			uint32_t item, na, a, j;

			if (k == HEIF_MAX_ENTRIES || n - o < isz + 1 || !heif_step(h))
				return ERR_CORRUPT;
			item = (uint32_t)ben(p + o, (unsigned)isz);
			na = p[o + isz];
			o += isz + 1;
			if (n - o < na * asz)
				return ERR_CORRUPT;
			if (item == id && entries++)
				return ERR_CORRUPT;
			for (a = 0; item == id && a < na; a++) {
				uint32_t idx = (uint32_t)ben(p + o + a * asz, (unsigned)asz) & (asz == 2 ? 0x7FFF : 0x7F);
				struct box b;

				if (!idx)
					continue;
				if (!ipco_get(h, idx, &b))
					return ERR_CORRUPT;
				for (j = 0; j < 2; j++)
					if (!memcmp(b.type, j ? "av1C" : "hvcC", 4)) {
						if (cfg[j].p)
							return ERR_CORRUPT;
						cfg[j] = b;
					}
				if (memcmp(b.type, "ispe", 4))
					continue;
				if (*w || b.n < 12 || b.p[0] != 0)
					return ERR_CORRUPT;
				*w = be32(b.p + 4);
				*ht = be32(b.p + 8);
				if (!*w || !*ht)
					return ERR_CORRUPT;
			}
			o += na * asz;
		}
	}
	return ERR_OK;
}

/* Walks iref (ISO/IEC 14496-12 8.11.12): each call gives the next reference box, its
 * type in b, from_item_ID in *from, and its to_item_IDs at *to (*cnt of *isz bytes).
 * *o starts at 0. Returns 1; 0 at the end or without iref; -1 for a broken one. */
static int iref_next(struct heif *h, size_t *o, struct box *b, uint32_t *from,
                     const uint8_t **to, uint32_t *cnt, unsigned *isz)
{
	int r;

	if (!h->iref.p)
		return 0;
	if (h->iref.n < 4 || !heif_step(h))
		return -1;
	*isz = h->iref.p[0] ? 4 : 2;
	if (*o == 0)
		*o = 4;
	if ((r = box_next(h->iref.p, h->iref.n, o, b)) <= 0)
		return r;
	if (b->n < *isz + 2)
		return -1;
	*from = (uint32_t)ben(b->p, *isz);
	*cnt = be16(b->p + *isz);
	*to = b->p + *isz + 2;
	return b->n - *isz - 2 < (size_t)*cnt * *isz ? -1 : 1;
}

/* Where an item's data lies: its extents, in order, and their total length. */
struct extents {
	const uint8_t *p[HEIF_MAX_EXTENTS];
	uint64_t n[HEIF_MAX_EXTENTS];
	unsigned k;
	uint64_t total;
};

/*
 * Finds item id's data (iloc, ISO/IEC 14496-12 8.11.3: extents in the file or in
 * idat, to be concatenated) and checks each lies inside its container. ERR_CORRUPT for
 * an item not in iloc or in it twice, or a bad extent; ERR_UNSUPPORTED for data in
 * another file or another item.
 */
static enum err heif_extents(struct heif *h, uint32_t id, struct extents *x)
{
	const uint8_t *p = h->iloc.p;
	size_t n = h->iloc.n, o, isz;
	unsigned v, os, ls, bs, xs;
	uint32_t cnt, k;
	int found = 0;

	x->k = 0;
	x->total = 0;
	if (n < 8 || (v = p[0]) > 2)
		return ERR_CORRUPT;
	os = p[4] >> 4;
	ls = p[4] & 15;
	bs = p[5] >> 4;
	xs = v ? p[5] & 15 : 0;
	if ((os | ls | bs | xs) & ~12u)     /* each 0, 4 or 8 */
		return ERR_CORRUPT;
	isz = v < 2 ? 2 : 4;
	if (n < 6 + isz)
		return ERR_CORRUPT;
	cnt = (uint32_t)ben(p + 6, (unsigned)isz);
	o = 6 + isz;
	for (k = 0; k < cnt; k++) {
		uint32_t item, method = 0, ne, e;
		uint64_t base;

		if (k == HEIF_MAX_ENTRIES || n - o < isz + (v ? 2 : 0) + 2 + bs + 2 || !heif_step(h))
			return ERR_CORRUPT;
		item = (uint32_t)ben(p + o, (unsigned)isz);
		o += isz;
		if (v) {
			method = be16(p + o) & 15;
			o += 2;
		}
		if (item == id) {
			if (found++)
				return ERR_CORRUPT;
			if (method > 1 || be16(p + o))  /* another item's data, another file */
				return ERR_UNSUPPORTED;
		}
		base = ben(p + o + 2, bs);
		ne = be16(p + o + 2 + bs);
		o += 2 + bs + 2;
		if (ne > HEIF_MAX_EXTENTS || (n - o) / (xs + os + ls ? xs + os + ls : 1) < ne)
			return ERR_CORRUPT;
		for (e = 0; item == id && e < ne; e++) {
			const uint8_t *src = method ? h->idat.p : h->p;
			size_t sn = method ? h->idat.n : h->n, q = o + e * (xs + os + ls);
			uint64_t off = ben(p + q + xs, os), len = ben(p + q + xs + os, ls);

			if (!len || off > UINT64_MAX - base || base + off > sn || len > sn - (base + off))
				return ERR_CORRUPT;
			x->p[x->k] = src + base + off;
			x->n[x->k++] = len;
			x->total += len;
		}
		o += (size_t)ne * (xs + os + ls);
	}
	return found ? ERR_OK : ERR_CORRUPT;
}

/* Copies up to `want` bytes of the data x, from byte `skip` on, to buf. Returns how
 * many (fewer only at the end of the data). */
static size_t ext_read(const struct extents *x, uint64_t skip, uint8_t *buf, size_t want)
{
	size_t got = 0, c;
	unsigned i;

	for (i = 0; i < x->k && got < want; i++) {
		if (skip >= x->n[i]) {
			skip -= x->n[i];
			continue;
		}
		c = x->n[i] - skip < want - got ? (size_t)(x->n[i] - skip) : want - got;
		memcpy(buf + got, x->p[i] + skip, c);
		got += c;
		skip = 0;
	}
	return got;
}

/* 1 for an item type the file's decoder codes itself (no further items), else 0. */
static int heif_coded(struct heif *h, const uint8_t type[4])
{
	return !memcmp(type, "av01", 4) || (!h->avif && !memcmp(type, "hvc1", 4));
}

/* ERR_TOO_MANY_PIXELS when w x ht is over the caps, else ERR_OK. */
static enum err heif_caps(struct heif *h, uint32_t w, uint32_t ht)
{
	if (w > h->lim->max_width || ht > h->lim->max_height ||
	    (uint64_t)w * ht > (uint64_t)h->lim->max_pixels)
		return ERR_TOO_MANY_PIXELS;
	return ERR_OK;
}

/* MSB-first bits of [p, p+n); reading past the end sets bad and gives zeros. */
struct bits {
	const uint8_t *p;
	size_t n, i;
	int bad;
};

static uint32_t bits(struct bits *b, unsigned k)
{
	uint32_t v = 0;

	while (k--) {
		if (b->i >= b->n * 8) {
			b->bad = 1;
			return 0;
		}
		v = v << 1 | (b->p[b->i / 8] >> (7 - b->i % 8) & 1);
		b->i++;
	}
	return v;
}

/* An Exp-Golomb number (AV1 uvlc(), HEVC ue(v)); over 31 bits of prefix sets bad. */
static uint32_t golomb(struct bits *b)
{
	unsigned z = 0;

	while (!b->bad && !bits(b, 1))
		if (++z > 31) {
			b->bad = 1;
			return 0;
		}
	return z ? (uint32_t)((1ull << z) - 1 + bits(b, z)) : 0;
}

/*
 * The largest frame an AV1 sequence header lets a frame declare (AV1 bitstream spec
 * 5.5.1): with a reduced still-picture header every frame is exactly max_frame_width
 * x max_frame_height; otherwise a frame header may override the size with up to
 * frame_width_bits bits, and dav1d allocates that without comparing it with the
 * maximum, so the bound is 2^bits each way (*loose set). Returns 1, or 0 for a header
 * cut short.
 */
static int av1_seq(const uint8_t *p, size_t n, uint64_t *w, uint64_t *ht, int *loose)
{
	struct bits b = { p, n, 0, 0 };
	unsigned ops, i, dmi = 0, idd, bdl = 0, wb, hb;

	bits(&b, 4);                        /* seq_profile, still_picture */
	*loose = !bits(&b, 1);              /* reduced_still_picture_header */
	if (!*loose) {
		bits(&b, 5);                    /* seq_level_idx[0] */
	} else {
		if (bits(&b, 1)) {              /* timing_info_present_flag */
			bits(&b, 32);
			bits(&b, 32);
			if (bits(&b, 1))            /* equal_picture_interval */
				golomb(&b);
			if ((dmi = bits(&b, 1))) {  /* decoder_model_info_present_flag */
				bdl = bits(&b, 5) + 1;
				bits(&b, 32);
				bits(&b, 10);
			}
		}
		idd = bits(&b, 1);              /* initial_display_delay_present_flag */
		ops = bits(&b, 5) + 1;
		for (i = 0; i < ops && !b.bad; i++) {
			bits(&b, 12);               /* operating_point_idc */
			if (bits(&b, 5) > 7)        /* seq_level_idx, seq_tier */
				bits(&b, 1);
			if (dmi && bits(&b, 1)) {   /* operating_parameters_info */
				bits(&b, bdl);
				bits(&b, bdl);
				bits(&b, 1);
			}
			if (idd && bits(&b, 1))
				bits(&b, 4);
		}
	}
	wb = bits(&b, 4) + 1;
	hb = bits(&b, 4) + 1;
	*w = (uint64_t)bits(&b, wb) + 1;
	*ht = (uint64_t)bits(&b, hb) + 1;
	if (*loose) {
		*w = 1ull << wb;
		*ht = 1ull << hb;
	}
	return !b.bad;
}

/*
 * pic_width_in_luma_samples x pic_height_in_luma_samples of an HEVC SPS NAL unit
 * (H.265 7.3.2.2), the picture libde265 allocates (up to 65535 each way), from the
 * first bytes of the NAL in p (emulation-prevention bytes still in). Returns 1, or 0
 * for a broken one.
 */
static int hevc_sps(const uint8_t *p, size_t n, uint64_t *w, uint64_t *ht)
{
	uint8_t raw[HEIF_UNIT_BYTES];
	struct bits b = { raw, 0, 0, 0 };
	unsigned sub, i, prof = 0, lvl = 0;
	size_t k, z = 0;

	for (k = 2; k < n && b.n < sizeof raw; k++) {   /* past the NAL header */
		if (z >= 2 && p[k] == 3) {
			z = 0;
			continue;
		}
		z = p[k] ? 0 : z + 1;
		raw[b.n++] = p[k];
	}
	bits(&b, 4);                        /* sps_video_parameter_set_id */
	sub = bits(&b, 3);                  /* sps_max_sub_layers_minus1 */
	bits(&b, 1);
	bits(&b, 88);                       /* general profile: 2+1+5+32+4+43+1 */
	bits(&b, 8);                        /* general_level_idc */
	for (i = 0; i < sub; i++) {
		prof |= bits(&b, 1) << i;
		lvl |= bits(&b, 1) << i;
	}
	if (sub)
		bits(&b, 2 * (8 - sub));
	for (i = 0; i < sub; i++) {
		if (prof >> i & 1)
			bits(&b, 88);
		if (lvl >> i & 1)
			bits(&b, 8);
	}
	golomb(&b);                         /* sps_seq_parameter_set_id */
	if (golomb(&b) == 3)                /* chroma_format_idc */
		bits(&b, 1);
	*w = golomb(&b);
	*ht = golomb(&b);
	return !b.bad;
}

/* ERR_TOO_MANY_PIXELS when a w x ht picture (k times the pixel cap allowed) is over
 * the caps, else ERR_OK. */
static enum err pic_caps(struct heif *h, uint64_t w, uint64_t ht, unsigned k)
{
	if (w > (uint64_t)h->lim->max_width || ht > (uint64_t)h->lim->max_height ||
	    w * ht > (uint64_t)h->lim->max_pixels * k)
		return ERR_TOO_MANY_PIXELS;
	return ERR_OK;
}

/*
 * Walks the units of the coded data x, AV1 OBUs (AV1 spec 5.3) or HEVC NAL units each
 * after an ls-byte length (ISO/IEC 14496-15), and checks the picture of every AV1
 * sequence header or HEVC SPS against the caps (a loose AV1 bound, see av1_seq, may
 * have 4 times the pixel cap: an image within the caps, its sizes written with the
 * fewest bits, never needs more). Sets *seen when there was one. ERR_CORRUPT for a
 * unit that does not fit; ERR_UNSUPPORTED past HEIF_MAX_UNITS units.
 */
static enum err units(struct heif *h, const struct extents *x, int av1, unsigned ls, int *seen)
{
	uint8_t u[HEIF_UNIT_BYTES];
	uint64_t o = 0, len, w, ht;
	size_t got, k, hl;
	unsigned i;
	int loose;
	enum err e;

	for (k = 0; (got = ext_read(x, o, u, sizeof u)); k++) {
		if (k == HEIF_MAX_UNITS || !heif_step(h))
			return ERR_UNSUPPORTED;
		if (av1) {                      /* obu_header, extension, leb128 size */
			hl = 1 + (u[0] >> 2 & 1);
			len = x->total - o - hl;    /* without obu_has_size_field: the rest */
			for (i = 0; u[0] >> 1 & 1; i++) {
				if (i == 8 || hl >= got)
					return ERR_CORRUPT;
				len = (i ? len : 0) | (uint64_t)(u[hl] & 127) << 7 * i;
				if (!(u[hl++] & 128))
					break;
			}
		} else {
			hl = ls;
			len = got < hl ? 0 : ben(u, ls);
		}
		if (hl > got || len > x->total - o - hl)
			return ERR_CORRUPT;
		e = ERR_OK;
		if (av1 && (u[0] >> 3 & 15) == 1) {    /* OBU_SEQUENCE_HEADER */
			if (!av1_seq(u + hl, got - hl < len ? got - hl : (size_t)len, &w, &ht, &loose))
				return ERR_CORRUPT;
			e = pic_caps(h, w, ht, loose ? 4 : 1);
			*seen = 1;
		} else if (!av1 && len >= 2 && (u[hl] >> 1 & 63) == 33) {   /* SPS */
			if (!hevc_sps(u + hl, got - hl < len ? got - hl : (size_t)len, &w, &ht))
				return ERR_CORRUPT;
			e = pic_caps(h, w, ht, 1);
			*seen = 1;
		}
		if (e)
			return e;
		o += hl + len;
	}
	return ERR_OK;
}

/*
 * Checks the largest picture the decoder allocates for coded item id (libavif gives
 * dav1d the item's data; libheif gives dav1d the av1C's OBUs first, libde265 the
 * hvcC's NAL units) against the caps: see units(). A stream without a sequence header
 * or SPS is ERR_CORRUPT (its decoder would fail on it).
 */
static enum err heif_stream(struct heif *h, uint32_t id, const uint8_t type[4],
                            const struct box *cfg)
{
	struct extents x;
	int av1 = !memcmp(type, "av01", 4), seen = 0;
	unsigned ls = 0;
	enum err e;

	if (av1 && cfg[1].p && cfg[1].n > 4) {     /* av1C: 4 bytes, then configOBUs */
		x.p[0] = cfg[1].p + 4;
		x.n[0] = x.total = cfg[1].n - 4;
		x.k = 1;
		if ((e = units(h, &x, 1, 0, &seen)))
			return e;
	}
	if (!av1) {                         /* hvcC: 22 bytes, then arrays of NAL units */
		const uint8_t *c = cfg[0].p;
		size_t cn = cfg[0].n, q = 23, a, k, len;

		if (!c || cn < 23)
			return ERR_CORRUPT;
		ls = (c[21] & 3) + 1u;
		for (a = 0; a < c[22]; a++) {
			if (cn - q < 3)
				return ERR_CORRUPT;
			k = be16(c + q + 1);
			for (q += 3; k--; q += len) {   /* each one as a unit with a 2-byte length */
				if (cn - q < 2 || (len = be16(c + q) + 2u) > cn - q)
					return ERR_CORRUPT;
				x.p[0] = c + q;
				x.n[0] = x.total = len;
				x.k = 1;
				if ((e = units(h, &x, 0, 2, &seen)))
					return e;
			}
		}
	}
	if ((e = heif_extents(h, id, &x)) || (e = units(h, &x, av1, ls, &seen)))
		return e;
	return seen ? ERR_OK : ERR_CORRUPT;
}

/* A coded item (av01, hvc1): its one ispe, within the caps, and its stream's pictures
 * too (heif_stream). Sets *w, *ht to the ispe, which libavif scales the picture to. */
static enum err heif_coded_size(struct heif *h, uint32_t id, const uint8_t type[4],
                                uint32_t *w, uint32_t *ht)
{
	struct box cfg[2];
	enum err e;

	if ((e = heif_props(h, id, w, ht, cfg)))
		return e;
	if (!*w)
		return ERR_CORRUPT;
	if ((e = heif_caps(h, *w, *ht)))
		return e;
	return heif_stream(h, id, type, cfg);
}

static enum err heif_size(struct heif *h, uint32_t id, uint32_t *w, uint32_t *ht);

/*
 * A grid item (ISO/IEC 23008-12 6.6.2.3): the output size is its own data's, the
 * canvas both decoders allocate before they decode a tile. Its tiles are the dimg
 * references, rows x columns of coded items of one size, covering the canvas with
 * less than a tile to spare on the right and bottom (MIAF 7.3.11.4.2; libavif checks
 * this only after decoding every tile, each kept at once with a decoder of its own):
 * tiles over HEIF_MAX_TILES, over the caps or over twice the pixel cap in all are
 * ERR_TOO_MANY_PIXELS. A grid's ispe, if any, must be its output size.
 */
static enum err heif_grid(struct heif *h, uint32_t id, uint32_t *w, uint32_t *ht)
{
	uint8_t g[12], t[4];
	const uint8_t *to, *tiles = NULL;
	uint32_t rows, cols, from, cnt = 0, c, iw, ih, tw = 0, th = 0, i;
	unsigned isz = 2;
	size_t got, o = 0;
	struct extents x;
	struct box b;
	enum err e;
	int r = 0, dimg = 0, k;

	if ((e = heif_extents(h, id, &x)))
		return e;
	got = ext_read(&x, 0, g, sizeof g);
	if (got < 8 || g[0] != 0 || ((g[1] & 1) && got < 12))
		return ERR_CORRUPT;
	rows = g[2] + 1u;
	cols = g[3] + 1u;
	*w = (g[1] & 1) ? be32(g + 4) : be16(g + 4);
	*ht = (g[1] & 1) ? be32(g + 8) : be16(g + 6);
	if (!*w || !*ht)
		return ERR_CORRUPT;
	if ((e = heif_caps(h, *w, *ht)) || (e = heif_props(h, id, &iw, &ih, NULL)))
		return e;
	if (iw && (iw != *w || ih != *ht))
		return ERR_CORRUPT;
	for (k = 0; k < HEIF_MAX_ENTRIES && (r = iref_next(h, &o, &b, &from, &to, &c, &isz)) > 0; k++)
		if (from == id && !memcmp(b.type, "dimg", 4)) {
			if (dimg++)
				return ERR_CORRUPT;
			cnt = c;
			tiles = to;
		}
	if (r < 0 || cnt != rows * cols)
		return ERR_CORRUPT;
	if (cnt > HEIF_MAX_TILES)
		return ERR_TOO_MANY_PIXELS;
	for (i = 0; i < cnt; i++) {
		uint32_t tile = (uint32_t)ben(tiles + (size_t)i * isz, isz);

		if ((e = heif_type(h, tile, t)))
			return e;
		if (!heif_coded(h, t))
			return ERR_UNSUPPORTED;     /* grids of grids: neither decoder needs them */
		if ((e = heif_coded_size(h, tile, t, &iw, &ih)))
			return e;
		if (i && (iw != tw || ih != th))
			return ERR_CORRUPT;
		tw = iw;
		th = ih;
	}
	if ((uint64_t)tw * cols < *w || (uint64_t)tw * (cols - 1) >= *w ||
	    (uint64_t)th * rows < *ht || (uint64_t)th * (rows - 1) >= *ht)
		return ERR_CORRUPT;
	if ((uint64_t)tw * th * cnt > 2 * (uint64_t)h->lim->max_pixels)
		return ERR_TOO_MANY_PIXELS;
	return ERR_OK;
}

/* The size the decoder gives item id: a coded item's ispe, or a grid's output; every
 * buffer on the way within the caps (ERR_TOO_MANY_PIXELS). ERR_CORRUPT when the size
 * cannot be told; ERR_UNSUPPORTED for a type we do not decode (iden, iovl, ...). */
static enum err heif_size(struct heif *h, uint32_t id, uint32_t *w, uint32_t *ht)
{
	uint8_t type[4];
	enum err e;

	if ((e = heif_type(h, id, type)))
		return e;
	if (!memcmp(type, "grid", 4))
		return heif_grid(h, id, w, ht);
	if (!heif_coded(h, type))
		return ERR_UNSUPPORTED;
	return heif_coded_size(h, id, type, w, ht);
}

/*
 * AVIF and HEIC: the ftyp brands, then the primary item (pitm) and the size its
 * decoder gives it (heif_size), having checked against the caps every picture that
 * decoder allocates for it: its coded pictures, a grid's canvas and tiles, and its
 * auxiliary images (auxl references to it: the alpha plane, which both decoders
 * decode too, or a depth map). An AVIF that libavif would read as an image sequence
 * (major brand avis, or a moov box without major brand avif) is ERR_UNSUPPORTED.
 * XXX: derived images other than grids (iden, iovl) are unsupported, and an AV1
 * stream with a full sequence header is bounded loosely (see heif_stream).
 */
enum err img_probe_heif(const uint8_t *p, size_t n, const struct img_limits *lim,
                        struct img_info *in)
{
	struct heif h = { 0 };
	struct box ftyp, b, meta = { 0 };
	const uint8_t *to;
	uint32_t primary, w, ht, from, cnt, i;
	unsigned isz;
	size_t o;
	int avif = 0, heic = 0, moov = 0, k;
	enum err e;

	if (!box_find(p, n, "ftyp", &ftyp) || ftyp.n < 8)
		return ERR_CORRUPT;
	for (o = 0; o + 4 <= ftyp.n; o += 4) {
		if (o == 4)
			continue;                   /* minor version */
		if (!memcmp(ftyp.p + o, "avif", 4) || !memcmp(ftyp.p + o, "avis", 4))
			avif = 1;
		if (!memcmp(ftyp.p + o, "heic", 4) || !memcmp(ftyp.p + o, "heix", 4) ||
		    !memcmp(ftyp.p + o, "heim", 4) || !memcmp(ftyp.p + o, "heis", 4) ||
		    !memcmp(ftyp.p + o, "hevc", 4) || !memcmp(ftyp.p + o, "hevx", 4))
			heic = 1;
	}
	if (!avif && !heic)
		return ERR_UNSUPPORTED;
	in->fmt = avif ? IMG_FMT_AVIF : IMG_FMT_HEIC;
	for (o = 0, k = 0; k < ISOBMFF_MAX_BOXES && box_next(p, n, &o, &b) > 0; k++) {
		if (!memcmp(b.type, "meta", 4)) {
			if (meta.p)
				return ERR_CORRUPT;     /* libavif refuses it; libheif reads the first */
			meta = b;
		}
		moov |= !memcmp(b.type, "moov", 4);
	}
	if (avif && (!memcmp(ftyp.p, "avis", 4) || (moov && memcmp(ftyp.p, "avif", 4))))
		return ERR_UNSUPPORTED;
	if (!meta.p || meta.n < 4)
		return ERR_CORRUPT;
	h.p = p;
	h.n = n;
	h.avif = avif;
	h.lim = lim;
	h.steps = HEIF_MAX_STEPS;
	if ((e = heif_open(&h, meta.p + 4, meta.n - 4, &primary)) ||
	    (e = heif_size(&h, primary, &w, &ht)))
		return h.steps < 0 ? ERR_UNSUPPORTED : e;
	for (o = 0, k = 0; k < HEIF_MAX_ENTRIES && iref_next(&h, &o, &b, &from, &to, &cnt, &isz) > 0; k++) {
		uint8_t type[4];
		uint32_t aw, ah;

		if (memcmp(b.type, "auxl", 4))
			continue;
		for (i = 0; i < cnt && ben(to + (size_t)i * isz, isz) != primary; i++)
			;
		if (i == cnt)
			continue;
		if ((e = heif_type(&h, from, type)) == ERR_UNSUPPORTED)
			continue;                   /* an old infe: no type, not an image */
		if (e || ((heif_coded(&h, type) || !memcmp(type, "grid", 4)) &&
		          (e = heif_size(&h, from, &aw, &ah))))
			return h.steps < 0 ? ERR_UNSUPPORTED : e;
	}
	if (h.steps < 0)
		return ERR_UNSUPPORTED;
	in->width = (int)w;
	in->height = (int)ht;
	return ERR_OK;
}
