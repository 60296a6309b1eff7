/* rec_make.h: turning a validated upload or re-render form into a record and its images. */
#ifndef BACKDROP_REC_MAKE_H
#define BACKDROP_REC_MAKE_H

#include "pipeline.h"
#include "records.h"
#include "req.h"

/* What a re-render starts from: the stored record and its images (borrowed; keep them
 * alive until the made record is stored). cutout and background may be NULL. */
struct rec_base {
	const struct record *rec;        /* id, name, options */
	const struct rec_image *original, *cutout, *background, *opinion;
};

/* A record made from a form, ready for rec_insert() or rec_replace(). */
struct rec_made {
	struct record rec;                /* id, name, created_on, width, height, bytes, options */
	struct rec_image img[REC__MAX];   /* point into the form, the base and m itself */
	struct img_result res, thumb, orig_thumb;
	char *fetched, *bg_fetched;       /* bytes behind image_url and bg_image_url, malloc'd */
	void *opinion;                    /* the network's opinion to keep, malloc'd */
	size_t opinion_len;
	char *options_json;               /* malloc'd */
};

/*
 * Validates the fields of fs and runs the engine; call it outside any transaction (it
 * takes seconds on big images).
 *
 * Without base (an upload): `image` (a file part) or `image_url` (an http(s) or data:
 * URL, fetched), one of them required; `name` (optional: the file's name without its
 * extension, else "image"; rec_name_check); a new random id and created_on now.
 * With base (a re-render of a stored record): the image is base's original; `name`
 * (optional: base's); the id and created_on stay; `save_as_new` is accepted (the
 * caller reads it). The options are base's stored ones, each field of fs replacing
 * one (an empty value resets it to the default); when every cutout option (type, roi,
 * hint_strokes, ...) is unchanged, base's cutout is reused instead of cutting again,
 * and when the roi is, a cut starts from base's kept network opinion.
 *
 * Either way: `bg_image_file` (a file part: the new background; an empty text value
 * removes a stored one, and so does an empty bg_image_url), `bg_image_url` (fetched),
 * and any processing option of the engine's vocabulary, passed to img_opts_set() (an
 * unknown field is 400). A background image is kept with the record (and used by later
 * re-renders until removed). The cutout (modes remove and change), the result and its thumbnail are
 * made, and for an upload the original's thumbnail.
 *
 * On ERR_OK *m holds the record whose images point into fs, base and m: keep them alive
 * until m is stored. Errors (detail set on r, in plain words naming the limit where
 * one applies): ERR_MISSING_FIELD, ERR_BAD_FIELD, ERR_FETCH, ERR_FETCH_BLOCKED,
 * ERR_NOT_IMAGE, ERR_UNSUPPORTED, ERR_CORRUPT, ERR_TOO_MANY_PIXELS, ERR_TOO_LARGE,
 * ERR_NOMEM. Free m with rec_made_free either way.
 */
enum err rec_make(struct req *r, const struct fields *fs, const struct rec_base *base,
                  struct rec_made *m);
void rec_made_free(struct rec_made *m);

#endif
