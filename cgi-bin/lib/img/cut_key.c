/* cut_key.c: green and blue screens: detection from the border and chroma keying.
 *
 * Why: on a chroma screen the background is known exactly (one saturated hue), so a
 * color-difference key (alpha from how far the screen channel exceeds the other two,
 * as in Vlahos' and every compositor's difference keyer) beats any segmentation, keeps
 * motion blur and hair soft, and costs one pass. The screen also casts its color onto
 * the subject (spill); limiting the screen channel to the larger of the other two
 * removes the green or blue cast without touching other hues. The screen is trusted
 * only when most of the border is that hue and its strength is measured there. */
#include <stdlib.h>
#include "img.h"
#include "cut.h"

#define KEY_BORDER_SHARE 0.70  /* share of border pixels that must be screen-colored */

/* How much channel `which` (1 green, 2 blue) exceeds the other two. */
static int excess(int px, int which)
{
	int r = gdTrueColorGetRed(px), g = gdTrueColorGetGreen(px), b = gdTrueColorGetBlue(px);

	if (which == 1)
		return g - (r > b ? r : b);
	return b - (r > g ? r : g);
}

/* The median screen excess over the border pixels of hue `which`, or 0. */
static int screen_strength(const struct img *src, int which, double *share)
{
	int W = img_w(src), H = img_h(src), bw = (W < H ? W : H) / 40 + 1, x, y, e;
	long hist[256] = { 0 }, n = 0, tot = 0, acc = 0;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			if (x >= bw && y >= bw && x < W - bw && y < H - bw) {
				x = W - bw - 1;
				continue;
			}
			tot++;
			e = excess(src->gd->tpixels[y][x], which);
			if (e >= 40) {
				hist[e > 255 ? 255 : e]++;
				n++;
			}
		}
	*share = tot ? (double)n / tot : 0;
	if (!n)
		return 0;
	for (e = 0; e < 256; e++) {
		acc += hist[e];
		if (acc * 2 >= n)
			return e;
	}
	return 255;
}

int cut_key_detect(const struct img *src)
{
	double sg, sb;

	screen_strength(src, 1, &sg);
	screen_strength(src, 2, &sb);
	if (sg >= KEY_BORDER_SHARE && sg >= sb)
		return 1;
	if (sb >= KEY_BORDER_SHARE)
		return 2;
	return 0;
}

void cut_key(const struct img *src, int which, int hard_edges, struct img *out)
{
	int W = img_w(src), H = img_h(src), x, y, r, g, b, e, a, px;
	double share, lo, hi;
	int s = screen_strength(src, which, &share);

	lo = s * 0.22;   /* at or below: opaque subject */
	hi = s * 0.70;   /* at or above: pure screen */
	if (hi - lo < 8)
		hi = lo + 8;
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			px = src->gd->tpixels[y][x];
			r = gdTrueColorGetRed(px);
			g = gdTrueColorGetGreen(px);
			b = gdTrueColorGetBlue(px);
			e = excess(px, which);
			a = e <= lo ? 255 : e >= hi ? 0 : (int)(255 * (hi - e) / (hi - lo) + 0.5);
			if (hard_edges)
				a = a >= 128 ? 255 : 0;
			if (which == 1 && g > (r > b ? r : b))
				g = r > b ? r : b;
			if (which == 2 && b > (r > g ? r : g))
				b = r > g ? r : g;
			out->gd->tpixels[y][x] = gdTrueColorAlpha(r, g, b, 0);
			out->alpha[(size_t)y * W + x] = (uint8_t)a;
		}
}
