/* cut_graph.c: the cutout's graph cut: contrast-sensitive grid edges and a max-flow.
 *
 * Why: the minimum cut of a grid whose terminal arcs carry the color models' costs
 * and whose neighbour arcs are cheap across strong edges (Boykov-Jolly 2001, GrabCut)
 * gives the globally best binary labelling for that energy, so the boundary snaps to
 * the photo's contours. Boykov-Kolmogorov's search-tree max-flow (PAMI 2004) is the
 * fastest known on such short-path vision grids; this one is specialised to an
 * 8-connected grid (arcs are implicit neighbour offsets, no edge lists), with integer
 * capacities so saturation tests are exact and the result is deterministic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cut.h"

enum { P_TERM = 8, P_ORPH = 9, P_NONE = 10 };
enum { T_FREE = 0, T_S = 1, T_T = 2 };

/* Arc k joins (x, y) to (x + DX[k], y + DY[k]); arc k ^ 1 is its reverse. */
static const int DX[8] = { 1, -1, 0, 0, 1, -1, -1, 1 };
static const int DY[8] = { 0, 0, 1, -1, 1, -1, 1, -1 };

void cut_graph_edges(int w, int h, const float *rgb, double gamma, int32_t *ncap)
{
	static const int ex[4] = { 1, 0, 1, -1 }, ey[4] = { 0, 1, 1, 1 };
	double sum = 0, beta, d2, v;
	long cnt = 0;
	int x, y, d, xx, yy;
	size_t i, j;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (d = 0; d < 2; d++) {
				xx = x + ex[d];
				yy = y + ey[d];
				if (xx >= w || yy >= h)
					continue;
				i = 3 * ((size_t)y * w + x);
				j = 3 * ((size_t)yy * w + xx);
				sum += (rgb[i] - rgb[j]) * (rgb[i] - rgb[j]) +
				       (rgb[i + 1] - rgb[j + 1]) * (rgb[i + 1] - rgb[j + 1]) +
				       (rgb[i + 2] - rgb[j + 2]) * (rgb[i + 2] - rgb[j + 2]);
				cnt++;
			}
	beta = cnt && sum > 0 ? 1.0 / (2.0 * sum / cnt) : 0;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (d = 0; d < 4; d++) {
				xx = x + ex[d];
				yy = y + ey[d];
				i = (size_t)y * w + x;
				if (xx < 0 || xx >= w || yy >= h) {
					ncap[4 * i + d] = 0;
					continue;
				}
				j = (size_t)yy * w + xx;
				d2 = (rgb[3 * i] - rgb[3 * j]) * (rgb[3 * i] - rgb[3 * j]) +
				     (rgb[3 * i + 1] - rgb[3 * j + 1]) * (rgb[3 * i + 1] - rgb[3 * j + 1]) +
				     (rgb[3 * i + 2] - rgb[3 * j + 2]) * (rgb[3 * i + 2] - rgb[3 * j + 2]);
				v = gamma * exp(-beta * d2) / (d >= 2 ? M_SQRT2 : 1.0);
				ncap[4 * i + d] = (int32_t)lround(v * CUT_SCALE);
			}
}

struct bk {
	int w, h;
	size_t n;
	int32_t *rc, *tr, *ts, *dist;
	int32_t *q, *orph;
	size_t qh, qt, oh, ot;
	int8_t *par;
	uint8_t *tree, *inq, *valid;
	long off[8];
	int32_t time;
};

static void push_active(struct bk *g, int32_t i)
{
	if (g->inq[i])
		return;
	g->inq[i] = 1;
	g->q[g->qt] = i;
	g->qt = (g->qt + 1) % (g->n + 1);
}

static int32_t pop_active(struct bk *g)
{
	int32_t i;

	if (g->qh == g->qt)
		return -1;
	i = g->q[g->qh];
	g->qh = (g->qh + 1) % (g->n + 1);
	g->inq[i] = 0;
	return i;
}

static void push_orphan(struct bk *g, int32_t i)
{
	g->par[i] = P_ORPH;
	g->orph[g->ot] = i;
	g->ot = (g->ot + 1) % (g->n + 1);
}

#define RC(i, k) g->rc[8 * (size_t)(i) + (k)]
#define NB(i, k) ((int32_t)((i) + g->off[k]))
#define VALID(i, k) (g->valid[i] >> (k) & 1)

static void augment(struct bk *g, int32_t s, int32_t t, int ka)
{
	int32_t f = RC(s, ka), x, p;
	int k;

	for (x = s; g->par[x] != P_TERM; x = NB(x, g->par[x])) {
		k = g->par[x];
		if (RC(NB(x, k), k ^ 1) < f)
			f = RC(NB(x, k), k ^ 1);
	}
	if (g->tr[x] < f)
		f = g->tr[x];
	for (x = t; g->par[x] != P_TERM; x = NB(x, g->par[x]))
		if (RC(x, g->par[x]) < f)
			f = RC(x, g->par[x]);
	if (-g->tr[x] < f)
		f = -g->tr[x];
	RC(s, ka) -= f;
	RC(t, ka ^ 1) += f;
	for (x = s; g->par[x] != P_TERM; x = p) {
		k = g->par[x];
		p = NB(x, k);
		RC(p, k ^ 1) -= f;
		RC(x, k) += f;
		if (!RC(p, k ^ 1))
			push_orphan(g, x);
	}
	g->tr[x] -= f;
	if (!g->tr[x])
		push_orphan(g, x);
	for (x = t; g->par[x] != P_TERM && g->par[x] != P_ORPH; x = p) {
		k = g->par[x];
		p = NB(x, k);
		RC(x, k) -= f;
		RC(p, k ^ 1) += f;
		if (!RC(x, k))
			push_orphan(g, x);
	}
	if (g->par[x] == P_TERM) {
		g->tr[x] += f;
		if (!g->tr[x])
			push_orphan(g, x);
	}
}

static void adopt(struct bk *g)
{
	int32_t x, j, y, d, dmin;
	int k, best, tx;

	while (g->oh != g->ot) {
		x = g->orph[g->oh];
		g->oh = (g->oh + 1) % (g->n + 1);
		tx = g->tree[x];
		best = -1;
		dmin = INT32_MAX;
		for (k = 0; k < 8; k++) {
			if (!VALID(x, k))
				continue;
			j = NB(x, k);
			if (g->tree[j] != tx)
				continue;
			if ((tx == T_S ? RC(j, k ^ 1) : RC(x, k)) <= 0)
				continue;
			d = 0;
			for (y = j;; y = NB(y, g->par[y])) {
				if (g->ts[y] == g->time) {
					d += g->dist[y];
					break;
				}
				d++;
				if (g->par[y] == P_TERM) {
					g->ts[y] = g->time;
					g->dist[y] = 1;
					break;
				}
				if (g->par[y] == P_ORPH) {
					d = INT32_MAX;
					break;
				}
			}
			if (d == INT32_MAX)
				continue;
			if (d < dmin) {
				best = k;
				dmin = d;
			}
			for (y = j; g->ts[y] != g->time; y = NB(y, g->par[y])) {
				g->ts[y] = g->time;
				g->dist[y] = d--;
			}
		}
		if (best >= 0) {
			g->par[x] = (int8_t)best;
			g->ts[x] = g->time;
			g->dist[x] = dmin + 1;
			continue;
		}
		for (k = 0; k < 8; k++) {
			if (!VALID(x, k))
				continue;
			j = NB(x, k);
			if (g->tree[j] != tx)
				continue;
			if ((tx == T_S ? RC(j, k ^ 1) : RC(x, k)) > 0)
				push_active(g, j);
			if (g->par[j] < 8 && NB(j, g->par[j]) == x)
				push_orphan(g, j);
		}
		g->tree[x] = T_FREE;
		g->par[x] = P_NONE;
	}
}

enum err cut_maxflow(int w, int h, const int32_t *tcap, const int32_t *ncap, uint8_t *lab)
{
	static const int dk[4] = { 0, 2, 4, 6 };
	struct bk g0, *g = &g0;
	enum err e = ERR_NOMEM;
	int32_t i, j, cur = -1, s = 0, t = 0;
	int x, y, k, d, ka = 0, found;

	memset(g, 0, sizeof *g);
	g->w = w;
	g->h = h;
	g->n = (size_t)w * h;
	g->rc = calloc(8 * g->n, sizeof *g->rc);
	g->tr = malloc(g->n * sizeof *g->tr);
	g->ts = calloc(g->n, sizeof *g->ts);
	g->dist = calloc(g->n, sizeof *g->dist);
	g->q = malloc((g->n + 1) * sizeof *g->q);
	g->orph = malloc((g->n + 1) * sizeof *g->orph);
	g->par = malloc(g->n);
	g->tree = calloc(g->n, 1);
	g->inq = calloc(g->n, 1);
	g->valid = calloc(g->n, 1);
	if (!g->rc || !g->tr || !g->ts || !g->dist || !g->q || !g->orph || !g->par ||
	    !g->tree || !g->inq || !g->valid)
		goto out;
	for (k = 0; k < 8; k++)
		g->off[k] = (long)DY[k] * w + DX[k];
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			i = y * w + x;
			for (k = 0; k < 8; k++)
				if (x + DX[k] >= 0 && x + DX[k] < w && y + DY[k] >= 0 && y + DY[k] < h)
					g->valid[i] |= (uint8_t)(1 << k);
			for (d = 0; d < 4; d++) {
				if (!VALID(i, dk[d]))
					continue;
				j = NB(i, dk[d]);
				RC(i, dk[d]) = ncap[4 * (size_t)i + d];
				RC(j, dk[d] ^ 1) = ncap[4 * (size_t)i + d];
			}
			g->tr[i] = tcap[i];
			g->par[i] = P_NONE;
			if (tcap[i]) {
				g->tree[i] = tcap[i] > 0 ? T_S : T_T;
				g->par[i] = P_TERM;
				g->dist[i] = 1;
				push_active(g, i);
			}
		}
	for (;;) {
		if (cur < 0 || g->tree[cur] == T_FREE) {
			do
				cur = pop_active(g);
			while (cur >= 0 && g->tree[cur] == T_FREE);
			if (cur < 0)
				break;
		}
		i = cur;
		found = 0;
		for (k = 0; k < 8 && !found; k++) {
			if (!VALID(i, k))
				continue;
			j = NB(i, k);
			if (g->tree[i] == T_S) {
				if (RC(i, k) <= 0)
					continue;
				if (g->tree[j] == T_T) {
					s = i;
					t = j;
					ka = k;
					found = 1;
					break;
				}
			} else {
				if (RC(j, k ^ 1) <= 0)
					continue;
				if (g->tree[j] == T_S) {
					s = j;
					t = i;
					ka = k ^ 1;
					found = 1;
					break;
				}
			}
			if (g->tree[j] == T_FREE) {
				g->tree[j] = g->tree[i];
				g->par[j] = (int8_t)(k ^ 1);
				g->ts[j] = g->ts[i];
				g->dist[j] = g->dist[i] + 1;
				push_active(g, j);
			} else if (g->tree[j] == g->tree[i] && g->ts[j] <= g->ts[i] &&
			           g->dist[j] > g->dist[i]) {
				g->par[j] = (int8_t)(k ^ 1);
				g->ts[j] = g->ts[i];
				g->dist[j] = g->dist[i] + 1;
			}
		}
		if (!found) {
			cur = -1;
			continue;
		}
		g->time++;
		augment(g, s, t, ka);
		adopt(g);
	}
	for (i = 0; i < (int32_t)g->n; i++)
		lab[i] = g->tree[i] == T_S;
	e = ERR_OK;
out:
	free(g->rc);
	free(g->tr);
	free(g->ts);
	free(g->dist);
	free(g->q);
	free(g->orph);
	free(g->par);
	free(g->tree);
	free(g->inq);
	free(g->valid);
	return e;
}
