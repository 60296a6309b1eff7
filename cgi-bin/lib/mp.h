/* mp.h: multipart/form-data (RFC 7578 over RFC 2046) and form bodies into struct fields. */
#ifndef BACKDROP_MP_H
#define BACKDROP_MP_H

#include <stddef.h>
#include "err.h"
#include "req.h"

/* Longest boundary RFC 2046 allows (the bytes after "--"). */
#define MP_BOUNDARY_MAX 70

/*
 * Extracts the boundary parameter of a multipart/form-data Content-Type value into
 * out[MP_BOUNDARY_MAX + 1]. The media type must be multipart/form-data (any case);
 * parameters follow RFC 2045 (token or quoted-string values, names case-insensitive).
 * The boundary must be 1..70 characters of RFC 2046 bchars, not ending in a space.
 * Returns ERR_OK or ERR_BAD_MULTIPART.
 */
enum err mp_boundary(const char *content_type, char out[MP_BOUNDARY_MAX + 1]);

/*
 * Parses a multipart/form-data body (RFC 7578) with the given boundary, appending one
 * field per part to fs (which may already hold fields; their count counts too).
 * A preamble before the first delimiter and an epilogue after the close delimiter are
 * ignored; the close delimiter is required. Each part needs a Content-Disposition of
 * type form-data with a name; its filename (when present) and Content-Type are copied
 * into the field as client claims, never to be trusted. Every value is NUL-terminated
 * and may hold NUL bytes (use len). Limits: LIM_FIELDS fields, LIM_PARTS parts with a
 * filename, names of 1..LIM_FIELD_NAME bytes without NUL, non-file values up to
 * fields_value_cap() bytes, part headers up to LIM_HEADER_BYTES; file values are bounded
 * only by the body. Returns ERR_OK, ERR_BAD_MULTIPART (malformed or over a limit:
 * fs keeps the fields parsed so far; the caller frees it with fields_free) or
 * ERR_NOMEM.
 */
enum err mp_parse(const char *body, size_t len, const char *boundary, struct fields *fs);

/*
 * Reads the request body (req_body: capped at max_upload_bytes) and parses it into out
 * by its Content-Type: multipart/form-data or application/x-www-form-urlencoded. An
 * empty body without a Content-Type gives no fields. Any other type is ERR_BAD_REQUEST.
 * Errors carry a client-safe detail (req_fail). The caller frees out with fields_free
 * whatever is returned; out must start empty (zeroed).
 */
enum err form_read(struct req *r, struct fields *out);

#endif
