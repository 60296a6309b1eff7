/* score.c: `backdrop score`: the project's cutout quality scorer (IoU, MAE, edge MAE
 * against ground-truth masks, as the data sets' README defines them). */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "cli.h"

#define EDGE_RADIUS 10   /* edge MAE: pixels within this distance of the truth's boundary */

/*
 * Reads a PNG into an 8-bit plane: its alpha when it has an alpha channel (or a tRNS
 * chunk), else its gray level. *p is malloc'd (caller frees). Returns 1 or 0.
 */
static int read_plane(const char *path, uint8_t **p, int *w, int *h)
{
	png_image im;
	uint8_t *buf = NULL;
	size_t i, n;
	int alpha;

	memset(&im, 0, sizeof im);
	im.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&im, path))
		return 0;
	alpha = (im.format & PNG_FORMAT_FLAG_ALPHA) != 0;
	im.format = PNG_FORMAT_GA;
	n = (size_t)im.width * im.height;
	buf = malloc(2 * n);
	if (!buf || !png_image_finish_read(&im, NULL, buf, 0, NULL)) {
		free(buf);
		png_image_free(&im);
		return 0;
	}
	for (i = 0; i < n; i++)
		buf[i] = buf[2 * i + (alpha ? 1 : 0)];
	*p = buf;
	*w = (int)im.width;
	*h = (int)im.height;
	return 1;
}

/* Finds DIR/BASE.* (a PNG) for base; writes the path into out. Returns 1 or 0. */
static int find_pred(const char *dir, const char *base, char *out, size_t n)
{
	static const char *ext[] = { "png", "PNG" };
	FILE *f;
	size_t i;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(out, n, "%s/%s.%s", dir, base, ext[i]);
		if ((f = fopen(out, "rb"))) {
			fclose(f);
			return 1;
		}
	}
	return 0;
}

struct score {
	double iou, mae, edge;
};

/*
 * Scores prediction pr against truth tr (w x h) with ignore plane ig (may be NULL;
 * 255 = excluded). IoU at 128 (1 when both are empty), MAE over counted pixels, edge
 * MAE over counted pixels within EDGE_RADIUS of a truth boundary (0 when none).
 */
static int score_plane(const uint8_t *tr, const uint8_t *pr, const uint8_t *ig, int w, int h,
                       struct score *s)
{
	size_t n = (size_t)w * h, i, inter = 0, uni = 0, cnt = 0, ecnt = 0;
	uint8_t *edge = calloc(n, 1);
	double sum = 0, esum = 0, d;
	int x, y, dx, dy, R = EDGE_RADIUS;

	if (!edge)
		return 0;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			size_t p = (size_t)y * w + x;
			int t = tr[p] >= 128, b = 0;
			if (x + 1 < w && (tr[p + 1] >= 128) != t)
				b = 1;
			if (y + 1 < h && (tr[p + w] >= 128) != t)
				b = 1;
			if (!b)
				continue;
			for (dy = -R; dy <= R; dy++)
				for (dx = -R; dx <= R; dx++)
					if (dx * dx + dy * dy <= R * R && x + dx >= 0 && x + dx < w &&
					    y + dy >= 0 && y + dy < h)
						edge[(size_t)(y + dy) * w + x + dx] = 1;
		}
	for (i = 0; i < n; i++) {
		if (ig && ig[i] == 255)
			continue;
		inter += tr[i] >= 128 && pr[i] >= 128;
		uni += tr[i] >= 128 || pr[i] >= 128;
		d = fabs(tr[i] / 255.0 - pr[i] / 255.0);
		sum += d;
		cnt++;
		if (edge[i]) {
			esum += d;
			ecnt++;
		}
	}
	free(edge);
	s->iou = uni ? (double)inter / uni : 1.0;
	s->mae = cnt ? sum / cnt : 0;
	s->edge = ecnt ? esum / ecnt : 0;
	return 1;
}

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: backdrop score [--per-image] DATASET PRED_DIR\n"
	        "  Compares the predictions in PRED_DIR (NAME.png: its alpha, or its gray level\n"
	        "  when it has none) with DATASET/masks/NAME.png, excluding the pixels that are\n"
	        "  255 in DATASET/ignore/NAME.png. Prints IoU (both thresholded at 128), MAE and\n"
	        "  edge MAE (within 10 px of the truth's boundary), 0..1, as means over the set\n"
	        "  and per image with --per-image. A missing or unreadable prediction scores as\n"
	        "  an all-transparent one and makes the exit status 1.\n");
	return f == stdout ? 0 : 2;
}

int cmd_score(int argc, char **argv)
{
	const char *ds = NULL, *pd = NULL;
	char path[4096], base[1024];
	struct dirent **ents = NULL;
	struct score s, tot = { 0, 0, 0 };
	int per = 0, a, k, i, count = 0, bad = 0, tw, th, pw, ph, iw, ih;
	uint8_t *tr, *pr, *ig;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			return usage(stdout);
		if (!strcmp(argv[a], "--per-image"))
			per = 1;
		else if (argv[a][0] == '-')
			return usage(stderr);
		else if (!ds)
			ds = argv[a];
		else if (!pd)
			pd = argv[a];
		else
			return usage(stderr);
	}
	if (!ds || !pd)
		return usage(stderr);
	snprintf(path, sizeof path, "%s/masks", ds);
	k = scandir(path, &ents, NULL, alphasort);
	if (k < 0) {
		fprintf(stderr, "backdrop score: cannot read %s\n", path);
		return 1;
	}
	if (per)
		printf("%-40s %7s %7s %7s\n", "image", "IoU", "MAE", "edgeMAE");
	for (i = 0; i < k; i++) {
		const char *nm = ents[i]->d_name, *dot = strrchr(nm, '.');
		tr = pr = ig = NULL;
		if (nm[0] == '.' || !dot || strcmp(dot, ".png"))
			goto next;
		snprintf(base, sizeof base, "%.*s", (int)(dot - nm), nm);
		snprintf(path, sizeof path, "%s/masks/%s", ds, nm);
		if (!read_plane(path, &tr, &tw, &th)) {
			fprintf(stderr, "backdrop score: %s: unreadable truth\n", path);
			bad = 1;
			goto next;
		}
		snprintf(path, sizeof path, "%s/ignore/%s", ds, nm);
		if (read_plane(path, &ig, &iw, &ih) && (iw != tw || ih != th)) {
			fprintf(stderr, "backdrop score: %s: ignore mask of another size, unused\n", path);
			free(ig);
			ig = NULL;
		}
		if (!find_pred(pd, base, path, sizeof path) || !read_plane(path, &pr, &pw, &ph) ||
		    pw != tw || ph != th) {
			fprintf(stderr, "backdrop score: %s: missing, unreadable or of another size "
			        "than %dx%d; scored as empty\n", base, tw, th);
			bad = 1;
			free(pr);
			pr = calloc((size_t)tw * th, 1);
			if (!pr)
				goto next;
		}
		if (!score_plane(tr, pr, ig, tw, th, &s)) {
			bad = 1;
			goto next;
		}
		if (per)
			printf("%-40s %7.4f %7.4f %7.4f\n", base, s.iou, s.mae, s.edge);
		tot.iou += s.iou;
		tot.mae += s.mae;
		tot.edge += s.edge;
		count++;
next:
		free(tr);
		free(pr);
		free(ig);
		free(ents[i]);
	}
	free(ents);
	if (!count) {
		fprintf(stderr, "backdrop score: no masks in %s/masks\n", ds);
		return 1;
	}
	printf("mean over %d images: IoU %.4f  MAE %.4f  edge MAE %.4f\n", count,
	       tot.iou / count, tot.mae / count, tot.edge / count);
	return bad ? 1 : 0;
}
