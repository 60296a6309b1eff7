/* cut_model.c: the color models of the cutout: Gaussian mixtures over RGB.
 *
 * Why: GrabCut's models (Rother et al. 2004) are mixtures of a few full-covariance
 * Gaussians; they capture a studio backdrop's gradient and a product's two or three
 * materials well enough for the graph cut, cost little to evaluate, and have a
 * deterministic fit: Orchard-Bouman principal-axis splitting (no random k-means
 * seeds), then two rounds of hard assignment as GrabCut does. Samples are taken on
 * a fixed stride so a fit costs the same on any image size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cut.h"

#define FIT_SAMPLES 24000   /* at most this many colors per fit */
#define COV_REG     6.0     /* added to the covariance diagonal: JPEG noise floor */
#define NLL_MAX     60.0f

struct acc {
	double n, s[3], ss[9];
};

static void acc_add(struct acc *a, const float *c)
{
	int i, j;

	a->n++;
	for (i = 0; i < 3; i++) {
		a->s[i] += c[i];
		for (j = 0; j < 3; j++)
			a->ss[3 * i + j] += (double)c[i] * c[j];
	}
}

/* Mean and covariance of an accumulator (regularised). */
static void acc_stats(const struct acc *a, double mu[3], double cov[9])
{
	int i, j;

	for (i = 0; i < 3; i++)
		mu[i] = a->n > 0 ? a->s[i] / a->n : 0;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			cov[3 * i + j] = (a->n > 0 ? a->ss[3 * i + j] / a->n : 0) - mu[i] * mu[j] +
			                 (i == j ? COV_REG : 0);
}

double cut_adj3(const double m[9], double r[9])
{
	r[0] = m[4] * m[8] - m[5] * m[7];
	r[1] = m[2] * m[7] - m[1] * m[8];
	r[2] = m[1] * m[5] - m[2] * m[4];
	r[3] = m[5] * m[6] - m[3] * m[8];
	r[4] = m[0] * m[8] - m[2] * m[6];
	r[5] = m[2] * m[3] - m[0] * m[5];
	r[6] = m[3] * m[7] - m[4] * m[6];
	r[7] = m[1] * m[6] - m[0] * m[7];
	r[8] = m[0] * m[4] - m[1] * m[3];
	return m[0] * r[0] + m[1] * r[3] + m[2] * r[6];
}

/* Inverts a symmetric 3x3 matrix; returns its determinant (<= 0: singular). */
static double inv3(const double m[9], double r[9])
{
	double d = cut_adj3(m, r);

	if (d > 1e-12) {
		int i;
		for (i = 0; i < 9; i++)
			r[i] /= d;
	}
	return d;
}

/* The principal axis of a covariance by power iteration (deterministic start). */
static double principal(const double cov[9], double e[3])
{
	double v[3] = { 1, 0.9, 0.8 }, t[3], l = 0;
	int it, i;

	for (it = 0; it < 24; it++) {
		for (i = 0; i < 3; i++)
			t[i] = cov[3 * i] * v[0] + cov[3 * i + 1] * v[1] + cov[3 * i + 2] * v[2];
		l = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
		if (l < 1e-12)
			break;
		for (i = 0; i < 3; i++)
			v[i] = t[i] / l;
	}
	memcpy(e, v, sizeof v);
	return l;
}

/* Sets g from per-cluster accumulators. */
static void gmm_set(struct cut_gmm *g, const struct acc *a, int k, double total)
{
	double cov[9], d;
	int c;

	g->k = 0;
	for (c = 0; c < k; c++) {
		if (a[c].n < 1)
			continue;
		acc_stats(&a[c], g->mu[g->k], cov);
		d = inv3(cov, g->ic[g->k]);
		if (d <= 1e-12)
			continue;
		g->lc[g->k] = log(a[c].n / total) - 0.5 * log(d) - 1.5 * log(2 * M_PI);
		g->k++;
	}
}

float cut_gmm_nll(const struct cut_gmm *g, const float *c)
{
	double best = -1e300, s = 0, q[CUT_K], d0, d1, d2;
	const double *ic;
	int k;

	for (k = 0; k < g->k; k++) {
		ic = g->ic[k];
		d0 = c[0] - g->mu[k][0];
		d1 = c[1] - g->mu[k][1];
		d2 = c[2] - g->mu[k][2];
		q[k] = g->lc[k] - 0.5 * (d0 * (ic[0] * d0 + ic[1] * d1 + ic[2] * d2) +
		                         d1 * (ic[3] * d0 + ic[4] * d1 + ic[5] * d2) +
		                         d2 * (ic[6] * d0 + ic[7] * d1 + ic[8] * d2));
		if (q[k] > best)
			best = q[k];
	}
	if (!g->k)
		return NLL_MAX;
	(void)s;
	s = -best;   /* the best component: GrabCut's own approximation, no exp/log */
	if (s > NLL_MAX)
		return NLL_MAX;
	if (s < -NLL_MAX)
		return -NLL_MAX;
	return (float)s;
}

/* The most likely component of c under g. */
static int gmm_comp(const struct cut_gmm *g, const float *c)
{
	double best = -1e300, q, d0, d1, d2;
	const double *ic;
	int k, bk = 0;

	for (k = 0; k < g->k; k++) {
		ic = g->ic[k];
		d0 = c[0] - g->mu[k][0];
		d1 = c[1] - g->mu[k][1];
		d2 = c[2] - g->mu[k][2];
		q = g->lc[k] - 0.5 * (d0 * (ic[0] * d0 + ic[1] * d1 + ic[2] * d2) +
		                      d1 * (ic[3] * d0 + ic[4] * d1 + ic[5] * d2) +
		                      d2 * (ic[6] * d0 + ic[7] * d1 + ic[8] * d2));
		if (q > best) {
			best = q;
			bk = k;
		}
	}
	return bk;
}

size_t cut_gmm_fit(struct cut_gmm *g, const float *rgb, size_t n, const uint8_t *sel,
                   uint8_t val)
{
	struct acc a[CUT_K];
	float *smp = NULL;
	uint8_t *cl = NULL;
	size_t cnt = 0, m = 0, i, stride;
	double mu[3], cov[9], e[3], l, bl;
	int k, c, worst, it;

	g->k = 0;
	for (i = 0; i < n; i++)
		if (!sel || sel[i] == val)
			cnt++;
	if (!cnt)
		return 0;
	stride = cnt / FIT_SAMPLES + 1;
	smp = malloc(sizeof(float) * 3 * (cnt / stride + 1));
	cl = calloc(cnt / stride + 1, 1);
	if (!smp || !cl)
		goto out;
	for (i = 0, cnt = 0; i < n; i++) {
		if (sel && sel[i] != val)
			continue;
		if (cnt++ % stride == 0) {
			memcpy(smp + 3 * m, rgb + 3 * i, sizeof(float) * 3);
			m++;
		}
	}
	/* Principal-axis splitting into up to CUT_K clusters. */
	memset(a, 0, sizeof a);
	for (i = 0; i < m; i++)
		acc_add(&a[0], smp + 3 * i);
	for (k = 1; k < CUT_K; k++) {
		worst = -1;
		bl = 1.0;
		for (c = 0; c < k; c++) {
			if (a[c].n < 2)
				continue;
			acc_stats(&a[c], mu, cov);
			l = principal(cov, e);
			if (l > bl) {
				bl = l;
				worst = c;
			}
		}
		if (worst < 0)
			break;
		acc_stats(&a[worst], mu, cov);
		principal(cov, e);
		memset(&a[worst], 0, sizeof a[worst]);
		memset(&a[k], 0, sizeof a[k]);
		for (i = 0; i < m; i++) {
			const float *p = smp + 3 * i;
			if (cl[i] != worst)
				continue;
			if ((p[0] - mu[0]) * e[0] + (p[1] - mu[1]) * e[1] + (p[2] - mu[2]) * e[2] > 0)
				cl[i] = (uint8_t)k;
			acc_add(&a[cl[i]], p);
		}
	}
	gmm_set(g, a, k, (double)m);
	/* Hard-assignment refinement. */
	for (it = 0; it < 2 && g->k > 1; it++) {
		int kk = g->k;
		memset(a, 0, sizeof a);
		for (i = 0; i < m; i++)
			acc_add(&a[gmm_comp(g, smp + 3 * i)], smp + 3 * i);
		gmm_set(g, a, kk, (double)m);
	}
out:
	free(smp);
	free(cl);
	return g->k ? m : 0;
}
