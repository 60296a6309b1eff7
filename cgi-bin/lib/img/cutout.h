/* cutout.h: automatic background removal: from a decoded photo to a soft alpha matte
 * with estimated foreground colors. (Owned by the cutout stages; see cutout*.c.) */
#ifndef BACKDROP_CUTOUT_H
#define BACKDROP_CUTOUT_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* img.h includes this header inside its own; the types come from there. */
struct img;
struct img_rect;

enum img_cut_type { IMG_CUT_AUTO, IMG_CUT_PRODUCT, IMG_CUT_PERSON, IMG_CUT__MAX };

/* Hard limits of the hint vocabulary (fixed; see also lim.h). */
#define CUT_MAX_STROKES      64      /* strokes in one hint_strokes list */
#define CUT_MAX_POINTS       2048    /* points over all strokes of one list */
#define CUT_MAX_STROKE_WIDTH 2000    /* pixels; the width of one stroke */
#define CUT_MAX_COORD        1000000 /* |x|, |y| of a stroke point or roi corner, pixels */
#define CUT_MAX_STROKES_JSON 65536   /* bytes of the hint_strokes text */

/* One hint stroke: a polyline of npts points (x, y in image pixels, may lie outside
 * the image: strokes are clipped), width pixels wide, labelled foreground or not. */
struct img_cut_stroke {
	int first;   /* index of its first point in img_cutout_opts.pts */
	int npts;
	int width;
	int fg;      /* 1 foreground, 0 background */
};

/* One roi corner coordinate: a value in pixels, or a percentage of the image side. */
struct img_cut_coord {
	double v;
	int pct;
};

/*
 * Cutout options, part of the one option vocabulary (DESIGN.md section 5). A zeroed
 * struct means the defaults: automatic type, no roi, no hints, soft edges, an image
 * with transparency keeps its alpha. Holds no owned memory (nothing to free).
 *   roi          remove.bg "x1 y1 x2 y2": nothing outside is foreground.
 *   strokes/pts  parsed hint_strokes (hard constraints).
 *   hint_mask    borrowed encoded image bytes (PNG, JPEG, ... the photo's size):
 *                white = foreground, black = background, other values unknown. The
 *                caller keeps the bytes alive until img_cutout() returns.
 *   hint_plane   or an already decoded borrowed plane of hint_w x hint_h bytes, same
 *                meaning (>= 240 foreground, <= 15 background); used when non-NULL.
 *   hard_edges   semitransparency=false: a binary matte (0 or 255).
 *   ignore_alpha keep_alpha=false: an image with transparency is cut like any other.
 *   no_cache     skip the in-process cache of per-image work (tests, benchmarks).
 *   opinion      borrowed bytes: the network's opinion of this image (same pixels and
 *                roi) kept from an earlier cut by opinion_out; used instead of running
 *                the network (which is then not even loaded) when it fits the image.
 *   opinion_out  when not NULL and the network's opinion was used (run, cached or
 *                given), *opinion_out gets it as bytes to keep (malloc'd, the caller
 *                frees; *opinion_out_len its size); left alone otherwise.
 */
struct img_cutout_opts {
	enum img_cut_type type;
	int has_roi;
	struct img_cut_coord roi[4];
	int nstrokes, npts;
	struct img_cut_stroke strokes[CUT_MAX_STROKES];
	int pts[CUT_MAX_POINTS][2];
	const unsigned char *hint_mask;
	size_t hint_mask_len;
	const uint8_t *hint_plane;
	int hint_w, hint_h;
	int hard_edges;
	int ignore_alpha;
	int no_cache;
	const void *opinion;
	size_t opinion_len;
	void **opinion_out;
	size_t *opinion_out_len;
};

/*
 * The segmentation network's settings (cut_net.c), process-wide. model is
 * "isnet-medium", "isnet-small" (files dir/MODEL.onnx) or "none" (classical engine
 * only); runtime is the path of libonnxruntime.so ("" or NULL: dir/libonnxruntime.so);
 * threads the intra-op threads of one run; lock a file (created 0600 when missing;
 * "" or NULL: none) held with flock() during each run, so that the processes sharing it
 * run the network one at a time (the cores are shared anyway, and one run at a time
 * bounds the host's peak memory); warmup: one run on a blank picture right after
 * loading (the first run is the slow one: worth it in a long-lived worker, not in a
 * process that cuts once). The strings are copied. Changing any setting unloads a
 * loaded network; nothing is loaded until the first cutout needs it.
 */
struct img_net_conf {
	const char *model, *dir, *runtime, *lock;
	int threads;
	int warmup;
};
void img_net_configure(const struct img_net_conf *c);
/* 1 when the network is loaded, loading it (with a warm-up run) on the first call
 * after img_net_configure(); 0 when it cannot be, with the reason in why[n] (may be
 * NULL). A failed load is not retried until the settings change. Thread-safe. */
int img_net_ready(char *why, size_t n);
/* The configured model's name ("none" when unset); static storage. */
const char *img_net_model(void);
/* A cheap check that the network could load, without loading it (for /health): the
 * model file is readable and the runtime opens and is recent enough. 1, or 0 with the
 * reason in why[n]. */
int img_net_check(char *why, size_t n);
/* How many network runs this process has made (warm-up excluded). */
long img_net_runs(void);

/* Flags reported by img_cutout(). */
#define IMG_CUT_NO_SUBJECT 1 /* nothing was found: the matte is all transparent */
#define IMG_CUT_KEYED      2 /* a green or blue screen was detected and keyed */
#define IMG_CUT_KEPT_ALPHA 4 /* the image's own transparency was kept */
#define IMG_CUT_CACHED     8 /* the per-image segmentation work came from the cache */
#define IMG_CUT_NEURAL    16 /* the segmentation network gave the first opinion */
#define IMG_CUT_REMOTE    32 /* a remote provider made the matte (set by that stage) */

/* The name of the engine that made a cutout with these IMG_CUT_* flags ("isnet-medium",
 * "classical", "chroma-key", "own-alpha", "remote"); static storage. */
const char *img_cut_engine(int flags);

/*
 * Sets one cutout option from its text value. Returns ERR_OK when key is a cutout
 * option and val is valid; ERR_BAD_FIELD with a reason in why[n] when it is invalid;
 * ERR_NOT_FOUND when key is not a cutout option (the caller tries other parsers).
 * Keys: type (auto|product|person), roi ("x1 y1 x2 y2", each NUMBERpx or NUMBER%),
 * hint_strokes (JSON [{"points": [[x,y],...], "width": N, "label": "fg"|"bg"}]),
 * semitransparency (true|false), keep_alpha (true|false). Bounds of roi against the
 * image are checked by img_cutout(). The hint mask comes as bytes (hint_mask).
 */
enum err img_cutout_opt_set(struct img_cutout_opts *o, const char *key, const char *val,
                            char *why, size_t n);

/*
 * Cuts the subject out of src. On ERR_OK, *out holds a new image of src's size whose
 * colors are the estimated foreground colors and whose alpha is the matte (the caller
 * frees it with img_free), *bbox the subject's bounding box (alpha > 0), and *flags
 * IMG_CUT_* bits. Deterministic for the same input and options.
 * ERR_BAD_FIELD, with why[] (may be NULL) starting with a machine code:
 *   "roi_exceeds_bounds: ...", "roi_region_empty: ...", "hint_mask_size: ... WxH ...".
 */
enum err img_cutout_why(const struct img *src, const struct img_cutout_opts *o,
                        struct img *out, struct img_rect *bbox, int *flags,
                        char *why, size_t n);
/* img_cutout_why() without the reason text. */
enum err img_cutout(const struct img *src, const struct img_cutout_opts *o,
                    struct img *out, struct img_rect *bbox, int *flags);

#endif
