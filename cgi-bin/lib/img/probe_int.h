/* probe_int.h: what the probe's stages share (internal to probe.c and probe_heif.c). */
#ifndef BACKDROP_PROBE_INT_H
#define BACKDROP_PROBE_INT_H

#include <stddef.h>
#include <stdint.h>
#include "img.h"

/* Unsigned big- and little-endian fields at p; the caller has checked that they fit.
 * Every stage's byte readers (ISOBMFF boxes use be16 and be32); the MSB-first bit
 * reader stays in probe_heif.c, as only AV1 and HEVC headers need it. */
static inline uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static inline uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }
static inline uint32_t le32(const uint8_t *p) { return le16(p + 2) << 16 | le16(p); }
static inline uint32_t le24(const uint8_t *p) { return (uint32_t)p[2] << 16 | le16(p); }

/*
 * AVIF and HEIC (probe_heif.c): the ftyp brands, then the primary item's size, with
 * every picture its decoder allocates for it (coded pictures, a grid's canvas and
 * tiles, auxiliary images) checked against the caps in *lim. Needs p[0, n) to be the
 * whole file (item data lies at file offsets) and lim non-NULL with every cap set;
 * img_probe calls it for n >= 16 with "ftyp" at p + 4. Sets in->fmt (IMG_FMT_AVIF or
 * IMG_FMT_HEIC) once the brands are known, and in->width and in->height on success;
 * touches nothing else of *in. Returns ERR_OK, ERR_CORRUPT, ERR_UNSUPPORTED (also
 * for a file whose tables take too many steps to walk) or ERR_TOO_MANY_PIXELS;
 * img_probe still checks the final size (positive, within the caps) itself.
 * Allocates nothing.
 */
enum err img_probe_heif(const uint8_t *p, size_t n, const struct img_limits *lim,
                        struct img_info *in);

#endif
