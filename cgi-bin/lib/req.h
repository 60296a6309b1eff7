/* req.h: one HTTP request's lifetime under FastCGI or plain CGI, and the program loop.
 *
 * A program declares its routes in a table and calls app_main(). Each iteration of the
 * loop creates a struct req, routes it, runs the handler, sends the response and frees
 * everything: no request data outlives its iteration. The same binary serves plain CGI
 * (one request from the environment and stdin) when it was not started by a FastCGI
 * spawner.
 */
#ifndef BACKDROP_REQ_H
#define BACKDROP_REQ_H

#include <stddef.h>
#include "buf.h"
#include "err.h"
#include "lim.h"

struct FCGX_Request;

/* One named value from a query string, a urlencoded or multipart body, or JSON.
 * value is NUL-terminated and len excludes the NUL (file parts may hold NUL bytes).
 * filename and type are set for multipart file parts only (client claims: never trust). */
struct field {
	char *name;
	char *value;
	size_t len;
	char *filename;
	char *type;
};

struct fields {
	struct field f[LIM_FIELDS];
	int n;
};

/* The first field called name, or NULL. */
const struct field *fields_get(const struct fields *fs, const char *name);
/* How many fields are called name. */
int fields_count(const struct fields *fs, const char *name);
/* The largest value a non-file field called name may have: LIM_B64_VALUE for names
 * ending in "_b64" (base64 images), else LIM_FIELD_VALUE. */
size_t fields_value_cap(const char *name);
/* Frees every field's strings and empties the set. */
void fields_free(struct fields *fs);
/* Parses application/x-www-form-urlencoded bytes (RFC 1866 / WHATWG) into fs, decoding
 * '+' and %XX. ERR_BAD_REQUEST on bad escapes, more than LIM_FIELDS fields, a name over
 * LIM_FIELD_NAME or a value over fields_value_cap() bytes. */
enum err fields_parse_urlencoded(struct fields *fs, const char *s, size_t n);

struct req;
typedef enum err (*handler_fn)(struct req *);
typedef void (*error_fn)(struct req *, enum err, const char *detail);

/* A route: method ("GET" also answers HEAD), a path pattern in which "*" matches one
 * non-empty segment (captured in req.params), the handler. */
struct route {
	const char *method;
	const char *pattern;
	handler_fn fn;
};

struct resp_header {
	char *name, *value;
};

struct req {
	/* The request, read-only for handlers. */
	const char *method;               /* as sent; HEAD is routed as GET */
	char path[LIM_PATH_BYTES];        /* percent-decoded path, no query */
	const char *params[4];            /* path segments matched by "*" */
	int nparams;
	struct fields query;              /* parsed QUERY_STRING */
	char id[40];                      /* request id (from nginx, or generated) */
	int https;                        /* served over TLS */
	/* The body, once req_body() has read it. */
	char *body;
	size_t body_len;
	int body_read;
	/* The response being composed (resp.h). */
	int status;
	struct resp_header hdrs[LIM_RESP_HEADERS];
	int nhdrs;
	struct buf out;
	int done;                         /* a response was composed */
	char detail[256];                 /* client-safe detail for the error response */
	error_fn on_error;                /* overrides the error body shape (remove.bg) */
	void *ctx;                        /* per-handler state, owned by the handler */
	/* I/O. */
	struct FCGX_Request *fcgx;        /* NULL under plain CGI */
};

/* Runs the program: loads the config (refusing to start on an invalid one), then
 * serves requests until the FastCGI socket closes, or one request under CGI.
 * Returns the process exit status. */
int app_main(const char *prog, const struct route *routes, size_t nroutes);
/* app_main(), where the router's own errors (no such path 404, method 405, a bad
 * request line 400) for paths starting with prefix are composed by shape (as
 * req.on_error) instead of the default shape: an API with its own error body keeps
 * it for every answer under its prefix. */
int app_main_shaped(const char *prog, const struct route *routes, size_t nroutes, const char *prefix,
                    error_fn shape);

/* A CGI/FastCGI variable (REQUEST_METHOD, CONTENT_TYPE, HTTP_*...), or NULL. */
const char *req_env(const struct req *r, const char *name);
/* A request header by its HTTP name ("Origin", "X-Api-Key"), or NULL; values longer
 * than LIM_HEADER_BYTES are treated as absent. */
const char *req_header(const struct req *r, const char *name);
/* The value of the first cookie called name (RFC 6265 syntax) whose value fits out[n]
 * (NUL included), copied there; 1 if found, else 0. */
int req_cookie(const struct req *r, const char *name, char *out, size_t n);
/* Walks the cookies called name in header order, every pair of the (bounded) Cookie
 * header included: *pos starts NULL and is advanced by each call (it points into the
 * header, valid for the request). Copies the next value that fits out[n] and returns 1,
 * or returns 0 when none is left. For a client sending a stale duplicate before the
 * good one: try each until one is valid. */
int req_cookie_next(const struct req *r, const char *name, const char **pos, char *out, size_t n);
/* Reads the whole body once, refusing before reading when CONTENT_LENGTH is missing on
 * a body, not a strict number, or over max_upload_bytes (ERR_TOO_LARGE). The bytes stay
 * owned by r and are NUL-terminated. */
enum err req_body(struct req *r, const char **data, size_t *len);
/* The quality (0 to 1) the Accept header gives the media type `type` ("image/png"),
 * RFC 9110 section 12.5.1: the q of the most specific matching range (the exact type,
 * then the subtype wildcard, then the full wildcard; the highest q among equally
 * specific ones), 0 when none matches,
 * 1 when there is no Accept header. Matching is case-insensitive. */
double req_accept_q(const struct req *r, const char *type);
/* 1 if Accept gives `type` a quality above 0 and above that of `over`, else 0: a tie
 * (as axios's default Accept, JSON and text/plain and the full wildcard, makes between
 * JSON and an image)
 * goes to `over`, the route's natural answer. The one negotiation of every route that
 * can answer in two types. */
int req_prefers(const struct req *r, const char *type, const char *over);
/* The request's API key: X-Api-Key, or else the token of "Authorization: Bearer TOKEN"
 * (RFC 6750 section 2.1, as remove.bg's OAuth clients send it); NULL without either.
 * Points into the request's headers. */
const char *req_api_key(const struct req *r);
/* 1 if the client prefers JSON to HTML (req_prefers), or the request carries an API
 * key, else 0. */
int req_wants_json(const struct req *r);
/* 1 if Origin (or, without it, Referer) names this server's own scheme://Host, or
 * scheme://Host:SERVER_PORT when Host has no port (nginx's $host drops it); 0 when it
 * names another origin or neither header is present. */
int req_same_origin(const struct req *r);
/* 1 if an If-None-Match value inm (RFC 9110 section 13.1.2: "*", or a comma-separated
 * list of entity tags, weak ones "W/..." included: the comparison is weak) lists etag
 * (a quoted entity tag, as sent in our ETag header), else 0. */
int req_etag_match(const char *inm, const char *etag);
/* Sets the client-safe detail of the error about to be returned and returns e, so a
 * handler can write `return req_fail(r, ERR_BAD_FIELD, "name: too long")`. */
enum err req_fail(struct req *r, enum err e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
