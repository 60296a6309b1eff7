/* removebg.h: the remove.bg-compatible and rembg-compatible request vocabularies, mapped
 * onto the engine's options; remove.bg's error shape and its zip output. */
#ifndef BACKDROP_REMOVEBG_H
#define BACKDROP_REMOVEBG_H

#include <stddef.h>
#include "pipeline.h"
#include "req.h"

/* A parsed remove.bg request: its fields, the engine options, format=zip, what it
 * costs in quarters of a credit (a preview 1, any larger size 4), and X-Type when the
 * given type names it (static; NULL: the cut's class). */
struct removebg_req {
	struct fields fs;
	struct img_opts o;
	int zip;
	int credits_x4;
	const char *x_type;
};
void removebg_req_free(struct removebg_req *q);

/* One remove.bg answer: the image (res), and for format=zip also a zip of color.jpg
 * and alpha.png made from it (zip, malloc'd); the X-Type value. */
struct removebg_out {
	struct img_result res;
	char *zip;
	size_t zip_len;
	char type[16];
};
void removebg_out_free(struct removebg_out *o);

/*
 * Reads a remove.bg request from r (multipart, urlencoded or JSON body) into *q (free
 * it with removebg_req_free() either way): exactly one of image_file, image_file_b64,
 * image_url; size (default preview), type, type_level, format (auto, png, jpg, webp,
 * zip), roi, crop, crop_margin, scale, position, channels, bg_color, bg_image_url,
 * bg_image_file (at most one of the three bg_), shadow_type (none, 3D, car, drop),
 * shadow_opacity, add_shadow, semitransparency; other fields are ignored as remove.bg
 * does. Checks everything that needs no download, so the caller can charge the request
 * (q->credits_x4) before removebg_render(). On error, code[cn] gets remove.bg's error
 * code (missing_source, multiple_sources, multiple_bg_sources, invalid_<field> ...)
 * and r's detail the reason.
 */
enum err removebg_parse(struct req *r, struct removebg_req *q, char *code, size_t cn);
/*
 * Fetches the sources of the parsed request q and runs the engine once into *out.
 * Errors as removebg_parse(), with the codes invalid_image_url, failed_image_download,
 * invalid_bg_image_url, failed_bg_download, invalid_file_type, failed_to_read_image,
 * resolution_too_high, roi_exceeds_bounds, roi_region_empty, unknown_foreground.
 */
enum err removebg_render(struct req *r, struct removebg_req *q, struct removebg_out *out, char *code, size_t cn);

/* remove.bg's improvement program (POST /v1.0/improve): one image source as for
 * removebg_parse() (image_filename and tag are optional), checked to be an image we read;
 * id[37] gets a new UUID-shaped id. Nothing is kept (there is no training here): the
 * submission is logged. Errors as removebg_render(). */
enum err removebg_improve(struct req *r, char *id, char *code, size_t cn);

/* Composes remove.bg's error response {"errors": [{"title", "code", "detail"}]} with
 * status 400 for input errors, 402, 403, 429 and 5xx as err_status(). code may be NULL
 * (derived from e). For req.on_error. */
void removebg_error(struct req *r, enum err e, const char *code, const char *detail);

/*
 * The rembg server's request: GET with url=, or POST with the file field `file`
 * (multipart) or the raw image as the body; parameters om (mask only), a, af, ab, ae
 * (alpha matting: validated, our matte is always soft), ppm (post-process: hard mask
 * edges), bgc (background "R,G,B,A" or "[R,G,B,A]"), model (rembg's names: the human
 * and portrait models cut a person, the others the automatic cut) from the query or
 * the form; booleans as FastAPI reads them (true/false, 1/0, yes/no, on/off). The
 * result is PNG; type[16] gets the cut's class (person, product, other). Errors with a
 * detail on r; a value FastAPI would refuse (an unknown model, a boolean or an integer
 * it cannot read or out of its range) also sets code[cn] to "field:type", which
 * rembg answers 422 (see removebg_rembg_error()).
 */
enum err removebg_rembg(struct req *r, struct img_result *res, char *type, char *code, size_t cn);
/* Composes FastAPI's validation error for code "field:type" (type "enum" when absent):
 * 422 {"detail": [{"type": type, "loc": ["query" or "body", field], "msg": detail}]}. */
void removebg_rembg_error(struct req *r, const char *code, const char *detail);

#endif
