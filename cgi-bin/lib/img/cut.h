/* cut.h: the interfaces between the cutout stages (internal to cutout.c and cut_*.c). */
#ifndef BACKDROP_CUT_H
#define BACKDROP_CUT_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct img;
struct img_rect;

#define CUT_K     5            /* Gaussian components per color model */
#define CUT_INF   (1 << 26)    /* a terminal capacity that is never cut: a hard constraint */
#define CUT_SCALE 16.0         /* energies (nats) to integer capacities */

/* A Gaussian mixture over RGB (0..255): weights, means, inverse covariances and the
 * per-component log normalisers (log weight - log det / 2 - 3 log(2 pi) / 2). */
struct cut_gmm {
	int k;
	double mu[CUT_K][3];
	double ic[CUT_K][9];
	double lc[CUT_K];
};

/* Hard labels of the work grid (hints, roi) and the segmentation labels. */
enum { CUT_FREE = 0, CUT_HARD_FG = 1, CUT_HARD_BG = 2, CUT_OUT_ROI = 3 };

/* cut_model.c */
/* Fits g to the colors rgb[3 i] with sel[i] == val (every pixel when sel is NULL),
 * deterministically (principal-axis splitting, then hard-assignment refinement), over
 * at most a fixed sample budget. Returns the number of samples used (0: g unusable). */
size_t cut_gmm_fit(struct cut_gmm *g, const float *rgb, size_t n, const uint8_t *sel,
                   uint8_t val);
/* The negative log density of color c under g, clamped to a finite range. */
float cut_gmm_nll(const struct cut_gmm *g, const float *c);

/* cut_graph.c */
/* The contrast-sensitive 8-neighbour smoothness weights of a w x h RGB grid: ncap[4 i
 * + d] for the arcs to the right, down, down-right and down-left neighbours (0 outside),
 * gamma * exp(-beta |dI|^2) / distance, as integers (CUT_SCALE). ncap holds 4 w h. */
void cut_graph_edges(int w, int h, const float *rgb, double gamma, int32_t *ncap);
/*
 * Minimum cut of the grid by max-flow (Boykov-Kolmogorov search trees): tcap[i] > 0 is
 * the cost of labelling pixel i background, < 0 (minus) the cost of foreground; ncap as
 * made by cut_graph_edges(). Writes lab[i] = 1 (foreground) or 0. ERR_NOMEM.
 */
enum err cut_maxflow(int w, int h, const int32_t *tcap, const int32_t *ncap, uint8_t *lab);

/* cut_clean.c */
/* Cleans a 0/1 label grid in place: drops foreground islands much smaller than the
 * largest (with center, also islands under half of it that miss the middle third),
 * fills small background holes; never changes a pixel hard[] fixes (hard may be NULL).
 * Returns the foreground pixel count, or -1 on ERR_NOMEM. */
long cut_clean(uint8_t *lab, int w, int h, const uint8_t *hard, int center);

/* cut_model.c */
/* Writes the adjugate of the 3x3 matrix m (row-major) into r and returns m's
 * determinant, so that m's inverse is r / det when det is not 0. */
double cut_adj3(const double m[9], double r[9]);

/* cut_matte.c */
/*
 * From a 0/1 label grid lab of mw x mh (with its colors rgb), or a soft one (soft, 0..1,
 * used instead when not NULL), to the full-resolution matte in out->alpha and
 * foreground colors in out->gd (out is src's size, colors a copy of src): a color
 * guided filter in a narrow band around the boundary, upsampled as a fast guided
 * filter, then blur-fusion foreground estimation. hard_edges: a binary matte. ERR_NOMEM.
 */
enum err cut_matte(const struct img *src, const float *rgb, const uint8_t *lab,
                   const float *soft, int mw, int mh, int hard_edges, struct img *out);

/* cut_net.c */
#define CUT_NET_SIDE 1024      /* the network's input and output side, pixels */
/* Runs the network on the rectangle r of src (inside it, w and h > 0), resized to
 * CUT_NET_SIDE square; writes the foreground probability (0..1) of each of the
 * CUT_NET_SIDE^2 output pixels into p. ERR_UNSUPPORTED when no network can be loaded
 * (img_net_ready() says why), ERR_NOMEM, ERR_INTERNAL when the run fails. */
enum err cut_net_run(const struct img *src, const struct img_rect *r, float *p);
/* The network's opinion at work resolution (w x h probabilities) as bytes to keep: an
 * 8-bit gray PNG of the log-odds (malloc'd *out), and back (malloc'd *prob). Decoding
 * refuses (ERR_BAD_FIELD) bytes of another size; other errors as img_matte_load. */
enum err cut_opinion_encode(const float *prob, int w, int h, void **out, size_t *len);
enum err cut_opinion_decode(const void *bytes, size_t len, int w, int h, float **prob);

/* cut_key.c */
/* Detects a green (1) or blue (2) screen from the border of src; 0 when none. */
int cut_key_detect(const struct img *src);
/* Keys out the screen `which` into out (src's size): alpha from the color difference,
 * colors with the spill of the screen color removed. */
void cut_key(const struct img *src, int which, int hard_edges, struct img *out);

#endif
