/* cutout.c: the cutout's orchestration: kept alpha, roi and hints, chroma keying, the
 * reduced-resolution segmentation (color models + iterated graph cut + clean-up, as
 * GrabCut with the frame instead of a user's rectangle) and the full-resolution matte.
 *
 * Why this shape: segmentation quality barely changes between 0.3 MP and 12 MP but its
 * cost grows with the pixels, while the matte needs full resolution only in a narrow
 * band; so the photo is averaged down once, segmented there, and only the matte's
 * last pass touches every pixel. The per-image work (downscaled colors, edge weights,
 * the final color models' costs) is cached by a hash of the pixels, so a second cut
 * of the same photo with hints is one max-flow plus the matte.
 *
 * The frame decides the backdrop: its stretches are grouped by color, and the backdrop
 * is the chain that the picture's center shows least (a subject fills the middle, a
 * backdrop rarely does), plus any stretch whose color the center hardly has. Those
 * stretches are hard background (GrabCut's rectangle, minus where the subject runs
 * into the frame; freeing the band again in a last round where the labels just inside
 * it are foreground measured no better, so the band stays). On a textured frame
 * (a scene, not a backdrop) the rounds that fit the models add a center prior, since
 * the frame's colors alone mislead there; the final cut is the models' alone. When the
 * chain leaves out frame stretches above the bottom edge, GrabCut's own hypothesis
 * (all the frame but the bottom edge is background) is cut too, on the second
 * thread, and the cut whose boundary follows stronger edges wins. 0.1 MP
 * is enough: measured on the data sets it segments better than 0.3 MP (less texture
 * to trip over), in a third of the time.
 *
 * With the segmentation network (cut_net.c) its probability map is the first opinion:
 * projected onto the same work grid and cached with the rest, it enters the same graph
 * cut as log-odds beside the color models (segment_net()), so roi, hints and the
 * matte work as before and a refine stroke never runs the network again. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "img.h"
#include "cutout.h"
#include "cut.h"

#define WORK_PIXELS   100000  /* segmentation resolution, pixels */
#define ITERATIONS    4       /* GrabCut rounds: fit models, cut */
#define GAMMA         50.0    /* smoothness weight (GrabCut's) */
#define CACHE_SLOTS   2
#define PRIOR_WEIGHT  10.0    /* center prior (nats at the corners) on a busy frame */
#define PRIOR_MID     0.6     /* its zero: this share of the way from center to corner */
#define PRIOR_LOW     0.2     /* its middle sits this much (of the half height) low */
#define PRIOR_TEX0    3.0     /* frame texture (color deviation) where the prior starts */
#define PRIOR_TEXR    6.0     /* and how much more texture gives the full prior */
#define PLAIN_TEXTURE 1.5     /* a chain smoother than this (color deviation) is plain */
#define CENTER_SHARE  0.10    /* a stretch whose color covers less of the center: backdrop */
#define BAND_COST     (1 << 20) /* the frame band's cost of foreground in the cache */
#define OPEN_ITERATIONS 2     /* its rounds (more measured no better: the prior misleads) */
#define OPEN_CONTRAST 1.10    /* the open frame's cut wins with this much more contrast */
#define OPEN_AREA     0.05    /* and at least this share of the picture as subject */
#define NET_SURE      0.9     /* the network is this sure of a color model's sample */
#define NET_EPS       0.002   /* its probabilities are clamped this far from 0 and 1 */
#define ZOOM_AREA     0.3     /* zoom in on a subject box under this share of the picture */
#define ZOOM_MARGIN   0.2     /* with this margin (of the box's larger side) around it */
#define FRAME_BAND(w, h) (((w) < (h) ? (w) : (h)) / 30 + 1)  /* the frame band, pixels */


/* The per-image work that hints do not change. */
struct work {
	uint64_t key;
	int mw, mh;
	float *rgb;        /* mw * mh * 3 */
	int32_t *ncap;     /* 4 * mw * mh */
	int32_t *unary;    /* the last round's model costs (no hard constraints) */
	uint8_t *lab;      /* the automatic result */
	float *prob;       /* the network's foreground probability (NULL: classical) */
	int no_subject;
	int plain;         /* the frame is a plain backdrop (set by segment()) */
};

static struct work *cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void work_free(struct work *wk)
{
	if (!wk)
		return;
	free(wk->rgb);
	free(wk->ncap);
	free(wk->unary);
	free(wk->lab);
	free(wk->prob);
	free(wk);
}

/* Takes the cached work for key out of the cache (the caller owns it), or NULL. */
static struct work *cache_take(uint64_t key)
{
	struct work *wk = NULL;
	int i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache[i] && cache[i]->key == key) {
			wk = cache[i];
			cache[i] = NULL;
			break;
		}
	pthread_mutex_unlock(&cache_lock);
	return wk;
}

/* Puts wk in the cache as the newest entry, evicting the oldest. */
static void cache_put(struct work *wk)
{
	int i;

	pthread_mutex_lock(&cache_lock);
	work_free(cache[CACHE_SLOTS - 1]);
	for (i = CACHE_SLOTS - 1; i > 0; i--)
		cache[i] = cache[i - 1];
	cache[0] = wk;
	pthread_mutex_unlock(&cache_lock);
}

/* A 64-bit hash of the pixels and everything else the cached work depends on. */
static uint64_t pixel_key(const struct img *src, uint64_t salt)
{
	int W = img_w(src), H = img_h(src), x, y;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ salt ^ ((uint64_t)W << 32 | (uint32_t)H);

	for (y = 0; y < H; y++) {
		const int *row = src->gd->tpixels[y];
		for (x = 0; x < W; x++) {
			h ^= (uint32_t)row[x] & 0xffffff;
			h *= 0x100000001b3ULL;
			h ^= h >> 29;
		}
	}
	return h;
}

/* Averages src down to about WORK_PIXELS (never up) into wk->rgb. */
static enum err downscale(const struct img *src, struct work *wk)
{
	int W = img_w(src), H = img_h(src), x, y, X, Y, x0, x1, y0, y1;
	double s = sqrt((double)WORK_PIXELS / ((double)W * H));

	if (s > 1)
		s = 1;
	wk->mw = (int)lround(W * s);
	wk->mh = (int)lround(H * s);
	if (wk->mw < 1)
		wk->mw = 1;
	if (wk->mh < 1)
		wk->mh = 1;
	wk->rgb = malloc(sizeof(float) * 3 * (size_t)wk->mw * wk->mh);
	if (!wk->rgb)
		return ERR_NOMEM;
	for (y = 0; y < wk->mh; y++) {
		y0 = (int)((long)y * H / wk->mh);
		y1 = (int)((long)(y + 1) * H / wk->mh);
		if (y1 <= y0)
			y1 = y0 + 1;
		for (x = 0; x < wk->mw; x++) {
			double acc[3] = { 0, 0, 0 };
			float *o = wk->rgb + 3 * ((size_t)y * wk->mw + x);
			x0 = (int)((long)x * W / wk->mw);
			x1 = (int)((long)(x + 1) * W / wk->mw);
			if (x1 <= x0)
				x1 = x0 + 1;
			for (Y = y0; Y < y1; Y++)
				for (X = x0; X < x1; X++) {
					int px = src->gd->tpixels[Y][X];
					acc[0] += gdTrueColorGetRed(px);
					acc[1] += gdTrueColorGetGreen(px);
					acc[2] += gdTrueColorGetBlue(px);
				}
			for (X = 0; X < 3; X++)
				o[X] = (float)(acc[X] / ((double)(x1 - x0) * (y1 - y0)));
		}
	}
	return ERR_OK;
}

/* Resolves the roi against W x H into [x0, x1) x [y0, y1). */
static enum err roi_resolve(const struct img_cutout_opts *o, int W, int H, int r[4],
                            char *why, size_t n)
{
	double v[4];
	int i;

	for (i = 0; i < 4; i++) {
		int side = i % 2 ? H : W;
		v[i] = o->roi[i].pct ? o->roi[i].v * side / 100.0 : o->roi[i].v;
		if (v[i] > side) {
			if (why)
				snprintf(why, n, "roi_exceeds_bounds: roi reaches beyond the %dx%d image", W, H);
			return ERR_BAD_FIELD;
		}
		r[i] = (int)lround(v[i]);
	}
	if (r[2] <= r[0] || r[3] <= r[1]) {
		if (why)
			snprintf(why, n, "roi_region_empty: the roi holds no pixels");
		return ERR_BAD_FIELD;
	}
	return ERR_OK;
}

/* The part of row y inside the round-capped segment a-b of radius r (the points within
 * r of it): [*lo, *hi] in x; 0 when the row misses it. The capsule is convex, so the
 * part is one interval: the union of what the two end disks and the band between them
 * (projection on the segment within it, distance to its line within r) cut from it. */
static int capsule_row(double ax, double ay, double bx, double by, double r, double y,
                       double *lo, double *hi)
{
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, l = sqrt(l2), e, u, v;
	int k, any = 0;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (k = 0; k < 2; k++) {               /* the end disks */
		double cx = k ? bx : ax, cy = k ? by : ay;
		if (fabs(y - cy) <= r) {
			e = sqrt(r * r - (y - cy) * (y - cy));
			*lo = fmin(*lo, cx - e);
			*hi = fmax(*hi, cx + e);
			any = 1;
		}
	}
	if (l2 > 0) {                           /* the band: an interval of each condition */
		double p0 = -INFINITY, p1 = INFINITY, q0 = -INFINITY, q1 = INFINITY;
		/* 0 <= (x - ax) dx + (y - ay) dy <= l2 */
		if (dx != 0) {
			u = ax + (-(y - ay) * dy) / dx;
			v = ax + (l2 - (y - ay) * dy) / dx;
			p0 = fmin(u, v);
			p1 = fmax(u, v);
		} else if ((y - ay) * dy < 0 || (y - ay) * dy > l2) {
			return any;
		}
		/* |(x - ax) dy - (y - ay) dx| <= r l */
		if (dy != 0) {
			u = ax + ((y - ay) * dx - r * l) / dy;
			v = ax + ((y - ay) * dx + r * l) / dy;
			q0 = fmin(u, v);
			q1 = fmax(u, v);
		} else if (fabs((y - ay) * dx) > r * l) {
			return any;
		}
		u = fmax(p0, q0);
		v = fmin(p1, q1);
		if (u <= v) {
			*lo = fmin(*lo, u);
			*hi = fmax(*hi, v);
			any = 1;
		}
	}
	return any;
}

static int by_lo(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * The strokes drawn into plane (W x H): background first, then foreground over it.
 * Row by row, each segment gives the interval of the row it covers; the intervals are
 * merged and filled, so a pixel is written at most once a pass and the cost is rows x
 * segments plus pixels, whatever the widths (a long list of wide strokes over a big
 * photo is a few hundred milliseconds, not a scan of the photo per segment). ERR_NOMEM.
 */
static enum err draw_strokes(const struct img_cutout_opts *o, uint8_t *plane, int W, int H)
{
	double (*iv)[2] = malloc(sizeof *iv * (size_t)(o->npts > 0 ? o->npts : 1));
	int i, j, y, pass, n, k;

	if (!iv)
		return ERR_NOMEM;
	for (pass = 0; pass < 2; pass++)
		for (y = 0; y < H; y++) {
			n = 0;
			for (i = 0; i < o->nstrokes; i++) {
				const struct img_cut_stroke *st = &o->strokes[i];
				double rad = fmax(0.5, st->width / 2.0);
				if (st->fg != pass)
					continue;
				for (j = 0; j < st->npts && n < o->npts; j++) {
					const int *a = o->pts[st->first + j];
					const int *b = o->pts[st->first + (j + 1 < st->npts ? j + 1 : j)];
					if (y < fmin(a[1], b[1]) - rad || y > fmax(a[1], b[1]) + rad)
						continue;
					if (capsule_row(a[0], a[1], b[0], b[1], rad, y, &iv[n][0], &iv[n][1]))
						n++;
				}
			}
			qsort(iv, (size_t)n, sizeof *iv, by_lo);
			for (k = 0; k < n; k++) {
				double lo = iv[k][0], hi = iv[k][1];
				int x0, x1;
				while (k + 1 < n && iv[k + 1][0] <= hi)
					hi = fmax(hi, iv[++k][1]);
				x0 = (int)fmax(0, ceil(lo));
				x1 = (int)fmin(W - 1, floor(hi));
				if (x0 <= x1)
					memset(plane + (size_t)y * W + x0, pass ? CUT_HARD_FG : CUT_HARD_BG,
					       (size_t)(x1 - x0 + 1));
			}
		}
	free(iv);
	return ERR_OK;
}

/* Decodes the hint mask bytes into a full-resolution hint plane (CUT_HARD_*). */
static enum err hint_plane(const struct img_cutout_opts *o, int W, int H, uint8_t *plane,
                           char *why, size_t n)
{
	gdImagePtr im = NULL;
	const uint8_t *g = o->hint_plane;
	int x, y, hw = o->hint_w, hh = o->hint_h;
	enum err e = ERR_BAD_FIELD;

	if (!g) {
		if (o->hint_mask_len > 0x7fffffff)
			goto bad;
		im = gdImageCreateFromPngPtr((int)o->hint_mask_len, (void *)o->hint_mask);
		if (!im)
			im = gdImageCreateFromJpegPtr((int)o->hint_mask_len, (void *)o->hint_mask);
		if (!im)
			im = gdImageCreateFromWebpPtr((int)o->hint_mask_len, (void *)o->hint_mask);
		if (!im)
			im = gdImageCreateFromGifPtr((int)o->hint_mask_len, (void *)o->hint_mask);
		if (!im || !gdImageTrueColor(im)) {
			if (im && !gdImagePaletteToTrueColor(im))
				goto bad;
			if (!im)
				goto bad;
		}
		hw = gdImageSX(im);
		hh = gdImageSY(im);
	}
	if (hw != W || hh != H) {
		if (why)
			snprintf(why, n, "hint_mask_size: the hint mask is %dx%d, the image %dx%d",
			         hw, hh, W, H);
		goto out;
	}
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			int v;
			if (g) {
				v = g[(size_t)y * W + x];
			} else {
				int px = im->tpixels[y][x];
				v = (299 * gdTrueColorGetRed(px) + 587 * gdTrueColorGetGreen(px) +
				     114 * gdTrueColorGetBlue(px)) / 1000;
			}
			plane[(size_t)y * W + x] = v >= 240 ? CUT_HARD_FG : v <= 15 ? CUT_HARD_BG : CUT_FREE;
		}
	e = ERR_OK;
	goto out;
bad:
	if (why)
		snprintf(why, n, "hint_mask: the hint mask is not a PNG, JPEG, WebP or GIF image");
out:
	if (im)
		gdImageDestroy(im);
	return e;
}

/* One half of unaries(): the pixels [i0, i1). */
struct unary_job {
	const struct work *wk;
	const struct cut_gmm *fg, *bg;
	int32_t *unary;
	double sp;
	size_t i0, i1;
};

static void *unary_run(void *arg)
{
	const struct unary_job *j = arg;
	const struct work *wk = j->wk;
	size_t i;

	for (i = j->i0; i < j->i1; i++) {
		double d = cut_gmm_nll(j->bg, wk->rgb + 3 * i) - cut_gmm_nll(j->fg, wk->rgb + 3 * i);
		if (j->sp) {
			double dx = ((double)(i % wk->mw) + 0.5) / wk->mw * 2 - 1;
			double dy = ((double)(i / wk->mw) + 0.5) / wk->mh * 2 - 1 - PRIOR_LOW;
			d += j->sp * (PRIOR_MID - sqrt((dx * dx + dy * dy) / 2));
		}
		j->unary[i] = (int32_t)lround(d * CUT_SCALE);
	}
	return NULL;
}

/* The model costs of every pixel: unary[i] = cost(background) - cost(foreground), plus
 * a center prior of weight sp (0: none) falling from a point a little below the middle
 * (subjects are framed low and run out at the bottom) to the corners. Two threads,
 * each a fixed half of the pixels (the same result as one). */
static void unaries(const struct work *wk, const struct cut_gmm *fg, const struct cut_gmm *bg,
                    int32_t *unary, double sp)
{
	size_t m = (size_t)wk->mw * wk->mh;
	struct unary_job j[2] = { { wk, fg, bg, unary, sp, 0, m / 2 },
	                          { wk, fg, bg, unary, sp, m / 2, m } };
	pthread_t th;

	if (m < 4096 || pthread_create(&th, NULL, unary_run, &j[1])) {
		j[0].i1 = m;
		unary_run(&j[0]);
		return;
	}
	unary_run(&j[0]);
	pthread_join(th, NULL);
}

/* One color model fit on another thread (see fit_both). */
struct fit_job {
	struct cut_gmm *g;
	const float *rgb;
	size_t n, got;
	const uint8_t *sel;
	uint8_t val;
};

static void *fit_run(void *arg)
{
	struct fit_job *j = arg;

	j->got = cut_gmm_fit(j->g, j->rgb, j->n, j->sel, j->val);
	return NULL;
}

/* Fits fg to sel == 1 and bg to sel == 0 at once on two threads; 0 when either
 * has no samples. */
static int fit_both(struct cut_gmm *fg, struct cut_gmm *bg, const float *rgb, size_t m,
                    const uint8_t *sel)
{
	struct fit_job j = { bg, rgb, m, 0, sel, 0 };
	pthread_t th;
	size_t got;

	if (pthread_create(&th, NULL, fit_run, &j)) {
		fit_run(&j);
		return cut_gmm_fit(fg, rgb, m, sel, 1) && j.got;
	}
	got = cut_gmm_fit(fg, rgb, m, sel, 1);
	pthread_join(th, NULL);
	return got && j.got;
}

/* Terminal capacities: the model costs with the hard labels on top. */
static void terminals(const int32_t *unary, const uint8_t *hard, size_t m, int32_t *tcap)
{
	size_t i;

	for (i = 0; i < m; i++)
		tcap[i] = hard && hard[i] == CUT_HARD_FG ? CUT_INF :
		          hard && hard[i] >= CUT_HARD_BG ? -CUT_INF : unary[i];
}

/* The mean color deviation of the stretches st[t] with sel[t] set (0 when none). */
static double texture_of(double (*st)[5], const uint8_t *sel, int ns)
{
	double sd = 0;
	int t, nb = 0;

	for (t = 0; t < ns; t++)
		if (sel[t]) {
			nb++;
			sd += st[t][4];
		}
	return nb ? sd / nb : 0;
}

/* The frame stretch (0..ns-1) of pixel (x, y) on the mw x mh grid: its position on the
 * loop top left->right, right, bottom right->left, left, divided by seg; -1 when the
 * pixel is not within bw of the frame. */
static int frame_stretch(int x, int y, int mw, int mh, int bw, int seg, int ns)
{
	int dt = y, db = mh - 1 - y, dl = x, dr = mw - 1 - x, pos = x, m4 = dt, t;

	if (dt >= bw && db >= bw && dl >= bw && dr >= bw)
		return -1;
	if (dr < m4) { m4 = dr; pos = mw + y; }
	if (db < m4) { m4 = db; pos = mw + mh + (mw - 1 - x); }
	if (dl < m4) { pos = 2 * mw + mh + (mh - 1 - y); }
	t = pos / seg;
	return t >= ns ? ns - 1 : t;
}

/*
 * Marks in sel[] the background samples of the frame (a band bw wide): the frame is
 * cut into stretches around its loop; neighbouring stretches of similar color are
 * chained, and the backdrop is the longest chain, each stretch counted by how little
 * of the picture's center shares its color (a subject touching the frame breaks the
 * chain where it starts and ends, and fills the center); stretches close in color to
 * the backdrop join it. When no chain covers a good part of the frame (a busy scene),
 * all of it counts. On a textured frame, stretches whose color the center hardly
 * shows join it. *texture: the mean color deviation of the chosen stretches (a plain
 * backdrop is about 0 to 3).
 * A person's bottom edge is never a sample: people are cut off at the bottom.
 * open_bottom: GrabCut's hypothesis instead: every stretch, but not the bottom edge.
 * *partial: the chain left out a stretch above the bottom edge.
 */
static enum err frame_samples(const struct work *wk, int bw, enum img_cut_type type,
                              int open_bottom, uint8_t *sel, int *busy, double *texture,
                              int *partial)
{
	int mw = wk->mw, mh = wk->mh, per = 2 * (mw + mh), ns, seg, k, x, y, t, best = -1;
	int bestlen = 0, run, start, j;
	double (*st)[5] = NULL;  /* per stretch: n, mean r g b, variance */
	uint8_t *bgs = NULL, *link = NULL;
	double *cf = NULL;
	size_t i;
	enum err e = ERR_NOMEM;

	seg = per / 64;
	if (seg < 6)
		seg = 6;
	ns = per / seg + 1;
	st = calloc((size_t)ns, sizeof *st);
	bgs = calloc((size_t)ns, 1);
	link = calloc((size_t)ns, 1);
	cf = calloc((size_t)ns, sizeof *cf);
	if (!st || !bgs || !link || !cf)
		goto out;
	for (k = 0; k < 2; k++)
		for (y = 0; y < mh; y++)
			for (x = 0; x < mw; x++) {
				const float *c = wk->rgb + 3 * ((size_t)y * mw + x);
				if ((t = frame_stretch(x, y, mw, mh, bw, seg, ns)) < 0) {
					x = mw - bw - 1;   /* skip the inside of the row */
					continue;
				}
				if (k == 0) {
					st[t][0]++;
					st[t][1] += c[0];
					st[t][2] += c[1];
					st[t][3] += c[2];
				} else if (st[t][0] > 0) {
					double d0 = c[0] - st[t][1] / st[t][0], d1 = c[1] - st[t][2] / st[t][0],
					       d2 = c[2] - st[t][3] / st[t][0];
					st[t][4] += (d0 * d0 + d1 * d1 + d2 * d2) / 3;
				}
			}
	for (t = 0; t < ns; t++)
		if (st[t][0] > 0) {
			st[t][1] /= st[t][0];
			st[t][2] /= st[t][0];
			st[t][3] /= st[t][0];
			st[t][4] = sqrt(st[t][4] / st[t][0]);
		}
#define SIMILAR(a, b) (st[a][0] > 0 && st[b][0] > 0 && \
	sqrt((st[a][1] - st[b][1]) * (st[a][1] - st[b][1]) + (st[a][2] - st[b][2]) * \
	     (st[a][2] - st[b][2]) + (st[a][3] - st[b][3]) * (st[a][3] - st[b][3])) < \
	12 + 2.5 * fmin(st[a][4], st[b][4]))
	for (t = 0; t < ns; t++)
		link[t] = (uint8_t)SIMILAR(t, (t + 1) % ns);
	/* The longest run of links around the loop (start after a break). */
	for (start = 0; start < ns && link[start]; start++)
		;
	*busy = open_bottom;   /* GrabCut's way: all inside the band is seed */
	if (open_bottom || start == ns) {
		for (t = 0; t < ns; t++)
			bgs[t] = 1;
	} else {
		double score = 0, bests = -1;
		/* How much of the frame's center each stretch's color also covers: a
		 * backdrop rarely fills the middle of the picture, a subject does. */
		for (t = 0; t < ns; t++) {
			long in = 0, tot = 0;
			double r2 = (20 + 2.5 * st[t][4]) * (20 + 2.5 * st[t][4]);
			for (y = mh / 4; y < 3 * mh / 4; y += 2)
				for (x = mw / 4; x < 3 * mw / 4; x += 2) {
					const float *c = wk->rgb + 3 * ((size_t)y * mw + x);
					double d0 = c[0] - st[t][1], d1 = c[1] - st[t][2], d2 = c[2] - st[t][3];
					in += d0 * d0 + d1 * d1 + d2 * d2 < r2;
					tot++;
				}
			cf[t] = tot ? (double)in / tot : 0;
		}
		run = 0;
		for (j = 1; j <= ns; j++) {
			t = (start + j) % ns;
			run++;
			score += 1 - cf[t];
			if (!link[t]) {
				if (score > bests) {
					bests = score;
					bestlen = run;
					best = t;
				}
				run = 0;
				score = 0;
			}
		}
		for (j = 0; j < bestlen; j++)
			bgs[(best - j + ns) % ns] = 1;
		for (t = 0; t < ns; t++)
			for (j = 0; j < ns && !bgs[t]; j++)
				if (bgs[j] == 1 && SIMILAR(t, j))
					bgs[t] = 2;
		for (t = 0, run = 0; t < ns; t++)
			run += bgs[t] != 0;
		/* Stretches whose color the center hardly shows are backdrop too, unless the
		 * chain is a plain studio backdrop and the stretch is not as smooth: then a
		 * dark base or a textured part at the frame is the subject's, while a smooth
		 * floor under a smooth wall is backdrop. */
		double sd = texture_of(st, bgs, ns);
		for (t = 0; t < ns; t++)
			if (!bgs[t] && st[t][0] > 0 && cf[t] < CENTER_SHARE &&
			    (sd >= PLAIN_TEXTURE || st[t][4] < PLAIN_TEXTURE))
				bgs[t] = 3;
		if (run * 4 < ns) {
			memset(bgs, 1, (size_t)ns);
			*busy = 1;
		}
	}
	*texture = texture_of(st, bgs, ns);
#undef SIMILAR
	/* Mark the samples of the chosen stretches; note a stretch left out above the
	 * bottom edge (the subject runs into the sides or the top, or the chain is off). */
	*partial = 0;
	for (y = 0; y < mh; y++)
		for (x = 0; x < mw; x++) {
			int bottom = mh - 1 - y < bw && x >= bw && mw - 1 - x >= bw;
			if ((t = frame_stretch(x, y, mw, mh, bw, seg, ns)) < 0) {
				x = mw - bw - 1;
				continue;
			}
			i = (size_t)y * mw + x;
			sel[i] = bgs[t] && !(bottom && (type == IMG_CUT_PERSON || open_bottom));
			*partial |= !bgs[t] && !bottom;
		}
	e = ERR_OK;
out:
	free(st);
	free(bgs);
	free(link);
	free(cf);
	return e;
}

/* A frame hypothesis: frame_samples()'s background samples and what it measured. */
struct frame {
	uint8_t *sel;
	int busy, open_bottom;
	double texture;
};

/*
 * One segmentation from a frame hypothesis: background model from the frame (and hard
 * background), foreground model from what the frame's colors do not explain, then
 * ITERATIONS rounds of cut and refit. Fills wk->unary, wk->lab, wk->no_subject.
 */
static enum err segment_frame(struct work *wk, const uint8_t *hard, const struct frame *f)
{
	int mw = wk->mw, mh = wk->mh, bw = FRAME_BAND(mw, mh), x, y, it, busy = f->busy;
	int iters = f->open_bottom ? OPEN_ITERATIONS : ITERATIONS;
	size_t m = (size_t)mw * mh, i, nfg = 0;
	uint8_t *sel = NULL, *hb = NULL;
	int32_t *tcap = NULL;
	float *nll = NULL, thr;
	double prior;
	struct cut_gmm fg, bg;
	enum err e = ERR_NOMEM;

	sel = malloc(m);
	tcap = malloc(m * sizeof *tcap);
	nll = malloc(m * sizeof *nll);
	hb = malloc(m);
	wk->unary = malloc(m * sizeof *wk->unary);
	wk->lab = calloc(m, 1);
	if (!sel || !tcap || !nll || !hb || !wk->unary || !wk->lab)
		goto out;
	/* Background samples: the frame's background-like stretches and hard background. */
	memcpy(sel, f->sel, m);
	/* A plain backdrop explains itself; the busier the frame, the more the subject is
	 * taken to be in the middle while the models settle. */
	prior = (f->texture - PRIOR_TEX0) / PRIOR_TEXR;
	prior = PRIOR_WEIGHT * (prior < 0 ? 0 : prior > 1 ? 1 : prior);
	memcpy(hb, sel, m);   /* the frame's background stretches, for the band below */
	for (i = 0; i < m; i++) {
		if (hard && hard[i] == CUT_HARD_BG)
			sel[i] = 1;
		if (hard && hard[i] == CUT_HARD_FG)
			sel[i] = 0;
	}
	if (!cut_gmm_fit(&bg, wk->rgb, m, sel, 1)) {
		e = ERR_INTERNAL;
		goto out;
	}
	/* How unusual the frame's own colors are under its model: the 98th percentile. */
	{
		long hist[1200] = { 0 }, cnt = 0, acc = 0;
		for (i = 0; i < m; i++) {
			int b;
			nll[i] = cut_gmm_nll(&bg, wk->rgb + 3 * i);
			if (!sel[i])
				continue;
			b = (int)((nll[i] + 60) * 10);
			hist[b < 0 ? 0 : b > 1199 ? 1199 : b]++;
			cnt++;
		}
		for (it = 0; it < 1200; it++) {
			acc += hist[it];
			if (acc >= cnt * 0.98)
				break;
		}
		thr = it / 10.f - 60 + 3.0f;
	}
	/* Foreground seeds: inside the frame, unexplained by the background model. */
	for (y = 0; y < mh; y++)
		for (x = 0; x < mw; x++) {
			i = (size_t)y * mw + x;
			/* A busy frame explains little: then, as GrabCut, all inside is seed. */
			sel[i] = (!sel[i] && (busy ? x >= bw && y >= bw && x < mw - bw && y < mh - bw :
			                      nll[i] > thr)) || (hard && hard[i] == CUT_HARD_FG);
			if (hard && hard[i] >= CUT_HARD_BG)
				sel[i] = 0;
			nfg += sel[i];
		}
	if (nfg < m / 1000 + 1) {
		wk->no_subject = 1;
		for (i = 0; i < m; i++) {
			wk->lab[i] = hard && hard[i] == CUT_HARD_FG;
			wk->unary[i] = -(int32_t)(10 * CUT_SCALE);
		}
		e = ERR_OK;
		goto out;
	}
	if (!cut_gmm_fit(&fg, wk->rgb, m, sel, 1)) {
		e = ERR_INTERNAL;
		goto out;
	}
	/* The frame band: hard background while the models settle (GrabCut's rectangle). */
	for (y = 0; y < mh; y++)
		for (x = 0; x < mw; x++) {
			i = (size_t)y * mw + x;
			int inband = hb[i];
			hb[i] = hard ? hard[i] : CUT_FREE;
			if (inband && hb[i] != CUT_HARD_FG)
				hb[i] = CUT_HARD_BG;
		}
	for (it = 0; it < iters; it++) {
		unaries(wk, &fg, &bg, wk->unary, it == iters - 1 ? 0 : prior);
		terminals(wk->unary, hb, m, tcap);
		if ((e = cut_maxflow(mw, mh, tcap, wk->ncap, wk->lab)))
			goto out;
		if (cut_clean(wk->lab, mw, mh, hb, it == iters - 1) < 0) {
			e = ERR_NOMEM;
			goto out;
		}
		if (it == iters - 1)
			break;
		/* Refit on the labels; pixels outside the roi model nothing. */
		for (i = 0; i < m; i++)
			sel[i] = hard && hard[i] == CUT_OUT_ROI ? 2 : wk->lab[i];
		if (!fit_both(&fg, &bg, wk->rgb, m, sel))
			break;
	}
	/* The band's remaining hard background goes into the cached costs (hints win). */
	for (i = 0; i < m; i++)
		if (hb[i] == CUT_HARD_BG && !(hard && hard[i]))
			wk->unary[i] = -BAND_COST;
	nfg = 0;
	for (i = 0; i < m; i++)
		nfg += wk->lab[i];
	wk->no_subject = nfg == 0;
	e = ERR_OK;
out:
	free(sel);
	free(tcap);
	free(nll);
	free(hb);
	return e;
}

/* The mean color step across the labels' boundary inside the frame band: a cut that
 * follows the picture's edges scores high, one through smooth color low. */
static double boundary_contrast(const struct work *wk, const uint8_t *lab)
{
	int mw = wk->mw, mh = wk->mh, bw = FRAME_BAND(mw, mh), x, y, d;
	double sum = 0;
	long cnt = 0;

	for (y = bw; y < mh - bw; y++)
		for (x = bw; x < mw - bw; x++)
			for (d = 0; d < 2; d++) {
				size_t i = (size_t)y * mw + x, j = d ? i + (size_t)mw : i + 1;
				const float *a = wk->rgb + 3 * i, *b = wk->rgb + 3 * j;
				if (lab[i] == lab[j])
					continue;
				sum += sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
				            (a[2] - b[2]) * (a[2] - b[2]));
				cnt++;
			}
	return cnt ? sum / cnt : 0;
}

struct open_arg {
	struct work wk;            /* a shallow copy: shares rgb and ncap, owns unary, lab */
	const uint8_t *hard;
	const struct frame *frame;
	enum err e;
};

static void *open_run(void *p)
{
	struct open_arg *a = p;

	a->e = segment_frame(&a->wk, a->hard, a->frame);
	return NULL;
}

/*
 * The automatic segmentation. The frame's backdrop chain is the first hypothesis; when
 * it leaves out stretches of the sides or the top (the subject would run into them),
 * GrabCut's own hypothesis is tried beside it, on the second thread: all the frame is
 * background but the bottom edge, where subjects are cut off. The cut whose boundary
 * follows the stronger color edges wins. Measured on the data sets: the chain misreads
 * scenes whose far background shares the subject's colors, the open frame misreads
 * studio shots whose subject fills the frame's sides; together they beat either.
 */
static enum err segment(struct work *wk, const uint8_t *hard, enum img_cut_type type)
{
	size_t m = (size_t)wk->mw * wk->mh, i, nfg = 0;
	int bw = FRAME_BAND(wk->mw, wk->mh), partial, threaded;
	struct frame chain = { 0 }, open = { .open_bottom = 1 };
	struct open_arg oa;
	pthread_t th;
	enum err e = ERR_NOMEM;

	chain.sel = calloc(m, 1);
	if (!chain.sel)
		goto out;
	if ((e = frame_samples(wk, bw, type, 0, chain.sel, &chain.busy, &chain.texture, &partial)))
		goto out;
	wk->plain = !chain.busy && chain.texture < PLAIN_TEXTURE;
	if (!partial) {
		e = segment_frame(wk, hard, &chain);
		goto out;
	}
	e = ERR_NOMEM;
	open.sel = calloc(m, 1);
	if (!open.sel)
		goto out;
	if ((e = frame_samples(wk, bw, type, 1, open.sel, &open.busy, &open.texture, &partial)))
		goto out;
	memset(&oa, 0, sizeof oa);
	oa.wk = *wk;
	oa.hard = hard;
	oa.frame = &open;
	threaded = pthread_create(&th, NULL, open_run, &oa) == 0;
	e = segment_frame(wk, hard, &chain);
	if (threaded)
		pthread_join(th, NULL);
	else
		open_run(&oa);
	if (!e && !oa.e) {
		for (i = 0; i < m; i++)
			nfg += oa.wk.lab[i];
		if (boundary_contrast(wk, oa.wk.lab) > OPEN_CONTRAST * boundary_contrast(wk, wk->lab) &&
		    nfg >= m * OPEN_AREA) {
			free(wk->unary);
			free(wk->lab);
			wk->unary = oa.wk.unary;
			wk->lab = oa.wk.lab;
			wk->no_subject = oa.wk.no_subject;
			oa.wk.unary = NULL;
			oa.wk.lab = NULL;
		}
	}
	free(oa.wk.unary);
	free(oa.wk.lab);
	if (!e)
		e = oa.e;
out:
	free(chain.sel);
	free(open.sel);
	return e;
}

/* ---- the neural first opinion ---- */

/* The network pixels [*a, *b) under the work cell [c0, c1) of an image axis, where the
 * network's side spans [o, o + len); 0 when the cell's center lies outside that span. */
static int net_span(double c0, double c1, int o, int len, int *a, int *b)
{
	double c = (c0 + c1) / 2;

	if (c < o || c >= o + len)
		return 0;
	*a = (int)floor((c0 - o) * CUT_NET_SIDE / len);
	*b = (int)ceil((c1 - o) * CUT_NET_SIDE / len);
	*a = *a < 0 ? 0 : *a > CUT_NET_SIDE - 1 ? CUT_NET_SIDE - 1 : *a;
	*b = *b <= *a ? *a + 1 : *b > CUT_NET_SIDE ? CUT_NET_SIDE : *b;
	return 1;
}

/* Area-averages the network's map p (CUT_NET_SIDE square, stretched over the image
 * rectangle r of a W x H image) into the work cells whose centers lie in r. */
static void net_project(const float *p, const struct img_rect *r, int W, int H,
                        struct work *wk)
{
	int x, y, u, v, u0, u1, v0, v1;

	for (y = 0; y < wk->mh; y++) {
		if (!net_span((double)y * H / wk->mh, (double)(y + 1) * H / wk->mh, r->y, r->h,
		              &v0, &v1))
			continue;
		for (x = 0; x < wk->mw; x++) {
			double acc = 0;
			if (!net_span((double)x * W / wk->mw, (double)(x + 1) * W / wk->mw, r->x, r->w,
			              &u0, &u1))
				continue;
			for (v = v0; v < v1; v++)
				for (u = u0; u < u1; u++)
					acc += p[(size_t)v * CUT_NET_SIDE + u];
			wk->prob[(size_t)y * wk->mw + x] = (float)(acc / ((double)(v1 - v0) * (u1 - u0)));
		}
	}
}

/*
 * The network's opinion of the image (or of the roi) at work resolution, into
 * wk->prob. When the subject it finds covers little of the picture, the network runs
 * again on the subject's surroundings at its full input resolution (a small person in
 * a wide shot gets as many network pixels as a portrait), and that second opinion
 * replaces the first inside the zoomed rectangle.
 */
static enum err net_opinion(const struct img *src, struct work *wk, const int roi[4])
{
	int W = img_w(src), H = img_h(src), x, y, x1 = -1, y1 = -1;
	int x0 = roi[0] > 0 ? roi[0] : 0, y0 = roi[1] > 0 ? roi[1] : 0;
	struct img_rect r = { x0, y0, roi[2] - x0, roi[3] - y0 }, z;
	size_t m = (size_t)wk->mw * wk->mh;
	float *p = malloc(sizeof(float) * CUT_NET_SIDE * CUT_NET_SIDE);
	double mg;
	enum err e = ERR_NOMEM;

	wk->prob = calloc(m, sizeof *wk->prob);
	if (!p || !wk->prob)
		goto out;
	if ((e = cut_net_run(src, &r, p)))
		goto out;
	net_project(p, &r, W, H, wk);
	/* The subject's box on the work grid. */
	x0 = wk->mw;
	y0 = wk->mh;
	for (y = 0; y < wk->mh; y++)
		for (x = 0; x < wk->mw; x++)
			if (wk->prob[(size_t)y * wk->mw + x] >= 0.5f) {
				x0 = x < x0 ? x : x0;
				x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0;
				y1 = y > y1 ? y : y1;
			}
	if (x1 < 0)
		goto out;
	/* In image pixels, with a margin of ZOOM_MARGIN of its larger side. */
	z.x = (int)((double)x0 * W / wk->mw);
	z.y = (int)((double)y0 * H / wk->mh);
	z.w = (int)ceil((double)(x1 + 1) * W / wk->mw) - z.x;
	z.h = (int)ceil((double)(y1 + 1) * H / wk->mh) - z.y;
	mg = ZOOM_MARGIN * (z.w > z.h ? z.w : z.h);
	x0 = (int)fmax(r.x, z.x - mg);
	y0 = (int)fmax(r.y, z.y - mg);
	x1 = (int)fmin(r.x + r.w, z.x + z.w + mg);
	y1 = (int)fmin(r.y + r.h, z.y + z.h + mg);
	z = (struct img_rect){ x0, y0, x1 - x0, y1 - y0 };
	if ((double)z.w * z.h > ZOOM_AREA * (double)r.w * r.h || z.w < 16 || z.h < 16)
		goto out;
	if ((e = cut_net_run(src, &z, p)))
		goto out;
	net_project(p, &z, W, H, wk);
out:
	free(p);
	return e;
}

/*
 * The segmentation from the network's opinion. Each pixel's cost is a sum of log-odds,
 * as independent pieces of evidence combine: the network's, and the color models'
 * log-likelihood ratio. The color models are fit where the network is sure, except on
 * a plain backdrop, where the classical segmentation's models (fit to the frame, which
 * is then known to be backdrop) are better evidence than the network's, which can miss
 * a subject that fills the frame; a person is the network's call even there (it was
 * trained on people; a white shirt on a white wall is not backdrop). When the network
 * sees no subject at all it says nothing of where one is, and the classical
 * segmentation stands alone. The contrast-sensitive graph cut then puts the boundary
 * on the picture's edges; the roi (hard) holds. Fills wk->unary, lab, no_subject;
 * wk->prob must be set.
 */
static enum err segment_net(struct work *wk, const uint8_t *hard, enum img_cut_type type)
{
	size_t m = (size_t)wk->mw * wk->mh, i, nfg = 0;
	uint8_t *sel = malloc(m);
	int32_t *tcap = malloc(m * sizeof *tcap);
	struct cut_gmm fg, bg;
	struct work cw = *wk;      /* the classical segmentation: shares rgb and ncap */
	int colors = 0, classical;
	enum err e = ERR_NOMEM;

	cw.unary = NULL;
	cw.lab = NULL;
	cw.prob = NULL;
	wk->unary = malloc(m * sizeof *wk->unary);
	wk->lab = calloc(m, 1);
	if (!sel || !tcap || !wk->unary || !wk->lab)
		goto out;
	if ((e = segment(&cw, hard, type)))
		goto out;
	e = ERR_NOMEM;
	for (i = 0; i < m && wk->prob[i] < 0.5f; i++)
		;
	if (i == m) {
		memcpy(wk->unary, cw.unary, m * sizeof *wk->unary);
		memcpy(wk->lab, cw.lab, m);
		wk->no_subject = cw.no_subject;
		e = ERR_OK;
		goto out;
	}
	classical = cw.plain && type != IMG_CUT_PERSON;
	if (!classical) {
		for (i = 0; i < m; i++)
			sel[i] = hard && hard[i] == CUT_OUT_ROI ? 2 : wk->prob[i] >= NET_SURE ? 1 :
			         wk->prob[i] <= 1 - NET_SURE ? 0 : 2;
		colors = fit_both(&fg, &bg, wk->rgb, m, sel);
	}
	for (i = 0; i < m; i++) {
		double p = fmin(fmax(wk->prob[i], NET_EPS), 1 - NET_EPS), d = log(p / (1 - p));
		if (classical)
			d += (double)cw.unary[i] / CUT_SCALE;
		else if (colors)
			d += cut_gmm_nll(&bg, wk->rgb + 3 * i) - cut_gmm_nll(&fg, wk->rgb + 3 * i);
		d *= CUT_SCALE;
		wk->unary[i] = d > BAND_COST ? BAND_COST : d < -BAND_COST ? -BAND_COST : (int32_t)lround(d);
	}
	terminals(wk->unary, hard, m, tcap);
	if ((e = cut_maxflow(wk->mw, wk->mh, tcap, wk->ncap, wk->lab)))
		goto out;
	if (cut_clean(wk->lab, wk->mw, wk->mh, hard, 0) < 0) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < m; i++)
		nfg += wk->lab[i];
	wk->no_subject = nfg == 0;
	e = ERR_OK;
out:
	free(cw.unary);
	free(cw.lab);
	free(sel);
	free(tcap);
	return e;
}

/* The bounding box of alpha > 0 and the no-subject flag. */
static void finish(struct img *out, struct img_rect *bbox, int *flags)
{
	int W = img_w(out), H = img_h(out), x, y, x0 = W, y0 = H, x1 = -1, y1 = -1;

	for (y = 0; y < H; y++) {
		const uint8_t *a = out->alpha + (size_t)y * W;
		for (x = 0; x < W; x++)
			if (a[x]) {
				if (x < x0)
					x0 = x;
				if (x > x1)
					x1 = x;
				if (y < y0)
					y0 = y;
				y1 = y;
			}
	}
	if (x1 < 0) {
		*flags |= IMG_CUT_NO_SUBJECT;
		bbox->x = bbox->y = bbox->w = bbox->h = 0;
		return;
	}
	bbox->x = x0;
	bbox->y = y0;
	bbox->w = x1 - x0 + 1;
	bbox->h = y1 - y0 + 1;
}

enum err img_cutout_why(const struct img *src, const struct img_cutout_opts *o,
                        struct img *out, struct img_rect *bbox, int *flags,
                        char *why, size_t n)
{
	int W = img_w(src), H = img_h(src), roi[4] = { 0, 0, 0, 0 }, x, y, which, hinted, neural;
	struct work *wk = NULL;
	uint8_t *full = NULL, *hard = NULL;
	int32_t *tcap = NULL;
	size_t N = (size_t)W * H, m, i;
	uint64_t key;
	enum err e;

	if (why && n)
		why[0] = 0;
	memset(out, 0, sizeof *out);
	*flags = 0;
	memset(bbox, 0, sizeof *bbox);
	if (o->has_roi && (e = roi_resolve(o, W, H, roi, why, n)))
		return e;
	if (!o->has_roi) {
		roi[2] = W;
		roi[3] = H;
	}
	hinted = o->nstrokes > 0 || o->hint_plane || o->hint_mask_len > 0;
	e = ERR_NOMEM;
	out->gd = gdImageCreateTrueColor(W, H);
	out->alpha = malloc(N);
	if (!out->gd || !out->alpha)
		goto out;
	/* Full-resolution hard labels: the hint mask, the strokes, outside the roi. */
	if (hinted || o->has_roi) {
		full = calloc(N, 1);
		if (!full)
			goto out;
		if ((o->hint_plane || o->hint_mask_len > 0) &&
		    (e = hint_plane(o, W, H, full, why, n)))
			goto out;
		if ((e = draw_strokes(o, full, W, H)))
			goto out;
		for (y = 0; y < H; y++)
			for (x = 0; x < W; x++)
				if (x < roi[0] || x >= roi[2] || y < roi[1] || y >= roi[3])
					full[(size_t)y * W + x] = CUT_HARD_BG;
	}
	e = ERR_NOMEM;
	if (src->alpha && !o->ignore_alpha) {
		for (i = 0; i < N && src->alpha[i] == 255; i++)
			;
		if (i < N) {
			for (y = 0; y < H; y++)
				memcpy(out->gd->tpixels[y], src->gd->tpixels[y], sizeof(int) * (size_t)W);
			memcpy(out->alpha, src->alpha, N);
			*flags |= IMG_CUT_KEPT_ALPHA;
			goto hard_labels;
		}
	}
	if ((which = cut_key_detect(src))) {
		cut_key(src, which, o->hard_edges, out);
		*flags |= IMG_CUT_KEYED;
		goto hard_labels;
	}
	/* A kept opinion stands for the network: no need to load it. */
	neural = (o->opinion && o->opinion_len) || img_net_ready(NULL, 0);
	key = pixel_key(src, (uint64_t)neural << 62 ^ (uint64_t)o->type * 0x51ed27 ^
	                     ((uint64_t)roi[0] << 48 ^ (uint64_t)roi[1] << 32 ^
	                      (uint64_t)roi[2] << 16 ^ (uint64_t)roi[3]));
	wk = o->no_cache ? NULL : cache_take(key);
	if (wk) {
		*flags |= IMG_CUT_CACHED;
	} else {
		uint8_t *rh = NULL;
		wk = calloc(1, sizeof *wk);
		if (!wk || (e = downscale(src, wk)))
			goto out;
		wk->key = key;
		m = (size_t)wk->mw * wk->mh;
		wk->ncap = malloc(4 * m * sizeof *wk->ncap);
		if (!wk->ncap)
			goto out;
		cut_graph_edges(wk->mw, wk->mh, wk->rgb, GAMMA, wk->ncap);
		/* The automatic result honours the roi only (hints come below). */
		if (o->has_roi) {
			rh = calloc(m, 1);
			if (!rh)
				goto out;
			for (y = 0; y < wk->mh; y++)
				for (x = 0; x < wk->mw; x++) {
					double cx = (x + 0.5) * W / wk->mw, cy = (y + 0.5) * H / wk->mh;
					if (cx < roi[0] || cx >= roi[2] || cy < roi[1] || cy >= roi[3])
						rh[(size_t)y * wk->mw + x] = CUT_OUT_ROI;
				}
		}
		if (neural && o->opinion && o->opinion_len &&
		    cut_opinion_decode(o->opinion, o->opinion_len, wk->mw, wk->mh, &wk->prob)) {
			/* It does not fit (another size): ask the network itself. */
			neural = img_net_ready(NULL, 0);
		}
		if (neural && !wk->prob && (e = net_opinion(src, wk, roi))) {
			if (e == ERR_NOMEM) {
				free(rh);
				goto out;
			}
			neural = 0;        /* the network failed after all: the classical engine */
			free(wk->prob);
			wk->prob = NULL;
		}
		e = neural ? segment_net(wk, rh, o->type) : segment(wk, rh, o->type);
		free(rh);
		if (e)
			goto out;
	}
	if (wk->prob)
		*flags |= IMG_CUT_NEURAL;
	if (wk->prob && o->opinion_out && !*o->opinion_out &&
	    (e = cut_opinion_encode(wk->prob, wk->mw, wk->mh, o->opinion_out, o->opinion_out_len)))
		goto out;
	m = (size_t)wk->mw * wk->mh;
	if (hinted) {
		/* One more cut with the hints as hard labels on the cached model costs. */
		uint8_t *lab = malloc(m);
		hard = calloc(m, 1);
		tcap = malloc(m * sizeof *tcap);
		if (!lab || !hard || !tcap) {
			free(lab);
			goto out;
		}
		for (y = 0; y < wk->mh; y++)
			for (x = 0; x < wk->mw; x++) {
				int X0 = (int)((long)x * W / wk->mw), X1 = (int)((long)(x + 1) * W / wk->mw);
				int Y0 = (int)((long)y * H / wk->mh), Y1 = (int)((long)(y + 1) * H / wk->mh);
				int fgc = 0, bgc = 0, X, Y;
				for (Y = Y0; Y < (Y1 > Y0 ? Y1 : Y0 + 1); Y++)
					for (X = X0; X < (X1 > X0 ? X1 : X0 + 1); X++) {
						fgc += full[(size_t)Y * W + X] == CUT_HARD_FG;
						bgc += full[(size_t)Y * W + X] == CUT_HARD_BG;
					}
				hard[(size_t)y * wk->mw + x] = fgc > bgc ? CUT_HARD_FG : bgc ? CUT_HARD_BG : CUT_FREE;
			}
		terminals(wk->unary, hard, m, tcap);
		if ((e = cut_maxflow(wk->mw, wk->mh, tcap, wk->ncap, lab)) ||
		    cut_clean(lab, wk->mw, wk->mh, hard, 0) < 0) {
			free(lab);
			e = e ? e : ERR_NOMEM;
			goto out;
		}
		e = cut_matte(src, wk->rgb, lab, NULL, wk->mw, wk->mh, o->hard_edges, out);
		free(lab);
	} else {
		e = cut_matte(src, wk->rgb, wk->lab, NULL, wk->mw, wk->mh, o->hard_edges, out);
	}
	if (e)
		goto out;
hard_labels:
	if (full) {
		for (i = 0; i < N; i++) {
			if (full[i] == CUT_HARD_FG)
				out->alpha[i] = 255;
			else if (full[i] == CUT_HARD_BG)
				out->alpha[i] = 0;
		}
	}
	finish(out, bbox, flags);
	e = ERR_OK;
out:
	if (wk) {
		if (e || o->no_cache)
			work_free(wk);
		else
			cache_put(wk);
	}
	free(full);
	free(hard);
	free(tcap);
	if (e) {
		img_free(out);
		*flags = 0;
	}
	return e;
}

const char *img_cut_engine(int flags)
{
	return flags & IMG_CUT_REMOTE ? "remote" : flags & IMG_CUT_KEPT_ALPHA ? "own-alpha" :
	       flags & IMG_CUT_KEYED ? "chroma-key" : flags & IMG_CUT_NEURAL ? img_net_model() :
	       "classical";
}

enum err img_cutout(const struct img *src, const struct img_cutout_opts *o,
                    struct img *out, struct img_rect *bbox, int *flags)
{
	return img_cutout_why(src, o, out, bbox, flags, NULL, 0);
}
