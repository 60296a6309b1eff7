/* filter.c: the color filters of the color-filter app, over gd's truecolor rows.
 *
 * Exact semantics, per pixel of straight 8-bit r, g, b (alpha is never touched):
 *   red, green, blue           keep that channel, the other two become 0
 *   no_red, no_green, no_blue  that channel becomes 0, the others are kept
 *   grayscale                  y = (77 r + 150 g + 29 b + 128) >> 8 in all three
 *                              (Rec.601 luma .299/.587/.114 in 8-bit fixed point;
 *                              the weights sum to 256, so white stays 255)
 *   sepia                      r' = min(255, (393 r + 769 g + 189 b) / 1000)
 *                              g' = min(255, (349 r + 686 g + 168 b) / 1000)
 *                              b' = min(255, (272 r + 534 g + 131 b) / 1000)
 *                              (the common sepia matrix, integer division, clamped)
 *   invert                     c' = 255 - c for each of r, g, b
 *   none                       nothing
 */
#include "img.h"

static int sepia_c(int r, int g, int b, int kr, int kg, int kb)
{
	int v = (kr * r + kg * g + kb * b) / 1000;

	return v > 255 ? 255 : v;
}

void img_filter(struct img *im, enum img_filter f)
{
	int w = img_w(im), h = img_h(im), x, y;
	int mask;

	switch (f) {
	case IMG_FILTER_RED:      mask = 0xFF0000; break;
	case IMG_FILTER_GREEN:    mask = 0x00FF00; break;
	case IMG_FILTER_BLUE:     mask = 0x0000FF; break;
	case IMG_FILTER_NO_RED:   mask = 0x00FFFF; break;
	case IMG_FILTER_NO_GREEN: mask = 0xFF00FF; break;
	case IMG_FILTER_NO_BLUE:  mask = 0xFFFF00; break;
	default:                  mask = -1; break;
	}
	for (y = 0; y < h; y++) {
		int *row = im->gd->tpixels[y];

		if (mask >= 0) {
			for (x = 0; x < w; x++)
				row[x] &= mask;
			continue;
		}
		for (x = 0; x < w; x++) {
			int p = row[x], r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255, v;

			switch (f) {
			case IMG_FILTER_GRAYSCALE:
				v = (77 * r + 150 * g + 29 * b + 128) >> 8;
				row[x] = v << 16 | v << 8 | v;
				break;
			case IMG_FILTER_SEPIA:
				row[x] = sepia_c(r, g, b, 393, 769, 189) << 16 |
				         sepia_c(r, g, b, 349, 686, 168) << 8 | sepia_c(r, g, b, 272, 534, 131);
				break;
			case IMG_FILTER_INVERT:
				row[x] = (~p) & 0xFFFFFF;
				break;
			default:
				return;
			}
		}
	}
}
