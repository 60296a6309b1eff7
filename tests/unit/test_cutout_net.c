/* test_cutout_net.c: the neural cutout (IS-Net on onnxruntime) on a generated photo: it
 * finds the subject, a hint stroke re-cuts from the cached opinion without running the
 * network again, and without the model (none, or a folder without it) the classical
 * engine cuts. Needs model/ from `make deps`; without it (and without CI) it skips. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "img_test.h"
#include "cutout.h"

#define W 320
#define H 240
#define BLOBS 14

/* The subject of the picture below: a head (with hair), a neck, and shoulders that run
 * out of the bottom of the frame, as in a portrait. */
static int in_head(int x, int y)
{
	return (x - 160) * (x - 160) + (y - 72) * (y - 72) <= 34 * 34;
}

static int in_subject(int x, int y)
{
	int cx, cy, r = 45;

	if (in_head(x, y) || (x >= 148 && x <= 172 && y >= 100 && y <= 125))
		return 1;
	if (x < 92 || x > 228 || y < 118)
		return 0;
	/* The shoulders: a rectangle with rounded top corners. */
	cx = x < 92 + r ? 92 + r : x > 228 - r ? 228 - r : x;
	cy = y < 118 + r ? 118 + r : y;
	return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
}

static unsigned rnd_state = 7;
/* Roughly Gaussian noise of deviation sigma (a sum of four uniform draws). */
static double noise(double sigma)
{
	double sum = 0;
	int i;

	for (i = 0; i < 4; i++) {
		rnd_state = rnd_state * 1103515245u + 12345u;
		sum += (double)((rnd_state >> 8) & 0xffff) / 32767.5 - 1.0;
	}
	return sum * sigma / 1.1547;
}

static int clamp8(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (int)(v + 0.5);
}

/* The scene behind the figure, out of focus: soft blobs of strong colors (as a street
 * or a garden far behind a portrait), each a Gaussian over a gray base. The frame is
 * as busy as the middle, so the frame's colors tell the classical engine little. */
static void scene(float bg[H][W][3])
{
	double cx[BLOBS], cy[BLOBS], rad[BLOBS], col[BLOBS][3];
	int i, x, y, c;

	for (i = 0; i < BLOBS; i++) {
		cx[i] = W / 2.0 + noise(W / 2.0);
		cy[i] = H / 2.0 + noise(H / 2.0);
		rad[i] = 30 + fabs(noise(30));
		for (c = 0; c < 3; c++)
			col[i][c] = 128 + noise(110);
	}
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			for (c = 0; c < 3; c++) {
				double v = 120, wsum = 1;
				for (i = 0; i < BLOBS; i++) {
					double d2 = (x - cx[i]) * (x - cx[i]) + (y - cy[i]) * (y - cy[i]);
					double w = 4 * exp(-d2 / (2 * rad[i] * rad[i]));
					v += w * col[i][c];
					wsum += w;
				}
				bg[y][x][c] = (float)(v / wsum + noise(8));
			}
}

/* A photo-like portrait: a shaded figure (skin, dark hair, a blue shirt) with sensor
 * noise in front of the out-of-focus scene. truth[] gets 1 on the figure. */
static struct img portrait(uint8_t *truth)
{
	static const double hair[3] = { 74, 42, 26 }, skin[3] = { 224, 169, 135 },
	                    shirt[3] = { 42, 77, 143 };
	static float bg[H][W][3];
	struct img im = mk(W, H, 0, 255);
	int x, y, c, v[3];

	scene(bg);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			int in = in_subject(x, y);
			/* Lit from the front: darker towards the picture's edges. */
			double d = sqrt((x - W / 2.0) * (x - W / 2.0) + (y - H / 2.0) * (y - H / 2.0)) / 200.0;
			double s = 1.0 - 0.6 * (d > 1 ? 1 : d);
			const double *col = in_head(x, y) && y <= 52 &&
			    (x - 160) * (x - 160) / (36.0 * 36) + (y - 52) * (y - 52) / (20.0 * 20) <= 1 ? hair :
			    in_head(x, y) || y < 118 ? skin : shirt;
			for (c = 0; c < 3; c++)
				v[c] = clamp8(in ? col[c] * s + noise(6) : bg[y][x][c]);
			im.gd->tpixels[y][x] = gdTrueColor(v[0], v[1], v[2]);
			truth[(size_t)y * W + x] = (uint8_t)in;
		}
	return im;
}

/* Intersection over union of the matte (alpha >= 128) and the truth. */
static double iou(const struct img *cut, const uint8_t *truth)
{
	long both = 0, any = 0;
	int x, y;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			int a = alpha_at(cut, x, y) >= 128, t = truth[(size_t)y * W + x];
			both += a && t;
			any += a || t;
		}
	return any ? (double)both / any : 0;
}

int main(void)
{
	static struct img_cutout_opts o;
	static uint8_t truth[W * H];
	struct img_net_conf nc = { .model = "isnet-medium", .dir = "model", .threads = 2 };
	struct img src, out = { 0 }, out2 = { 0 };
	struct img_rect bb;
	char why[256] = "";
	long runs;
	double q;
	int flags = 0, x, y, still = 1;

	if (access("model/isnet-medium.onnx", R_OK) && !getenv("CI")) {
		printf("ok 1 # skip no model\n");
		return 0;
	}
	src = portrait(truth);

	/* The network's cut: loaded once, one run, the figure found. */
	img_net_configure(&nc);
	is_str(img_net_model(), "isnet-medium", "the configured model is named");
	ok(img_net_ready(why, sizeof why), "the network loads (%s)", why[0] ? why : "ok");
	runs = img_net_runs();
	is_int(img_cutout(&src, &o, &out, &bb, &flags), ERR_OK, "the neural cutout succeeds");
	ok(flags & IMG_CUT_NEURAL, "IMG_CUT_NEURAL is set");
	ok(!(flags & IMG_CUT_CACHED), "the first cut is not from the cache");
	is_str(img_cut_engine(flags), "isnet-medium", "the engine is named after the model");
	ok(img_net_runs() > runs, "the network ran (%ld runs)", img_net_runs() - runs);
	/* Measured: 1.0000 on this scene and on four other draws of it; the classical
	 * engine 0.60 to 1.0 (0.63 on this one: the last test prints it), so a cut that
	 * lost the network's opinion fails here. 0.95 leaves room for rounding. */
	q = iou(&out, truth);
	ok(q > 0.95, "the matte matches the figure (IoU %.4f > 0.95)", q);
	is_int(alpha_at(&out, 160, 72), 255, "the face is opaque");
	is_int(alpha_at(&out, 160, 200), 255, "the shirt is opaque");
	is_int(alpha_at(&out, 20, 20), 0, "the scene is transparent (top left)");
	is_int(alpha_at(&out, 300, 230), 0, "the scene is transparent (bottom right)");

	/* A background stroke across the shirt: cut again from the cached opinion. */
	runs = img_net_runs();
	is_int(img_cutout_opt_set(&o, "hint_strokes",
	       "[{\"points\": [[110, 190], [210, 190]], \"width\": 12, \"label\": \"bg\"}]",
	       why, sizeof why), ERR_OK, "a background stroke over the shirt");
	flags = 0;
	is_int(img_cutout(&src, &o, &out2, &bb, &flags), ERR_OK, "the hinted cut succeeds");
	is_int(img_net_runs(), runs, "the network did not run again");
	ok(flags & IMG_CUT_CACHED, "IMG_CUT_CACHED is set");
	ok(flags & IMG_CUT_NEURAL, "IMG_CUT_NEURAL is still set");
	for (x = 110; x <= 210; x += 10)
		for (y = 186; y <= 194; y += 4)
			if (alpha_at(&out, x, y) != 255 || alpha_at(&out2, x, y) != 0)
				still = 0;
	ok(still, "the stroke made the shirt transparent where it was drawn");
	is_int(alpha_at(&out2, 160, 72), 255, "the face stays opaque");
	q = iou(&out2, truth);
	ok(q > 0.85, "the rest of the figure is kept (IoU %.4f > 0.85)", q);
	img_free(&out);
	img_free(&out2);

	/* A small subject: the same portrait in the middle of a frame three times as wide
	 * and high (a ninth of the picture) gets a second, zoomed-in network run, and the
	 * figure is still cut well. */
	{
		struct img big = mk(3 * W, 3 * H, 0, 255);
		long hit = 0, any = 0;
		for (y = 0; y < 3 * H; y++)
			for (x = 0; x < 3 * W; x++) {
				int in = x >= W && x < 2 * W && y >= H && y < 2 * H, g = 110 + y / 12;
				big.gd->tpixels[y][x] = in ? src.gd->tpixels[y - H][x - W] :
				    gdTrueColor(clamp8(g + noise(6)), clamp8(g + 8 + noise(6)), clamp8(g + 20 + noise(6)));
			}
		memset(&o, 0, sizeof o);
		runs = img_net_runs();
		flags = 0;
		is_int(img_cutout(&big, &o, &out, &bb, &flags), ERR_OK, "the small subject is cut");
		is_int(img_net_runs() - runs, 2, "with a second, zoomed-in network run");
		for (y = 0; y < 3 * H; y++)
			for (x = 0; x < 3 * W; x++) {
				int a = alpha_at(&out, x, y) >= 128;
				int t = x >= W && x < 2 * W && y >= H && y < 2 * H && truth[(size_t)(y - H) * W + x - W];
				hit += a && t;
				any += a || t;
			}
		q = any ? (double)hit / any : 0;
		ok(q > 0.9, "the small figure matches (IoU %.4f > 0.9)", q);
		img_free(&out);
		img_free(&big);
	}

	/* cutout_model = none: the classical engine. */
	memset(&o, 0, sizeof o);
	o.no_cache = 1;
	nc.model = "none";
	img_net_configure(&nc);
	ok(!img_net_ready(why, sizeof why), "no network with model none (%s)", why);
	flags = 0;
	is_int(img_cutout(&src, &o, &out, &bb, &flags), ERR_OK, "the classical cutout succeeds");
	ok(!(flags & IMG_CUT_NEURAL), "IMG_CUT_NEURAL is not set with model none");
	is_str(img_cut_engine(flags), "classical", "the engine is classical");
	img_free(&out);

	/* A model folder without the model: a reason, and the classical engine. */
	nc.model = "isnet-medium";
	nc.dir = "no-such-model-dir";
	img_net_configure(&nc);
	why[0] = 0;
	ok(!img_net_ready(why, sizeof why), "no network from a missing folder");
	ok(why[0] != 0, "with a reason: %s", why);
	ok(!img_net_check(why, sizeof why), "the cheap check fails too: %s", why);
	runs = img_net_runs();
	flags = 0;
	is_int(img_cutout(&src, &o, &out, &bb, &flags), ERR_OK, "the cutout still succeeds");
	ok(!(flags & IMG_CUT_NEURAL), "with the classical engine");
	is_int(img_net_runs(), runs, "and no network run");
	ok(bb.w > 0 && bb.h > 0, "and a subject found (IoU %.4f)", iou(&out, truth));
	img_free(&out);
	img_free(&src);
	tap_done();
}
