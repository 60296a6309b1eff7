/* err.h: the one error type of Backdrop, shared by the library, the engine and the programs. */
#ifndef BACKDROP_ERR_H
#define BACKDROP_ERR_H

/*
 * Every fallible function returns an enum err. ERR_OK is zero, so `if (e)` reads as
 * "failed". The table in err.c gives each error its HTTP status, its machine code (the
 * "code" of the JSON error body) and a message that is safe to show a client. Add an
 * error here and in that table together; the __MAX sentinel sizes the table.
 */
enum err {
	ERR_OK = 0,
	ERR_BAD_REQUEST,      /* 400 bad_request: the request as a whole makes no sense */
	ERR_BAD_FIELD,        /* 400 invalid_field: a field failed its validator */
	ERR_MISSING_FIELD,    /* 400 missing_field: a required field is absent */
	ERR_BAD_MULTIPART,    /* 400 malformed_multipart */
	ERR_BAD_JSON,         /* 400 malformed_json */
	ERR_FETCH_BLOCKED,    /* 400 url_blocked: a URL names a refused scheme or address */
	ERR_FETCH,            /* 400 fetch_failed: a URL could not be downloaded */
	ERR_QUOTA,            /* 402 quota_exceeded: a key's monthly quota is used up */
	ERR_FORBIDDEN,        /* 403 forbidden: cross-origin state change */
	ERR_AUTH,             /* 403 auth_failed: missing or unknown API key */
	ERR_NOT_FOUND,        /* 404 not_found */
	ERR_METHOD,           /* 405 method_not_allowed */
	ERR_USER_LIMIT,       /* 409 user_limit */
	ERR_TOO_LARGE,        /* 413 too_large: request body over the cap */
	ERR_TOO_MANY_PIXELS,  /* 413 resolution_too_high: image dimensions over the caps */
	ERR_UNSUPPORTED,      /* 415 unsupported_image: not an image format we decode */
	ERR_NOT_IMAGE,        /* 415 not_an_image: the file is no image at all (records routes) */
	ERR_CORRUPT,          /* 422 corrupt_image: a supported format whose data is broken */
	ERR_RATE,             /* 429 rate_limited */
	ERR_INTERNAL,         /* 500 internal */
	ERR_NOMEM,            /* 500 out_of_memory */
	ERR_IO,               /* 500 io_error */
	ERR_UPSTREAM,         /* 502 upstream_failed: a remote provider failed */
	ERR_STORE_BUSY,       /* 503 store_busy: the database stayed locked */
	ERR_STORE,            /* 503 store_unavailable: the database or data folder is unusable */
	ERR_CONFIG,           /* 500 config: a setting is invalid (startup only) */
	ERR__MAX
};

/* The HTTP status for e (200 for ERR_OK, 500 for an out-of-range value). */
int err_status(enum err e);
/* The stable machine code for e, e.g. "user_limit". Never NULL; static storage. */
const char *err_code(enum err e);
/* A one-line message for e that is safe to show a client. Never NULL; static storage. */
const char *err_str(enum err e);

#endif
