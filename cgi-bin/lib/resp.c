/* resp.c: composing and sending responses; the one error response. */
#include <fcgiapp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "resp.h"

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default:  return status < 500 ? "OK" : "Internal Server Error";
	}
}

enum err resp_header(struct req *r, const char *name, const char *fmt, ...)
{
	char *v = NULL, *n = NULL, *s, *d;
	va_list ap;
	int len;

	if (r->nhdrs >= LIM_RESP_HEADERS)
		return ERR_INTERNAL;
	va_start(ap, fmt);
	len = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (len < 0 || !(n = strdup(name))) {
		free(v);
		return ERR_NOMEM;
	}
	/* The one escaping path for header values: control bytes cannot split headers. */
	for (s = d = v; *s; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			*d++ = *s;
	*d = '\0';
	r->hdrs[r->nhdrs].name = n;
	r->hdrs[r->nhdrs].value = v;
	r->nhdrs++;
	return ERR_OK;
}

enum err resp_cutout_engine(struct req *r, const char *engine)
{
	return engine ? resp_header(r, "X-Cutout-Engine", "%s", engine) : ERR_OK;
}

enum err resp_body(struct req *r, int status, const char *type, const void *data, size_t len)
{
	enum err e;

	r->out.len = 0;
	if ((e = buf_add(&r->out, data, len)) || (e = resp_header(r, "Content-Type", "%s", type)))
		return e;
	r->status = status;
	r->done = 1;
	return ERR_OK;
}

enum err resp_json(struct req *r, int status, struct json_object *obj)
{
	const char *s;
	size_t n;
	enum err e;

	if (!obj)
		return ERR_NOMEM;
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_SPACED, &n);
	e = s ? resp_body(r, status, "application/json", s, n) : ERR_NOMEM;
	if (!e)
		e = buf_add(&r->out, "\n", 1);
	json_object_put(obj);
	return e;
}

enum err resp_html(struct req *r, int status, struct buf *b)
{
	enum err e;

	buf_free(&r->out);
	r->out = *b;
	memset(b, 0, sizeof *b);
	if ((e = resp_header(r, "Content-Type", "text/html; charset=utf-8")))
		return e;
	r->status = status;
	r->done = 1;
	return ERR_OK;
}

enum err resp_redirect(struct req *r, const char *location)
{
	enum err e;

	if (location[0] != '/' || location[1] == '/')
		return ERR_INTERNAL;
	if ((e = resp_header(r, "Location", "%s", location)))
		return e;
	r->out.len = 0;
	r->status = 303;
	r->done = 1;
	return ERR_OK;
}

void resp_reset(struct req *r)
{
	int i;

	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	r->nhdrs = 0;
	buf_free(&r->out);
	r->status = 0;
	r->done = 0;
}

void resp_error(struct req *r, enum err e, const char *detail)
{
	struct json_object *o;
	char allow[160] = "";
	int i;

	/* Keep an Allow header the router set for 405, drop everything else. */
	for (i = 0; i < r->nhdrs; i++)
		if (!strcmp(r->hdrs[i].name, "Allow"))
			snprintf(allow, sizeof allow, "%s", r->hdrs[i].value);
	resp_reset(r);
	if (*allow)
		resp_header(r, "Allow", "%s", allow);
	if (r->on_error) {
		r->on_error(r, e, detail);
		if (r->done)
			return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_int(err_status(e)));
	json_object_object_add(o, "code", json_object_new_string(err_code(e)));
	json_object_object_add(o, "message", json_object_new_string(err_str(e)));
	if (detail && *detail)
		json_object_object_add(o, "detail", json_object_new_string(detail));
	if (resp_json(r, err_status(e), o)) {
		/* Out of memory while reporting: a bare status line still goes out. */
		r->status = err_status(e);
		r->done = 1;
	}
}

static int put(struct req *r, const char *p, size_t n)
{
	if (r->fcgx)
		return FCGX_PutStr(p, (int)n, r->fcgx->out) == (int)n ? 0 : -1;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* Under FastCGI, lets the connection close as soon as the answer is out. libfcgi closes
 * it gracefully: it shuts its side down and waits (up to 2 s) for the server to close
 * the other, so that input still arriving cannot reset the connection and lose the
 * answer. Once the request's input is read to its end (the empty stdin record, which
 * nginx sends with the parameters of a request without a body, and after a body),
 * nothing more can arrive: the wait guards nothing, and it costs each request a round
 * trip through the server with the worker idle. A body left unread keeps the wait. */
static void close_early(struct req *r)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	FCGX_Stream *in = r->fcgx ? r->fcgx->in : NULL;

	if (!in || (!r->body_read && cl && *cl && strcmp(cl, "0")))
		return;
	if (FCGX_GetChar(in) == EOF && FCGX_HasSeenEOF(in) && !FCGX_GetError(in))
		FCGX_Detach(r->fcgx);
}

enum err resp_send(struct req *r)
{
	struct buf h = { 0 };
	int i, head = r->method && !strcmp(r->method, "HEAD");
	enum err e;

	e = buf_printf(&h, "Status: %d %s\r\n", r->status, reason(r->status));
	for (i = 0; !e && i < r->nhdrs; i++)
		e = buf_printf(&h, "%s: %s\r\n", r->hdrs[i].name, r->hdrs[i].value);
	if (!e)
		e = buf_printf(&h, "X-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\n"
		               "Content-Length: %zu\r\n\r\n", r->id, r->out.len);
	if (!e && put(r, h.data, h.len))
		e = ERR_IO;
	if (!e && !head && r->out.len && put(r, r->out.data, r->out.len))
		e = ERR_IO;
	if (!r->fcgx)
		fflush(stdout);
	else if (!e)
		close_early(r);
	buf_free(&h);
	return e;
}
