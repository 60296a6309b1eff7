/* test_img_filter.c: the color filters' exact pixel semantics (see filter.c). */
#include <stdio.h>
#include "tap.h"
#include "img_test.h"

static int apply(enum img_filter f, int rgb)
{
	struct img im = mk(1, 1, rgb, 128);
	int v;

	img_filter(&im, f);
	v = rgb_at(&im, 0, 0);
	if (alpha_at(&im, 0, 0) != 128)
		v = -1;                 /* alpha must never change */
	img_free(&im);
	return v;
}

int main(void)
{
	int c = 0x4080C0;

	is_int(apply(IMG_FILTER_NONE, c), 0x4080C0, "none");
	is_int(apply(IMG_FILTER_RED, c), 0x400000, "red keeps red only");
	is_int(apply(IMG_FILTER_GREEN, c), 0x008000, "green keeps green only");
	is_int(apply(IMG_FILTER_BLUE, c), 0x0000C0, "blue keeps blue only");
	is_int(apply(IMG_FILTER_NO_RED, c), 0x0080C0, "no_red zeroes red");
	is_int(apply(IMG_FILTER_NO_GREEN, c), 0x4000C0, "no_green zeroes green");
	is_int(apply(IMG_FILTER_NO_BLUE, c), 0x408000, "no_blue zeroes blue");
	/* (77*64 + 150*128 + 29*192 + 128) >> 8 = (4928 + 19200 + 5568 + 128) >> 8 = 116 */
	is_int(apply(IMG_FILTER_GRAYSCALE, c), 0x747474, "grayscale Rec.601 fixed point: 116");
	is_int(apply(IMG_FILTER_GRAYSCALE, 0xFFFFFF), 0xFFFFFF, "grayscale keeps white");
	is_int(apply(IMG_FILTER_GRAYSCALE, 0xFF0000), 0x4D4D4D, "grayscale red: (77*255+128)>>8 = 77");
	/* r = (393*64 + 769*128 + 189*192)/1000 = (25152 + 98432 + 36288)/1000 = 159
	 * g = (349*64 + 686*128 + 168*192)/1000 = (22336 + 87808 + 32256)/1000 = 142
	 * b = (272*64 + 534*128 + 131*192)/1000 = (17408 + 68352 + 25152)/1000 = 110 */
	is_int(apply(IMG_FILTER_SEPIA, c), 0x9F8E6E, "sepia matrix, integer division");
	is_int(apply(IMG_FILTER_SEPIA, 0xFFFFFF), 0xFFFFEE, "sepia clamps: white -> ffffee (b = 937*255/1000 = 238)");
	is_int(apply(IMG_FILTER_INVERT, c), 0xBF7F3F, "invert 255-c");
	is_int(apply(IMG_FILTER_INVERT, 0x000000), 0xFFFFFF, "invert black");
	{
		struct img im = mk(3, 2, 0x102030, 255);
		int x, y, bad = 0;

		img_filter(&im, IMG_FILTER_INVERT);
		for (y = 0; y < 2; y++)
			for (x = 0; x < 3; x++)
				bad += rgb_at(&im, x, y) != 0xEFDFCF;
		is_int(bad, 0, "every pixel of every row is filtered");
		ok(im.alpha == NULL, "an opaque image stays without a plane");
		img_free(&im);
	}
	tap_done();
}
