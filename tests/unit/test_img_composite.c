/* test_img_composite.c: compositing geometry and blending, pixel-exact on synthetic
 * images: over values, offsets (negative, off canvas), canvas, cover/contain/stretch,
 * position, scale, crop with margins, shadow, bounding boxes. */
#include <stdio.h>
#include "tap.h"
#include "img_test.h"
#include "pipeline.h"

static struct img_opts opts(void)
{
	struct img_opts o;

	img_opts_init(&o);
	return o;
}

static void set(struct img_opts *o, const char *k, const char *v)
{
	char why[128];

	if (img_opts_set(o, k, v, why, sizeof why))
		printf("# could not set %s=%s: %s\n", k, v, why);
}

static void over_values(void)
{
	struct img d = mk(4, 1, 0x0000FF, 255), s = mk(4, 1, 0xFF0000, 0);

	put(&s, 0, 0, 0xFF0000, 255);
	put(&s, 1, 0, 0xFF0000, 128);
	put(&s, 2, 0, 0xFF0000, 0);
	put(&s, 3, 0, 0x804020, 64);
	img_over(&d, &s, 0, 0, 255);
	is_int(rgb_at(&d, 0, 0), 0xFF0000, "over: opaque source replaces");
	/* (255*128 + 0*127)/255 = 128; (0*128 + 255*127)/255 = 127 */
	is_int(rgb_at(&d, 1, 0), 0x80007F, "over: half alpha on opaque blue -> 80007f");
	is_int(rgb_at(&d, 2, 0), 0x0000FF, "over: transparent source keeps the destination");
	/* r: (128*64)/255 = 32.1 -> 32; g: (64*64)/255 = 16.06 -> 16; b: (32*64 + 255*191)/255 = 199.07 -> 199 */
	is_int(rgb_at(&d, 3, 0), 0x2010C7, "over: alpha 64 exact rounding");
	ok(d.alpha == NULL, "over: opaque destination stays without a plane");
	img_free(&d);
	img_free(&s);

	/* A transparent destination: the straight-alpha over formula. */
	d = mk(2, 1, 0x0000FF, 128);
	s = mk(2, 1, 0xFF0000, 128);
	put(&d, 1, 0, 0, 0);
	img_over(&d, &s, 0, 0, 255);
	/* ao = 128 + 128*127/255 = 191.75 -> 192; r = 255*128*255/(128*255+128*127) = 85.4..: */
	is_int(alpha_at(&d, 0, 0), 192, "over on semi-transparent: alpha 128 over 128 -> 192");
	is_int(rgb_at(&d, 0, 0), 0xAA0055, "over on semi-transparent: color aa0055");
	is_int(alpha_at(&d, 1, 0), 128, "over onto transparent: alpha is the source's");
	is_int(rgb_at(&d, 1, 0), 0xFF0000, "over onto transparent: color is the source's");
	img_free(&d);
	img_free(&s);

	/* opacity scales the source alpha. */
	d = mk(1, 1, 0x000000, 255);
	s = mk(1, 1, 0xFFFFFF, 255);
	img_over(&d, &s, 0, 0, 51);
	is_int(rgb_at(&d, 0, 0), 0x333333, "over: opacity 51 of white on black -> 333333");
	img_free(&d);
	img_free(&s);
}

static void offsets(void)
{
	struct img d = mk(10, 10, 0x000000, 255), s = mk(4, 4, 0xFFFFFF, 255);

	img_over(&d, &s, -2, -3, 255);
	ok(rgb_at(&d, 0, 0) == 0xFFFFFF && rgb_at(&d, 1, 0) == 0xFFFFFF && rgb_at(&d, 2, 0) == 0 &&
	   rgb_at(&d, 0, 1) == 0 && rgb_at(&d, 1, 0) == 0xFFFFFF, "negative offset (-2,-3): 2x1 visible at top-left");
	img_over(&d, &s, 8, 9, 255);
	ok(rgb_at(&d, 8, 9) == 0xFFFFFF && rgb_at(&d, 9, 9) == 0xFFFFFF && rgb_at(&d, 7, 9) == 0 &&
	   rgb_at(&d, 8, 8) == 0, "offset (8,9): clipped at bottom-right");
	img_over(&d, &s, 100, -100, 255);
	img_over(&d, &s, -4, 0, 255);
	ok(rgb_at(&d, 0, 5) == 0, "fully off canvas: nothing drawn");
	img_free(&d);
	img_free(&s);
}

/* A 20x10 subject: transparent, with an opaque red 4x2 block at (6,3). */
static struct img subject(void)
{
	struct img s = mk(20, 10, 0x000000, 0);

	rect(&s, 6, 3, 4, 2, 0xFF0000, 255);
	return s;
}

static void layout(void)
{
	struct img s = subject(), bg = { 0 }, out = { 0 };
	struct img_opts o = opts();
	struct img_rect bb;

	/* Defaults: the image's canvas, transparent, subject where it was. */
	is_int(img_composite(&s, NULL, NULL, &o, NULL, &out, &bb), ERR_OK, "default composite");
	ok(img_w(&out) == 20 && img_h(&out) == 10 && alpha_at(&out, 0, 0) == 0 && rgb_at(&out, 6, 3) == 0xFF0000,
	   "default: same size, transparent, subject in place");
	ok(bb.x == 6 && bb.y == 3 && bb.w == 4 && bb.h == 2, "default: bbox 6,3 4x2 (got %d,%d %dx%d)", bb.x, bb.y, bb.w, bb.h);
	img_free(&out);

	/* canvas_size and offsets, the Background Change API's shape. */
	set(&o, "canvas_size", "30x20");
	set(&o, "overlay_template_x", "5");
	set(&o, "overlay_template_y", "-2");
	set(&o, "bg_color", "#0000ff");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(img_w(&out) == 30 && img_h(&out) == 20 && out.alpha == NULL, "canvas 30x20 on an opaque color");
	ok(rgb_at(&out, 11, 1) == 0xFF0000 && rgb_at(&out, 14, 2) == 0xFF0000 && rgb_at(&out, 10, 1) == 0x0000FF &&
	   rgb_at(&out, 11, 3) == 0x0000FF, "offset (5,-2): block at 11,1..14,2");
	ok(bb.x == 11 && bb.y == 1 && bb.w == 4 && bb.h == 2, "offset bbox 11,1 4x2");
	img_free(&out);

	/* position center: the subject's bbox centered. */
	o = opts();
	set(&o, "canvas_size", "30x20");
	set(&o, "position", "center");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(bb.x == 13 && bb.y == 9 && bb.w == 4 && bb.h == 2, "center: bbox at 13,9 (got %d,%d)", bb.x, bb.y);
	ok(rgb_at(&out, 13, 9) == 0xFF0000 && alpha_at(&out, 12, 9) == 0, "center: pixels");
	img_free(&out);
	set(&o, "position", "100% 0%");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(bb.x == 26 && bb.y == 0, "position 100%% 0%%: top-right (got %d,%d)", bb.x, bb.y);
	img_free(&out);

	/* scale: the bbox fit into 50% of the canvas: 4x2 into 15x10 -> 15x8 (f = 3.75, 2*3.75 = 7.5 -> 8) */
	set(&o, "position", "center");
	set(&o, "scale", "50%");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(bb.w == 15 && bb.h == 8, "scale 50%%: 4x2 -> 15x8 (got %dx%d)", bb.w, bb.h);
	ok(bb.x == 7 && bb.y == 6, "scale 50%%: centered at 7,6 (got %d,%d)", bb.x, bb.y);
	ok(rgb_at(&out, 14, 10) == 0xFF0000 && alpha_at(&out, 14, 10) == 255, "scale: interior stays opaque red (%06x a %d)", rgb_at(&out, 14, 10), alpha_at(&out, 14, 10));
	img_free(&out);

	/* crop with margins: bbox 4x2 plus 1px top/bottom, 3px left/right. */
	o = opts();
	set(&o, "crop", "true");
	set(&o, "crop_margin", "1px 3px");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(img_w(&out) == 10 && img_h(&out) == 4, "crop 1px 3px: 10x4 (got %dx%d)", img_w(&out), img_h(&out));
	ok(bb.x == 3 && bb.y == 1 && rgb_at(&out, 3, 1) == 0xFF0000 && alpha_at(&out, 2, 1) == 0, "crop: subject at 3,1");
	img_free(&out);
	set(&o, "crop_margin", "50%");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(img_w(&out) == 8 && img_h(&out) == 4, "crop 50%%: 4x2 + 2,1 each side -> 8x4 (got %dx%d)", img_w(&out), img_h(&out));
	img_free(&out);
	set(&o, "crop_margin", "0");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(img_w(&out) == 4 && img_h(&out) == 2 && out.alpha == NULL, "crop 0: exactly the opaque block, no alpha");
	img_free(&out);

	/* Backgrounds: cover (centered, cropped), contain (letterboxed), stretch. A 4x2
	 * background left half green, right half blue on a 4x4 canvas. */
	o = opts();
	set(&o, "canvas_size", "4x4");
	set(&o, "overlay_template_x", "100");   /* subject off canvas: background only */
	bg = mk(4, 2, 0x00FF00, 255);
	rect(&bg, 2, 0, 2, 2, 0x0000FF, 255);
	img_composite(&s, &bg, NULL, &o, NULL, &out, &bb);
	ok(bb.w == 0, "subject off canvas: empty bbox");
	/* cover: scaled x2 to 8x4, centered -> x offset -2: columns 0,1 green-ish, 2,3 blue-ish */
	ok(out.alpha == NULL && near(rgb_at(&out, 0, 0), 0x00FF00, 70) && near(rgb_at(&out, 3, 3), 0x0000FF, 70),
	   "cover: fills the canvas, green left, blue right (%06x %06x)", rgb_at(&out, 0, 0), rgb_at(&out, 3, 3));
	img_free(&out);
	set(&o, "bg_fit", "contain");
	img_composite(&s, &bg, NULL, &o, NULL, &out, &bb);
	ok(out.alpha && alpha_at(&out, 0, 0) == 0 && alpha_at(&out, 0, 1) == 255 && alpha_at(&out, 0, 2) == 255 &&
	   alpha_at(&out, 0, 3) == 0 && rgb_at(&out, 0, 1) == 0x00FF00 && rgb_at(&out, 3, 2) == 0x0000FF,
	   "contain: 4x2 in rows 1..2, transparent above and below");
	img_free(&out);
	set(&o, "bg_fit", "stretch");
	set(&o, "canvas_size", "8x2");
	img_composite(&s, &bg, NULL, &o, NULL, &out, &bb);
	ok(out.alpha == NULL && rgb_at(&out, 0, 0) == 0x00FF00 && rgb_at(&out, 7, 1) == 0x0000FF &&
	   near(rgb_at(&out, 2, 0), 0x00FF00, 1), "stretch: 4x2 to 8x2 edges exact");
	img_free(&out);
	/* A background of the canvas's size is used as it is (taken over, no copy). */
	o = opts();
	set(&o, "canvas_size", "4x2");
	img_composite(&s, &bg, NULL, &o, NULL, &out, &bb);
	ok(bg.gd == NULL && rgb_at(&out, 0, 1) == 0x00FF00 && rgb_at(&out, 3, 0) == 0x0000FF,
	   "same-size background taken over as the canvas");
	img_free(&out);
	img_free(&bg);

	/* Shadow: drawn under the subject, offset, only where the subject is not. */
	o = opts();
	set(&o, "bg_color", "white");
	set(&o, "add_shadow", "true");
	set(&o, "shadow_x", "2");
	set(&o, "shadow_y", "2");
	set(&o, "shadow_blur", "0");
	set(&o, "shadow_opacity", "100");
	img_composite(&s, NULL, NULL, &o, NULL, &out, &bb);
	ok(rgb_at(&out, 11, 6) == 0x000000 && rgb_at(&out, 6, 3) == 0xFF0000 && rgb_at(&out, 12, 7) == 0xFFFFFF,
	   "shadow: black at +2,+2, subject on top, white elsewhere");
	img_free(&out);

	/* Caps: a canvas over the pixel limit is refused. */
	{
		struct img_limits l = { 100, 100, 1000 };

		o = opts();
		set(&o, "canvas_size", "50x50");
		is_int(img_composite(&s, NULL, NULL, &o, &l, &out, &bb), ERR_TOO_MANY_PIXELS, "canvas over max_pixels refused");
	}
	img_free(&s);
}

static void options(void)
{
	struct img_opts o = opts();
	char why[128] = "";
	uint32_t c;

	is_int(img_opts_set(&o, "bg_color", "81d4fa", why, sizeof why), ERR_OK, "bg_color without #");
	is_int(o.bg_color, 0x81D4FAFF, "bg_color 81d4fa");
	ok(img_color_parse("#f00", &c) && c == 0xFF0000FF, "#f00");
	ok(img_color_parse("#11223344", &c) && c == 0x11223344, "#rrggbbaa");
	ok(img_color_parse("RebeccaPurple", &c) && c == 0x663399FF, "CSS name, any case");
	ok(!img_color_parse("#12345", &c) && !img_color_parse("#ggg", &c) && !img_color_parse("", &c), "bad colors rejected");
	is_int(img_opts_set(&o, "canvas_size", "0x10", why, sizeof why), ERR_BAD_FIELD, "canvas_size 0x10 rejected");
	ok(strstr(why, "canvas_size") != NULL, "the reason names the field: %s", why);
	is_int(img_opts_set(&o, "canvas_size", "10x10 ", why, sizeof why), ERR_BAD_FIELD, "canvas_size trailing space rejected");
	is_int(img_opts_set(&o, "canvas_size", "3840X2160", why, sizeof why), ERR_OK, "canvas_size 3840X2160");
	is_int(img_opts_set(&o, "scale", "5%", why, sizeof why), ERR_BAD_FIELD, "scale 5% rejected");
	is_int(img_opts_set(&o, "scale", "50", why, sizeof why), ERR_BAD_FIELD, "scale without % rejected");
	is_int(img_opts_set(&o, "crop_margin", "10px 20%", why, sizeof why), ERR_OK, "crop_margin two values");
	ok(o.margin[0] == 10 && !o.margin_pct[0] && o.margin[1] == 20 && o.margin_pct[1] && o.margin[2] == 10 &&
	   o.margin[3] == 20, "crop_margin 10px 20%%: top/bottom 10px, left/right 20%%");
	is_int(img_opts_set(&o, "crop_margin", "1 2 3", why, sizeof why), ERR_BAD_FIELD, "crop_margin three values rejected");
	is_int(img_opts_set(&o, "crop_margin", "600px", why, sizeof why), ERR_BAD_FIELD, "crop_margin 600px rejected");
	is_int(img_opts_set(&o, "overlay_template_x", "-40", why, sizeof why), ERR_OK, "negative offset");
	is_int(img_opts_set(&o, "overlay_template_x", "4e2", why, sizeof why), ERR_BAD_FIELD, "offset 4e2 rejected");
	is_int(img_opts_set(&o, "quality", "101", why, sizeof why), ERR_BAD_FIELD, "quality 101 rejected");
	is_int(img_opts_set(&o, "format", "gif", why, sizeof why), ERR_BAD_FIELD, "format gif rejected");
	is_int(img_opts_set(&o, "color", "green", why, sizeof why), ERR_OK, "color=green");
	is_int(o.filter, IMG_FILTER_GREEN, "color=green keeps green only");
	is_int(img_opts_set(&o, "position", "25% 75%", why, sizeof why), ERR_OK, "position two percentages");
	ok(o.pos_x_pct == 25 && o.pos_y_pct == 75, "position 25%% 75%%");
	is_int(img_opts_set(&o, "size", "preview", why, sizeof why), ERR_OK, "size preview");
	is_int(o.size_pixels, 250000, "preview is 0.25 MP");
	is_int(img_opts_set(&o, "no_such_key", "1", why, sizeof why), ERR_NOT_FOUND, "unknown key -> not found");
	is_int(img_opts_set(&o, "type", "person", why, sizeof why), ERR_OK, "cutout keys go to the cutout");
}

int main(void)
{
	over_values();
	offsets();
	layout();
	options();
	tap_done();
}
