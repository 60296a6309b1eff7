/* resp.h: composing the response of a request: status, headers, body, and the one
 * error response. Nothing is written to the client until the handler returns; then the
 * program loop sends either the composed response or, if the handler failed, the error. */
#ifndef BACKDROP_RESP_H
#define BACKDROP_RESP_H

#include <stddef.h>
#include <json-c/json.h>
#include "req.h"

/* Adds a response header. The value is formatted, then every byte below 0x20 or 0x7f is
 * dropped: the one escaping path for header values. ERR_NOMEM, or ERR_INTERNAL when more
 * than LIM_RESP_HEADERS headers are set. A second header of the same name is added, not
 * replaced (use it for Set-Cookie). */
enum err resp_header(struct req *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds X-Cutout-Engine: engine, naming who made the matte of a cut-out result (struct
 * img_result's engine: "isnet-medium", "classical", "chroma-key", ...); nothing when
 * engine is NULL (no cutout ran, as for a filter-only result). Errors as resp_header. */
enum err resp_cutout_engine(struct req *r, const char *engine);
/* Sets status and body (copied) with its Content-Type. */
enum err resp_body(struct req *r, int status, const char *type, const void *data, size_t len);
/* Sets status and a JSON body serialised by json-c; takes the reference to obj
 * (puts it, also on failure). */
enum err resp_json(struct req *r, int status, struct json_object *obj);
/* Sets status and an HTML page taken from b (the buffer is emptied). */
enum err resp_html(struct req *r, int status, struct buf *b);
/* 303 See Other to a local path (must start with "/"). */
enum err resp_redirect(struct req *r, const char *location);
/* Replaces whatever was composed with the error response for e: r->on_error when set,
 * else {"status": N, "code": "...", "message": "...", "detail": "..."} with the status
 * of err_status(e); detail (client-safe, may be NULL) is added when present. 405 adds
 * no Allow header here: the router does. */
void resp_error(struct req *r, enum err e, const char *detail);
/* Drops everything composed so far (status, headers, body). */
void resp_reset(struct req *r);
/* Writes the composed response to the client (the body is skipped for HEAD). Called
 * by the program loop; handlers never call it. */
enum err resp_send(struct req *r);

#endif
