/* render.h: the Background Change request (JSON) turned into engine options, fetched
 * sources and a result; shared by the change program and the job worker. */
#ifndef BACKDROP_RENDER_H
#define BACKDROP_RENDER_H

#include <stddef.h>
#include <json-c/json.h>
#include "err.h"
#include "pipeline.h"

/* Parses s[0..n) as one JSON object, nesting at most LIM_JSON_DEPTH deep and n at most
 * max_upload_bytes + LIM_JSON_BYTES. *out (caller puts) on ERR_OK; ERR_BAD_JSON or
 * ERR_TOO_LARGE with why[wn]. */
enum err render_json_parse(const char *s, size_t n, struct json_object **out, char *why, size_t wn);

/* Sets option key of o from a JSON scalar (string, integer, number, boolean) through
 * img_opts_set(). ERR_BAD_FIELD (why names the field) for other JSON types or values;
 * ERR_NOT_FOUND for a key that is no option. */
enum err render_opt_json(struct img_opts *o, const char *key, struct json_object *v, char *why, size_t n);

/* The engine's limits from conf (max_width, max_height, max_pixels). */
void render_limits(struct img_limits *lim);

/*
 * Runs the engine on bytes with o and an optional background, after checking an roi
 * against the image's upright size so that its errors carry remove.bg's reasons
 * ("roi_exceeds_bounds: ..." and "roi_region_empty: ..." in why). *res as
 * img_process(). why[n] gets a client-safe reason on every error.
 */
enum err render_run(const void *bytes, size_t len, const struct img_opts *o, const void *bg,
                    size_t bglen, struct img_result *res, char *why, size_t n);

/* Removes from the Background Change request req the keys that are neither a source
 * nor an option (logging each): the original app ignored them (a front end's user_id),
 * so its route does too. A known option with a bad value stays, to be refused. */
void render_drop_unknown(struct json_object *req);

/*
 * The Background Change request: origin_img (required; http(s) or data: URL; or
 * remove.bg's image_url or image_file_b64, exactly one of the three), an
 * optional template_url / bg_image_url (the new background), every option of
 * DESIGN.md section 5 by its name; callback_url is skipped (the caller handles it).
 * mode defaults to change with a template or bg_color, else remove. With filter_only
 * the request is the color filter's: image (required) and color/filter, mode filter,
 * PNG unless format says otherwise. Unknown fields are ERR_BAD_FIELD.
 */
enum err render_change(struct json_object *req, int filter_only, struct img_result *res,
                       char *why, size_t n);

/* {"result_b64", "width", "height", "foreground_top/left/width/height"} for res, and
 * with_engine: "engine" (res->engine, when a cutout ran), or NULL without memory. */
struct json_object *render_result_json(const struct img_result *res, int with_engine);

#endif
