/* pipeline.h: the engine's whole job: the option vocabulary, compositing by options, and
 * img_process(), the one entry point of the programs and the command line tool. */
#ifndef BACKDROP_PIPELINE_H
#define BACKDROP_PIPELINE_H

#include "img.h"
#include "cutout.h"

/* ---- options (options.c) ---- */

/*
 * A cutout stage in place of the local engine's (a remote provider, plugged in by the
 * programs, which know HTTP; the engine does not). Same contract as img_cutout_why();
 * bytes[len] is the original file, src the decoded, upright image.
 */
typedef enum err (*img_cutout_fn)(const void *ctx, const void *bytes, size_t len,
                                  const struct img *src, const struct img_cutout_opts *o,
                                  struct img *out, struct img_rect *bbox, int *flags,
                                  char *why, size_t n);

enum img_mode { IMG_MODE_REMOVE, IMG_MODE_CHANGE, IMG_MODE_FILTER, IMG_MODE__MAX };
enum img_fit { IMG_FIT_COVER, IMG_FIT_CONTAIN, IMG_FIT_STRETCH, IMG_FIT__MAX };
enum img_pos { IMG_POS_ORIGINAL, IMG_POS_CENTER, IMG_POS_PERCENT, IMG_POS__MAX };
enum img_channels { IMG_CH_RGBA, IMG_CH_ALPHA, IMG_CH__MAX };

/*
 * The one option vocabulary (DESIGN.md section 5). img_opts_init() gives the defaults;
 * img_opts_set() changes one field from text. A *_pct field is in percent; a margin is
 * px unless its pct flag is set. Colors are 0xRRGGBBAA.
 */
struct img_opts {
	enum img_mode mode;              /* mode: remove (default) | change | filter */
	struct img_cutout_opts cut;      /* type, roi, hints: see cutout.h */
	int canvas_w, canvas_h;          /* canvas_size "WxH"; 0 = the image's (or crop's) */
	int crop;                        /* crop: to the subject's bounding box */
	int margin[4], margin_pct[4];    /* crop_margin: top right bottom left */
	int has_bg_color;                /* bg_color given */
	uint32_t bg_color;               /* 0xRRGGBBAA */
	enum img_fit bg_fit;             /* bg_fit: cover (default) | contain | stretch */
	int bg_blur;                     /* bg_blur: radius px of the blurred original; 0 off */
	enum img_pos position;           /* position: original | center | "x% [y%]" */
	int pos_x_pct, pos_y_pct;
	int has_offset;                  /* overlay_template_x / _y given */
	int offset_x, offset_y;
	int scale_pct;                   /* scale: 10..100, 0 = original */
	int shadow;                      /* add_shadow / shadow */
	int shadow_opacity;              /* 0..100, default 50 */
	int shadow_x, shadow_y, shadow_blur;
	enum img_filter filter;
	enum img_fmt format;             /* IMG_FMT_NONE = auto */
	int quality;                     /* 1..100 (100 = lossless WebP); 0 = per format */
	int png_level;                   /* png_level 0..9, default 2 */
	enum img_channels channels;
	long size_pixels;                /* size: max output pixels; 0 = full */
	img_cutout_fn cutout;            /* NULL: the local cutout (img_cutout_why) */
	const void *cutout_ctx;          /* passed to cutout */
	/* Not options: set by the programs that keep records. */
	const void *cutout_in;           /* a stored cutout (PNG with alpha; borrowed) used */
	size_t cutout_in_len;            /*   instead of cutting when it has the cut's size */
	int keep_cutout;                 /* res->cutout gets the cutout as PNG */
};

/* The defaults: mode remove, cover, position original, format auto, channels rgba. */
void img_opts_init(struct img_opts *o);
/*
 * Sets one option from its text value (keys as in DESIGN.md section 5 and remove.bg).
 * Offers the key to img_cutout_opt_set() first. Returns ERR_OK; ERR_BAD_FIELD with a
 * reason naming the field in why[n] (the option is then unchanged); ERR_NOT_FOUND for
 * a key that is no processing option. Validators reject, never repair.
 */
enum err img_opts_set(struct img_opts *o, const char *key, const char *val, char *why, size_t n);
/* Parses a color ("#rgb", "#rrggbb", "#rrggbbaa", the same without '#', a CSS color
 * name) into 0xRRGGBBAA. Returns 1 or 0. */
int img_color_parse(const char *s, uint32_t *rgba);
/* The names of every option key, NULL-terminated (for --help and documentation). */
extern const char *const img_opt_keys[];

/* ---- compositing, filters (composite.c, filter.c) ---- */

/*
 * Places subject (with its alpha) on a new canvas by o: canvas size or crop, the
 * background (bg_color, the bg image `bg` if not NULL, or the blurred `orig` when
 * o->bg_blur > 0), position, offsets, scale and shadow. *bbox gets the subject's
 * bounding box in canvas coordinates (w = 0 when none is visible). The result's alpha
 * is NULL when fully opaque. A background of exactly the canvas size without alpha may
 * be taken over as the canvas (bg is then left empty: no copy). ERR_NOMEM,
 * ERR_TOO_MANY_PIXELS for an over-size canvas (lim NULL: the defaults).
 */
enum err img_composite(const struct img *subject, struct img *bg, const struct img *orig,
                       const struct img_opts *o, const struct img_limits *lim,
                       struct img *out, struct img_rect *bbox);
/* ---- the pipeline (pipeline.c) ---- */

#define IMG_RES_NO_SUBJECT   1  /* the cutout found nothing */
#define IMG_RES_OWN_ALPHA    2  /* the input had its own transparency; no cutout ran */
#define IMG_RES_TRANSPARENT  4  /* the result has alpha < 255 somewhere */

struct img_result {
	void *data;                  /* the encoded result, malloc'd; img_result_free */
	size_t len;
	enum img_fmt fmt;
	const char *mime, *ext;      /* static strings */
	int width, height;           /* of the result */
	int src_width, src_height;   /* of the input, upright */
	struct img_rect fg;          /* foreground bounding box in result coordinates */
	int flags;                   /* IMG_RES_* */
	const char *engine;          /* who made the matte: the model's name ("isnet-medium"),
	                              * "classical", "chroma-key", "own-alpha", "matte" (given),
	                              * "remote"; NULL when nothing was cut (filter mode) */
	char why[160];               /* on a cutout error: its reason ("roi_exceeds_bounds: ...") */
	void *cutout;                /* with o->keep_cutout, modes remove and change: the subject
	                              * with its alpha (before compositing) as PNG, malloc'd;
	                              * NULL when o->cutout_in was reused */
	size_t cutout_len;
	int cutout_width, cutout_height;   /* set with keep_cutout, reused or not */
	int cutout_reused;           /* 1 when o->cutout_in was used (no cut ran) */
};

/*
 * The whole job: probe, decode, orient, cutout (modes remove and change, unless the
 * image has its own transparency or a matte is given), composite, filter, encode.
 * bg_bytes (may be NULL) is the background image; matte_bytes (may be NULL) an
 * external matte (grayscale or its alpha) of the input's size, used instead of a
 * cutout. o->cutout_in, when set and of the size the cut would have, is the subject
 * instead (a stored cutout of the same image and cut options: nothing is cut; the
 * caller decides it is the same). lim NULL means the defaults. On ERR_OK *res holds the
 * result; on error *res is zeroed but for res->why, the cutout's reason when it
 * failed. Returns the first error of any stage.
 */
enum err img_process(const void *bytes, size_t len, const struct img_opts *o,
                     const struct img_limits *lim, const void *bg_bytes, size_t bg_len,
                     const void *matte_bytes, size_t matte_len, struct img_result *res);
/* Frees res->data and res->cutout and zeroes res; accepts NULL. */
void img_result_free(struct img_result *res);
/*
 * A thumbnail of an image's bytes fitting in max x max (never upscaled), upright, as
 * PNG when it has transparency, else JPEG. Same result ownership as img_process.
 */
enum err img_thumb(const void *bytes, size_t len, const struct img_limits *lim, int max,
                   struct img_result *res);
/*
 * Decodes a matte or hint image of w x h: its alpha when it has transparency, else its
 * gray level (Rec.601 luma). *plane is malloc'd w*h bytes (caller frees). ERR_BAD_FIELD
 * when its size differs from w x h.
 */
enum err img_matte_load(const void *bytes, size_t len, const struct img_limits *lim,
                        int w, int h, uint8_t **plane);

#endif
