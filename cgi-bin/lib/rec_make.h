/* rec_make.h: turning a validated upload form into a record and its three images. */
#ifndef BACKDROP_REC_MAKE_H
#define BACKDROP_REC_MAKE_H

#include "pipeline.h"
#include "records.h"
#include "req.h"

/* A record made from an upload, ready for rec_insert(). */
struct rec_made {
	struct record rec;                /* id, name, created_on, width, height, bytes */
	struct rec_image img[REC__MAX];   /* point into the form's bytes and res/thumb */
	struct img_result res, thumb;
	char *options_json;               /* malloc'd */
};

/*
 * Validates the upload fields of fs and runs the engine; call it outside any
 * transaction (it takes seconds on big images). Fields: `image` (a file part, required,
 * once), `name` (required, once; rec_name_check), `bg_image_file` (optional file, the
 * new background), and any processing option of the engine's vocabulary, passed to
 * img_opts_set() as is (an empty value means the default; an unknown field is 400).
 * On ERR_OK *m holds the record (fresh random id, created_on now) whose images point
 * into fs and into m: keep fs alive until m is stored. Errors: ERR_MISSING_FIELD,
 * ERR_BAD_FIELD (detail set on r), or the engine's ERR_UNSUPPORTED, ERR_CORRUPT,
 * ERR_TOO_MANY_PIXELS, ERR_NOMEM. Free m with rec_made_free either way.
 */
enum err rec_make(struct req *r, const struct fields *fs, struct rec_made *m);
void rec_made_free(struct rec_made *m);

#endif
