/* cutout.c: the cutout's orchestration: roi and hints, kept alpha, keying, then the
 * reduced-resolution segmentation and the full-resolution matte. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "img.h"
#include "cutout.h"

/* XXX: first version: a border color model with a threshold and a feathered edge. */
enum err img_cutout_why(const struct img *src, const struct img_cutout_opts *o,
                        struct img *out, struct img_rect *bbox, int *flags,
                        char *why, size_t n)
{
	int w = img_w(src), h = img_h(src), x, y, c, cnt = 0, x0 = w, y0 = h, x1 = -1, y1 = -1;
	double m[3] = { 0, 0, 0 };
	enum err e = ERR_NOMEM;

	(void)o;
	if (why && n)
		why[0] = 0;
	memset(out, 0, sizeof *out);
	*flags = 0;
	out->gd = gdImageCreateTrueColor(w, h);
	out->alpha = malloc((size_t)w * h);
	if (!out->gd || !out->alpha)
		goto out;
	gdImageCopy(out->gd, src->gd, 0, 0, 0, 0, w, h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			if (x && y && x < w - 1 && y < h - 1)
				continue;
			c = gdImageGetTrueColorPixel(src->gd, x, y);
			m[0] += gdTrueColorGetRed(c);
			m[1] += gdTrueColorGetGreen(c);
			m[2] += gdTrueColorGetBlue(c);
			cnt++;
		}
	for (c = 0; c < 3; c++)
		m[c] /= cnt;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			int p = gdImageGetTrueColorPixel(src->gd, x, y);
			double d = abs(gdTrueColorGetRed(p) - (int)m[0]) +
			           abs(gdTrueColorGetGreen(p) - (int)m[1]) +
			           abs(gdTrueColorGetBlue(p) - (int)m[2]);
			int a = d < 30 ? 0 : d > 60 ? 255 : (int)((d - 30) * 255 / 30);
			out->alpha[(size_t)y * w + x] = (uint8_t)a;
			if (a) {
				if (x < x0) x0 = x;
				if (x > x1) x1 = x;
				if (y < y0) y0 = y;
				if (y > y1) y1 = y;
			}
		}
	if (x1 < 0) {
		*flags |= IMG_CUT_NO_SUBJECT;
		bbox->x = bbox->y = bbox->w = bbox->h = 0;
	} else {
		bbox->x = x0;
		bbox->y = y0;
		bbox->w = x1 - x0 + 1;
		bbox->h = y1 - y0 + 1;
	}
	e = ERR_OK;
out:
	if (e)
		img_free(out);
	return e;
}

enum err img_cutout(const struct img *src, const struct img_cutout_opts *o,
                    struct img *out, struct img_rect *bbox, int *flags)
{
	return img_cutout_why(src, o, out, bbox, flags, NULL, 0);
}
