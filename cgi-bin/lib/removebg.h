/* removebg.h: the remove.bg-compatible and rembg-compatible request vocabularies, mapped
 * onto the engine's options; remove.bg's error shape and its zip output. */
#ifndef BACKDROP_REMOVEBG_H
#define BACKDROP_REMOVEBG_H

#include <stddef.h>
#include "pipeline.h"
#include "req.h"

/* One remove.bg answer: the image (res), or for format=zip a zip of color.jpg and
 * alpha.png (zip, malloc'd); X-Type and X-Credits-Charged values. */
struct removebg_out {
	struct img_result res;
	char *zip;
	size_t zip_len;
	char type[16];
	char credits[8];
};
void removebg_out_free(struct removebg_out *o);

/*
 * Reads a remove.bg request from r (multipart, urlencoded or JSON body): exactly one of
 * image_file, image_file_b64, image_url; size (default preview), type, type_level,
 * format (auto, png, jpg, webp, zip), roi, crop, crop_margin, scale, position,
 * channels, bg_color, bg_image_url, bg_image_file, shadow_type (none, 3D, car, drop),
 * shadow_opacity, add_shadow, semitransparency; other fields are ignored as remove.bg
 * does. Runs the engine into *out. On error, code[cn] gets remove.bg's error code
 * (missing_source, multiple_sources, invalid_image_url, failed_image_download,
 * invalid_file_type, resolution_too_high, invalid_bg_color, roi_exceeds_bounds,
 * unknown_foreground, invalid_<field> ...) and r's detail the reason.
 */
enum err removebg_run(struct req *r, struct removebg_out *out, char *code, size_t cn);

/* Composes remove.bg's error response {"errors": [{"title", "code", "detail"}]} with
 * status 400 for input errors, 402, 403, 429 and 5xx as err_status(). code may be NULL
 * (derived from e). For req.on_error. */
void removebg_error(struct req *r, enum err e, const char *code, const char *detail);

/*
 * The rembg server's request: GET with url=, or POST with the file field `file`
 * (multipart) or the raw image as the body; parameters om (mask only), a, af, ab, ae
 * (alpha matting: validated, our matte is always soft), ppm (post-process: hard mask
 * edges), bgc (background "R,G,B,A" or "[R,G,B,A]"), model (accepted, ignored) from
 * the query or the form. The result is PNG. Errors with a detail on r.
 */
enum err removebg_rembg(struct req *r, struct img_result *res);

#endif
