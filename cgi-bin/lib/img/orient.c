/* orient.c: turns a decoded photo upright by its EXIF orientation (TIFF 6.0 tag 274,
 * values 1..8), moving color and alpha together. */
#include <stdlib.h>
#include "img.h"

/* Where output pixel (x, y) of the upright image reads from in the stored image of
 * w x h, for each orientation. */
static void src_of(int o, int x, int y, int w, int h, int *sx, int *sy)
{
	switch (o) {
	case 2: *sx = w - 1 - x; *sy = y; break;             /* mirrored */
	case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;     /* rotated 180 */
	case 4: *sx = x; *sy = h - 1 - y; break;             /* flipped */
	case 5: *sx = y; *sy = x; break;                     /* transposed */
	case 6: *sx = y; *sy = h - 1 - x; break;             /* needs 90 clockwise */
	case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;     /* transversed */
	case 8: *sx = w - 1 - y; *sy = x; break;             /* needs 90 counter-clockwise */
	default: *sx = x; *sy = y; break;
	}
}

enum err img_orient(struct img *im, int o)
{
	int w = img_w(im), h = img_h(im), ow, oh, x, y, sx, sy;
	struct img out = { 0 };
	enum err e;

	if (o < 2 || o > 8)
		return ERR_OK;
	ow = o >= 5 ? h : w;
	oh = o >= 5 ? w : h;
	if ((e = img_new(&out, ow, oh, im->alpha != NULL)))
		return e;
	for (y = 0; y < oh; y++) {
		int *row = out.gd->tpixels[y];
		uint8_t *ar = out.alpha ? out.alpha + (size_t)y * ow : NULL;

		for (x = 0; x < ow; x++) {
			src_of(o, x, y, w, h, &sx, &sy);
			row[x] = im->gd->tpixels[sy][sx];
			if (ar)
				ar[x] = im->alpha[(size_t)sy * w + sx];
		}
	}
	img_free(im);
	*im = out;
	return ERR_OK;
}
