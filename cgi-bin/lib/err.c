/* err.c: status, code and message of every error, in one table. */
#include "err.h"

static const struct {
	int status;
	const char *code;
	const char *msg;
} errs[ERR__MAX] = {
	[ERR_OK]              = { 200, "ok", "OK" },
	[ERR_BAD_REQUEST]     = { 400, "bad_request", "The request is malformed." },
	[ERR_BAD_FIELD]       = { 400, "invalid_field", "A field has an invalid value." },
	[ERR_MISSING_FIELD]   = { 400, "missing_field", "A required field is missing." },
	[ERR_BAD_MULTIPART]   = { 400, "malformed_multipart", "The multipart body is malformed." },
	[ERR_BAD_JSON]        = { 400, "malformed_json", "The JSON body is malformed." },
	[ERR_FETCH_BLOCKED]   = { 400, "url_blocked", "The URL is not allowed." },
	[ERR_FETCH]           = { 400, "fetch_failed", "The URL could not be downloaded." },
	[ERR_QUOTA]           = { 402, "quota_exceeded", "The monthly image quota is used up." },
	[ERR_FORBIDDEN]       = { 403, "forbidden", "Cross-origin request refused." },
	[ERR_AUTH]            = { 403, "auth_failed", "Missing or invalid API key." },
	[ERR_NOT_FOUND]       = { 404, "not_found", "Not found." },
	[ERR_METHOD]          = { 405, "method_not_allowed", "Method not allowed." },
	[ERR_USER_LIMIT]      = { 409, "user_limit", "Max limit reached. Please remove a record." },
	[ERR_TOO_LARGE]       = { 413, "too_large", "The request body is too large." },
	[ERR_TOO_MANY_PIXELS] = { 413, "resolution_too_high", "The image is too large." },
	[ERR_UNSUPPORTED]     = { 415, "unsupported_image", "Not a supported image format." },
	[ERR_NOT_IMAGE]       = { 415, "not_an_image", "The file is not an image." },
	[ERR_CORRUPT]         = { 422, "corrupt_image", "The image data is corrupt." },
	[ERR_RATE]            = { 429, "rate_limited", "Too many requests." },
	[ERR_INTERNAL]        = { 500, "internal", "Something went wrong" },
	[ERR_NOMEM]           = { 503, "out_of_memory", "Not enough memory for this request." },
	[ERR_IO]              = { 500, "io_error", "Input/output error." },
	[ERR_UPSTREAM]        = { 502, "upstream_failed", "The remote service failed." },
	[ERR_STORE_BUSY]      = { 503, "store_busy", "The store is busy; try again." },
	[ERR_STORE]           = { 503, "store_unavailable", "The store is unavailable." },
	[ERR_CONFIG]          = { 500, "config", "Invalid configuration." },
};

static int valid(enum err e) { return (unsigned)e < ERR__MAX && errs[e].code; }

int err_status(enum err e) { return valid(e) ? errs[e].status : 500; }
const char *err_code(enum err e) { return valid(e) ? errs[e].code : "internal"; }
const char *err_str(enum err e) { return valid(e) ? errs[e].msg : "Something went wrong"; }
