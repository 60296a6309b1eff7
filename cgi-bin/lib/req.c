/* req.c: the FastCGI / CGI request loop, routing, and reading the request. */
#include <ctype.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "conf.h"
#include "lim.h"
#include "log.h"
#include "req.h"
#include "resp.h"
#include "store.h"
#include "str.h"

extern char **environ;

const struct field *fields_get(const struct fields *fs, const char *name)
{
	int i;

	for (i = 0; i < fs->n; i++)
		if (!strcmp(fs->f[i].name, name))
			return &fs->f[i];
	return NULL;
}

int fields_count(const struct fields *fs, const char *name)
{
	int i, c = 0;

	for (i = 0; i < fs->n; i++)
		c += !strcmp(fs->f[i].name, name);
	return c;
}

size_t fields_value_cap(const char *name)
{
	size_t n = strlen(name);

	return n >= 4 && !strcmp(name + n - 4, "_b64") ? (size_t)LIM_B64_VALUE : LIM_FIELD_VALUE;
}

void fields_free(struct fields *fs)
{
	int i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].name);
		free(fs->f[i].value);
		free(fs->f[i].filename);
		free(fs->f[i].type);
	}
	memset(fs, 0, sizeof *fs);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into a new string (plus_space: '+' means ' '). Returns NULL
 * on a bad escape or no memory; *outlen gets the decoded length. */
static char *pct_decode(const char *s, size_t n, int plus_space, size_t *outlen)
{
	char *o = malloc(n + 1);
	size_t i, j = 0;
	int hi, lo;

	if (!o)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n) {
				free(o);
				return NULL;
			}
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 || (lo = hexval((unsigned char)s[i + 2])) < 0) {
				free(o);
				return NULL;
			}
			o[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			o[j++] = plus_space && s[i] == '+' ? ' ' : s[i];
		}
	}
	o[j] = '\0';
	*outlen = j;
	return o;
}

enum err fields_parse_urlencoded(struct fields *fs, const char *s, size_t n)
{
	size_t i = 0, start, eq, nl, vl;
	struct field *f;

	while (i < n) {
		start = i;
		while (i < n && s[i] != '&')
			i++;
		if (i > start) {
			for (eq = start; eq < i && s[eq] != '='; eq++)
				;
			if (fs->n >= LIM_FIELDS || eq - start > LIM_FIELD_NAME * 3)
				return ERR_BAD_REQUEST;
			f = &fs->f[fs->n];
			memset(f, 0, sizeof *f);
			/* The name first: it decides the value's cap, checked before decoding. */
			f->name = pct_decode(s + start, eq - start, 1, &nl);
			if (f->name && eq < i && i - eq - 1 > fields_value_cap(f->name) * 3) {
				free(f->name);
				f->name = NULL;
				return ERR_BAD_REQUEST;
			}
			f->value = f->name ? pct_decode(s + eq + (eq < i), eq < i ? i - eq - 1 : 0, 1, &vl) : NULL;
			if (!f->name || !f->value) {
				free(f->name);
				free(f->value);
				memset(f, 0, sizeof *f);
				return ERR_BAD_REQUEST;
			}
			f->len = vl;
			fs->n++;
			if (nl == 0 || nl > LIM_FIELD_NAME || vl > fields_value_cap(f->name) || strlen(f->name) != nl)
				return ERR_BAD_REQUEST;
		}
		i++;
	}
	return ERR_OK;
}

const char *req_env(const struct req *r, const char *name)
{
	if (r->fcgx)
		return FCGX_GetParam(name, r->fcgx->envp);
	return getenv(name);
}

const char *req_header(const struct req *r, const char *name)
{
	char env[96] = "HTTP_";
	const char *v;
	size_t i;

	if (strlen(name) > sizeof env - 6)
		return NULL;
	for (i = 0; name[i]; i++)
		env[5 + i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	env[5 + i] = '\0';
	if (!strcmp(env, "HTTP_CONTENT_TYPE"))
		v = req_env(r, "CONTENT_TYPE");
	else if (!strcmp(env, "HTTP_CONTENT_LENGTH"))
		v = req_env(r, "CONTENT_LENGTH");
	else
		v = req_env(r, env);
	return v && strlen(v) <= LIM_HEADER_BYTES ? v : NULL;
}

/* RFC 6265 section 4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ). We are
 * lenient about spaces, strict about sizes. Every pair of the header is read: the header
 * is bounded (req_header: LIM_HEADER_BYTES), so the count is too, and a cookie is never
 * missed because other cookies came before it. */
int req_cookie_next(const struct req *r, const char *name, const char **pos, char *out, size_t n)
{
	const char *h = req_header(r, "Cookie"), *p, *next, *eq, *v, *vend;
	size_t nl = strlen(name);

	if (!h)
		return 0;
	for (p = *pos ? *pos : h; *p; p = next) {
		while (*p == ' ' || *p == '\t')
			p++;
		vend = strchr(p, ';');
		next = vend ? vend + 1 : (vend = p + strlen(p));
		eq = memchr(p, '=', (size_t)(vend - p));
		if (!eq || (size_t)(eq - p) != nl || memcmp(p, name, nl))
			continue;
		v = eq + 1;
		if (*v == '"' && vend - v >= 2 && vend[-1] == '"') {
			v++;
			vend--;
		}
		/* A value too long for out is skipped, not cut: a later one may fit. */
		if ((size_t)(vend - v) >= n)
			continue;
		memcpy(out, v, (size_t)(vend - v));
		out[vend - v] = '\0';
		*pos = next;
		return 1;
	}
	*pos = p;
	return 0;
}

int req_cookie(const struct req *r, const char *name, char *out, size_t n)
{
	const char *pos = NULL;

	return req_cookie_next(r, name, &pos, out, n);
}

enum err req_body(struct req *r, const char **data, size_t *len)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	long n = 0, cap = conf_int("max_upload_bytes");
	size_t got = 0;
	int k;

	if (r->body_read)
		goto done;
	if (cl && *cl && !str_to_long(cl, 0, 1L << 40, &n))
		return req_fail(r, ERR_BAD_REQUEST, "Content-Length is not a number");
	if (n > cap)
		return req_fail(r, ERR_TOO_LARGE, "the body is %ld bytes; the limit is %ld", n, cap);
	if (!(r->body = malloc((size_t)n + 1)))
		return ERR_NOMEM;
	while (got < (size_t)n) {
		size_t want = (size_t)n - got > (1 << 20) ? (1 << 20) : (size_t)n - got;
		if (r->fcgx)
			k = FCGX_GetStr(r->body + got, (int)want, r->fcgx->in);
		else
			k = (int)fread(r->body + got, 1, want, stdin);
		if (k <= 0)
			return req_fail(r, ERR_BAD_REQUEST, "the body ended early");
		got += (size_t)k;
	}
	r->body[n] = '\0';
	r->body_len = (size_t)n;
	r->body_read = 1;
done:
	*data = r->body;
	*len = r->body_len;
	return ERR_OK;
}

/* How closely the media range rng[0..rn) matches the media type t: 3 exactly
 * ("image/png"), 2 by a subtype wildcard ("image" and a star subtype), 1 by the full wildcard,
 * 0 not at all. */
static int range_match(const char *rng, size_t rn, const char *t)
{
	const char *slash = strchr(t, '/');
	size_t tl = strlen(t);

	if (rn == 3 && !strncmp(rng, "*/*", 3))
		return 1;
	if (!slash)
		return 0;
	if (rn == (size_t)(slash - t) + 2 && !strncasecmp(rng, t, (size_t)(slash - t) + 1) && rng[rn - 1] == '*')
		return 2;
	return rn == tl && !strncasecmp(rng, t, tl) ? 3 : 0;
}

double req_accept_q(const struct req *r, const char *type)
{
	const char *a = req_header(r, "Accept"), *p, *end, *semi, *q;
	double best = 0, v;
	int spec = 0, m;
	size_t rn;

	if (!a || !*a)
		return 1;
	for (p = a; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		semi = memchr(p, ';', (size_t)(end - p));
		rn = (size_t)((semi ? semi : end) - p);
		while (rn && (p[rn - 1] == ' ' || p[rn - 1] == '\t'))
			rn--;
		if (!(m = range_match(p, rn, type)) || m < spec)
			continue;
		v = 1;
		/* The weight parameter "q" (RFC 9110 section 12.4.2): 0 to 1, three decimals. */
		for (q = semi; q && q < end; q = memchr(q + 1, ';', (size_t)(end - q - 1))) {
			char num[8];
			size_t k = 0;
			const char *s = q + 1;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (end - s < 3 || (*s != 'q' && *s != 'Q') || s[1] != '=')
				continue;
			for (s += 2; s < end && k < sizeof num - 1 && *s != ';' && *s != ' '; s++)
				num[k++] = *s;
			num[k] = '\0';
			if (!str_to_double(num, 0, 1, &v))
				v = 0;
		}
		if (m > spec || v > best)
			best = v;
		spec = m;
	}
	return best;
}

int req_prefers(const struct req *r, const char *type, const char *over)
{
	double q = req_accept_q(r, type);
	return q > 0 && q > req_accept_q(r, over);
}

const char *req_api_key(const struct req *r)
{
	const char *k = req_header(r, "X-Api-Key"), *a = req_header(r, "Authorization");

	if (k || !a || strncasecmp(a, "Bearer ", 7))
		return k;
	for (a += 7; *a == ' '; a++)
		;
	return *a ? a : NULL;
}

int req_wants_json(const struct req *r)
{
	if (req_api_key(r))
		return 1;
	return req_prefers(r, "application/json", "text/html");
}

/* Compares an origin "scheme://host[:port]" (or the start of a Referer, prefix_only) to
 * our own: scheme://Host, and, when Host carries no port (nginx passes $host, which
 * drops it), scheme://Host:SERVER_PORT too. */
static int origin_is_ours(const struct req *r, const char *o, int prefix_only)
{
	const char *host = req_header(r, "Host"), *port = req_env(r, "SERVER_PORT");
	char want[2][300];
	size_t n;
	int i, forms = 1;

	if (!host || !*host)
		return 0;
	if ((size_t)snprintf(want[0], sizeof want[0], "%s://%s", r->https ? "https" : "http", host) >= sizeof want[0])
		return 0;
	if (!strchr(host, ':') && !strchr(host, ']') && port && *port && strspn(port, "0123456789") == strlen(port) &&
	    (size_t)snprintf(want[1], sizeof want[1], "%s:%s", want[0], port) < sizeof want[1])
		forms = 2;
	for (i = 0; i < forms; i++) {
		n = strlen(want[i]);
		if (strncasecmp(o, want[i], n))
			continue;
		if (prefix_only ? (o[n] == '\0' || o[n] == '/') : o[n] == '\0')
			return 1;
	}
	return 0;
}

int req_same_origin(const struct req *r)
{
	const char *o = req_header(r, "Origin"), *ref;

	if (o && strcmp(o, "null"))
		return origin_is_ours(r, o, 0);
	if ((ref = req_header(r, "Referer")))
		return origin_is_ours(r, ref, 1);
	return 0;
}

int req_etag_match(const char *inm, const char *etag)
{
	const char *p = inm;
	size_t el = strlen(etag);

	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return 1;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (el && !strncmp(p, etag, el) && (p[el] == '\0' || p[el] == ',' || p[el] == ' ' || p[el] == '\t'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

enum err req_fail(struct req *r, enum err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof r->detail, fmt, ap);
	va_end(ap);
	return e;
}

/* Matches path against pattern segment by segment; "*" captures one non-empty
 * segment. Returns 1 on a match with r->params set, else 0. */
static int match(struct req *r, const char *pat, const char *path)
{
	int np = 0;

	while (*pat && *path) {
		if (*pat == '*') {
			const char *end = strchr(path, '/');
			if (!end)
				end = path + strlen(path);
			if (end == path || np >= 4)
				return 0;
			r->params[np++] = path;
			path = end;
			pat++;
		} else if (*pat++ != *path++) {
			return 0;
		}
	}
	if (*pat || *path)
		return 0;
	r->nparams = np;
	return 1;
}

/* Splits captured params in place: each "*" segment is NUL-terminated. */
static void cut_params(struct req *r)
{
	int i;

	for (i = 0; i < r->nparams; i++) {
		char *slash = strchr((char *)r->params[i], '/');
		if (slash)
			*slash = '\0';
	}
}

static enum err route(struct req *r, const struct route *routes, size_t n)
{
	const char *m = r->method;
	char allow[128] = "";
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++) {
		if (!match(r, routes[i].pattern, r->path))
			continue;
		any = 1;
		if (!strcmp(routes[i].method, m) || (!strcmp(m, "HEAD") && !strcmp(routes[i].method, "GET"))) {
			cut_params(r);
			return routes[i].fn(r);
		}
		if (strlen(allow) + 16 < sizeof allow) {
			if (*allow)
				strcat(allow, ", ");
			strcat(allow, routes[i].method);
			if (!strcmp(routes[i].method, "GET"))
				strcat(allow, ", HEAD");
		}
	}
	if (!any)
		return req_fail(r, ERR_NOT_FOUND, "no such path");
	resp_header(r, "Allow", "%s", allow);
	return req_fail(r, ERR_METHOD, "allowed: %s", allow);
}

/* Fills method, path, query and id from the environment. */
static enum err req_init(struct req *r)
{
	const char *uri = req_env(r, "REQUEST_URI"), *q = req_env(r, "QUERY_STRING");
	const char *rid = req_env(r, "REQUEST_ID"), *https = req_env(r, "HTTPS");
	const char *qm;
	char *dec;
	size_t n, dl, i;

	r->method = req_env(r, "REQUEST_METHOD");
	if (!r->method || !*r->method)
		r->method = "GET";
	if (rid && strlen(rid) < sizeof r->id && strspn(rid, "0123456789abcdefABCDEF-") == strlen(rid) && *rid)
		snprintf(r->id, sizeof r->id, "%s", rid);
	else if (!str_random_id(r->id))
		snprintf(r->id, sizeof r->id, "-");
	log_set_request(r->id);
	r->https = https && (!strcasecmp(https, "on") || !strcmp(https, "1"));
	if (!uri || !*uri)
		uri = "/";
	qm = strchr(uri, '?');
	n = qm ? (size_t)(qm - uri) : strlen(uri);
	if (n >= sizeof r->path)
		return req_fail(r, ERR_BAD_REQUEST, "the path is too long");
	if (!(dec = pct_decode(uri, n, 0, &dl)))
		return req_fail(r, ERR_BAD_REQUEST, "the path has a bad %% escape");
	for (i = 0; i < dl; i++)
		if ((unsigned char)dec[i] < 0x20) {
			free(dec);
			return req_fail(r, ERR_BAD_REQUEST, "the path has a control byte");
		}
	memcpy(r->path, dec, dl + 1);
	free(dec);
	if (q && strlen(q) > LIM_QUERY_BYTES)
		return req_fail(r, ERR_BAD_REQUEST, "the query string is too long");
	if (q && fields_parse_urlencoded(&r->query, q, strlen(q)))
		return req_fail(r, ERR_BAD_REQUEST, "the query string is malformed");
	return ERR_OK;
}

static void req_free(struct req *r)
{
	int i;

	fields_free(&r->query);
	free(r->body);
	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	buf_free(&r->out);
}

/* The router's own errors for paths under a prefix get that prefix's error shape. */
struct shape {
	const char *prefix;
	error_fn fn;
};

/* Plain CGI: reads what the handler left of the body (at most max_upload_bytes) before
 * answering. The server may pass the body over a socket (Apache's mod_cgid), and a
 * socket closed with bytes unread is reset, losing the answer; draining first also
 * keeps a large unread body from blocking the server while the answer is written. */
static void cgi_drain(const struct req *r)
{
	const char *cl = req_env(r, "CONTENT_LENGTH");
	long n = 0, cap = conf_int("max_upload_bytes");
	char buf[1 << 16];
	size_t k;

	if (r->fcgx || r->body_read || !cl || !str_to_long(cl, 1, 1L << 40, &n))
		return;
	if (n > cap)
		n = cap;
	while (n > 0 && (k = fread(buf, 1, (size_t)n < sizeof buf ? (size_t)n : sizeof buf, stdin)) > 0)
		n -= (long)k;
}

static void serve(struct req *r, const struct route *routes, size_t n, const struct shape *sh)
{
	enum err e;

	if (!(e = req_init(r)))
		e = route(r, routes, n);
	if (e && !r->on_error && sh->prefix && !strncmp(r->path, sh->prefix, strlen(sh->prefix)))
		r->on_error = sh->fn;
	if (e) {
		if (e != ERR_METHOD)
			log_info("%s %s -> %d %s%s%s", r->method, r->path, err_status(e), err_code(e),
			         *r->detail ? ": " : "", r->detail);
		resp_error(r, e, *r->detail ? r->detail : NULL);
	} else if (!r->done) {
		log_error("%s %s: handler composed no response", r->method, r->path);
		resp_error(r, ERR_INTERNAL, NULL);
	}
	cgi_drain(r);
	if (resp_send(r))
		log_warn("could not send the response (client gone?)");
	log_set_request(NULL);
}

int app_main(const char *prog, const struct route *routes, size_t nroutes)
{
	return app_main_shaped(prog, routes, nroutes, NULL, NULL);
}

int app_main_shaped(const char *prog, const struct route *routes, size_t nroutes, const char *prefix,
                    error_fn shape)
{
	const struct shape sh = { prefix, shape };
	char why[512];
	FCGX_Request fr;

	log_init(prog);
	signal(SIGPIPE, SIG_IGN);
	if (conf_load(why, sizeof why)) {
		log_error("refusing to start: %s", why);
		return 1;
	}
	lim_worker_init();
	if (FCGX_IsCGI()) {
		struct req r;
		memset(&r, 0, sizeof r);
		lim_request_begin();
		serve(&r, routes, nroutes, &sh);
		req_free(&r);
		store_close();
		return 0;
	}
	if (FCGX_Init() || FCGX_InitRequest(&fr, 0, 0)) {
		log_error("refusing to start: FastCGI initialisation failed");
		return 1;
	}
	lim_worker_session();
	while (FCGX_Accept_r(&fr) >= 0) {
		struct req r;
		memset(&r, 0, sizeof r);
		r.fcgx = &fr;
		lim_request_begin();
		serve(&r, routes, nroutes, &sh);
		req_free(&r);
		FCGX_Finish_r(&fr);
		lim_request_end();
	}
	store_close();
	return 0;
}
