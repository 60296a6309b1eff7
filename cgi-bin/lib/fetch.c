/* fetch.c: safe URL fetching: the address policy, libcurl with a check on every socket
 * it opens (each redirect hop, each resolved address, DNS rebinding included), byte and
 * time caps; data: URLs and base64. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "buf.h"
#include "conf.h"
#include "fetch.h"
#include "lim.h"
#include "log.h"
#include "str.h"

#define FETCH_URL_MAX   8192    /* bytes of a URL we accept */
#define FETCH_POST_CAP  65536   /* bytes of a webhook receiver's answer we keep */
/* What the client is told about a refused address: never the address or its range. */
#define FETCH_NOT_ALLOWED "the URL is not allowed"

/* ---- the address policy ---- */

static const struct {
	uint32_t net;
	int bits;
	const char *why;
} v4_refused[] = {
	{ 0x00000000, 8,  "this-network (0/8)" },
	{ 0x0A000000, 8,  "private" },
	{ 0x64400000, 10, "shared CGNAT (100.64/10)" },
	{ 0x7F000000, 8,  "loopback" },
	{ 0xA9FE0000, 16, "link-local" },
	{ 0xAC100000, 12, "private" },
	{ 0xC0000000, 24, "IETF protocol assignments (192.0.0/24)" },
	{ 0xC0000200, 24, "documentation" },
	{ 0xC0586300, 24, "6to4 relay anycast" },
	{ 0xC0A80000, 16, "private" },
	{ 0xC6120000, 15, "benchmarking (198.18/15)" },
	{ 0xC6336400, 24, "documentation" },
	{ 0xCB007100, 24, "documentation" },
	{ 0xE0000000, 4,  "multicast" },
	{ 0xF0000000, 4,  "reserved (240/4, broadcast)" },
};

static const struct {
	unsigned char net[16];
	int bits;
	const char *why;
} v6_refused[] = {
	{ { 0 }, 128, "unspecified" },
	{ { [15] = 1 }, 128, "loopback" },
	{ { 0 }, 96, "IPv4-compatible (deprecated)" },
	{ { 0x01, 0x00 }, 64, "discard-only (100::/64)" },
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "local-use NAT64 (64:ff9b:1::/48)" },
	{ { 0x20, 0x01, 0x00, 0x00 }, 32, "Teredo (2001::/32)" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation" },
	{ { 0xfc }, 7, "unique-local" },
	{ { 0xfe, 0x80 }, 10, "link-local" },
	{ { 0xfe, 0xc0 }, 10, "site-local (deprecated)" },
	{ { 0xff }, 8, "multicast" },
};

/* 1 if the first bits of a and b are equal. */
static int prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole))
		return 0;
	if (!rest)
		return 1;
	return ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int in_allow(const struct fetch_allow *allow, int family, const unsigned char *addr)
{
	int i;

	for (i = 0; allow && i < allow->n; i++)
		if (allow->net[i].family == family && prefix_eq(allow->net[i].addr, addr, allow->net[i].bits))
			return 1;
	return 0;
}

/* The IPv4 policy on 4 network-order bytes. */
static int v4_allowed(const unsigned char *b, const struct fetch_allow *allow, const char **why)
{
	uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	size_t i;

	if (in_allow(allow, AF_INET, b))
		return 1;
	for (i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
		uint32_t mask = v4_refused[i].bits ? 0xFFFFFFFFu << (32 - v4_refused[i].bits) : 0;
		if ((a & mask) == v4_refused[i].net) {
			if (why)
				*why = v4_refused[i].why;
			return 0;
		}
	}
	return 1;
}

int fetch_addr_allowed(const struct sockaddr *sa, const struct fetch_allow *allow, const char **why)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	const unsigned char *b;
	size_t i;

	if (why)
		*why = "not an IP address";
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET)
		return v4_allowed((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr, allow, why);
	if (sa->sa_family != AF_INET6)
		return 0;
	b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (in_allow(allow, AF_INET6, b))
		return 1;
	/* Forms that carry an IPv4 address are judged by it. */
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12))
		return v4_allowed(b + 12, allow, why);
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_allowed(b + 2, allow, why);
	for (i = 0; i < sizeof v6_refused / sizeof v6_refused[0]; i++)
		if (prefix_eq(b, v6_refused[i].net, v6_refused[i].bits)) {
			if (why)
				*why = v6_refused[i].why;
			return 0;
		}
	return 1;
}

int fetch_allow_parse(const char *s, struct fetch_allow *a)
{
	char item[80], *slash;
	const char *p = s, *end;
	size_t len;
	long bits;
	int fam, max, i;

	memset(a, 0, sizeof *a);
	while (p && *p) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len || len >= sizeof item || a->n >= FETCH_ALLOW_MAX)
			goto bad;
		memcpy(item, p, len);
		item[len] = '\0';
		slash = strchr(item, '/');
		if (slash)
			*slash++ = '\0';
		fam = strchr(item, ':') ? AF_INET6 : AF_INET;
		max = fam == AF_INET ? 32 : 128;
		if (inet_pton(fam, item, a->net[a->n].addr) != 1)
			goto bad;
		bits = max;
		if (slash && !str_to_long(slash, 0, max, &bits))
			goto bad;
		/* Host bits must be zero: "10.0.0.1/8" is a mistake, not a network. */
		for (i = (int)bits; i < max; i++)
			if (a->net[a->n].addr[i / 8] & (0x80 >> (i % 8)))
				goto bad;
		a->net[a->n].family = fam;
		a->net[a->n].bits = (int)bits;
		a->n++;
		p = end ? end + 1 : NULL;
	}
	return 1;
bad:
	memset(a, 0, sizeof *a);
	return 0;
}

/* ---- libcurl ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

void fetch_result_free(struct fetch_result *res)
{
	if (!res)
		return;
	free(res->data);
	memset(res, 0, sizeof *res);
}

/* One transfer's state, shared with the callbacks. */
struct xfer {
	struct fetch_allow allow;
	int blocked;
	char why[200];
	struct buf body;
	size_t cap;
	int over;
};

static curl_socket_t open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = p;
	const char *why = NULL;
	char host[INET6_ADDRSTRLEN] = "?";
	const void *ip;

	(void)purpose;
	if (!fetch_addr_allowed(&a->addr, &x->allow, &why)) {
		ip = a->family == AF_INET ? (const void *)&((struct sockaddr_in *)(void *)&a->addr)->sin_addr
		                          : (const void *)&((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr;
		if (a->family == AF_INET || a->family == AF_INET6)
			inet_ntop(a->family, ip, host, sizeof host);
		x->blocked = 1;
		snprintf(x->why, sizeof x->why, "address %s is %s", host, why);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (n > x->cap || x->body.len > x->cap - n) {
		x->over = 1;
		return 0;
	}
	return buf_add(&x->body, p, n) ? 0 : n;
}

/* Checks the scheme of url: 1 when http or https, else 0 with why. */
static enum err check_url(const char *url, char *why, size_t n)
{
	CURLU *u;
	char *scheme = NULL;
	enum err e = ERR_OK;

	if (strlen(url) > FETCH_URL_MAX) {
		snprintf(why, n, "the URL is longer than %d bytes", FETCH_URL_MAX);
		return ERR_BAD_FIELD;
	}
	if (!(u = curl_url()))
		return ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
		snprintf(why, n, "the URL is malformed");
		e = ERR_BAD_FIELD;
	} else if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		snprintf(why, n, "scheme %.20s is not allowed (http and https only)", scheme);
		e = ERR_FETCH_BLOCKED;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	return e;
}

/* A curl handle with the common safety settings, bound to x. */
/* Starts a transfer of url into x (cleared, with a cap of cap bytes): the URL is
 * checked and a handle is set up with the address checks on every connection. */
static enum err easy(const char *url, size_t cap, struct xfer *x, CURL **out, char *why,
                     size_t n)
{
	CURL *c;
	enum err e;

	memset(x, 0, sizeof *x);
	x->cap = cap;
	*out = NULL;
	snprintf(why, n, "out of memory");
	if ((e = check_url(url, why, n)))
		return e;
	fetch_global_init();
	if (!fetch_allow_parse(conf_str("fetch_allow"), &x->allow)) {
		snprintf(why, n, "fetch_allow is not a list of networks");
		return ERR_INTERNAL;
	}
	if (!(*out = c = curl_easy_init()))
		return ERR_INTERNAL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, conf_int("fetch_connect_timeout"));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, conf_int("fetch_timeout"));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->cap);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Backdrop/" BACKDROP_VERSION);
	return ERR_OK;
}

/* Maps a finished transfer to our error and a client-safe reason. */
static enum err finish(CURL *c, CURLcode rc, struct xfer *x, long *status, char *why, size_t n)
{
	long code = 0;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*status = code;
	if (rc == CURLE_OK) {
		if (code >= 200 && code < 300)
			return ERR_OK;
		snprintf(why, n, "the server answered HTTP %ld", code);
		return ERR_FETCH;
	}
	if (x->blocked) {
		/* The address and its range stay in the log: told to the client, they would
		 * answer what any name resolves to (and what lies behind a redirect). */
		log_info("fetch refused: %s", x->why);
		snprintf(why, n, "%s", FETCH_NOT_ALLOWED);
		return ERR_FETCH_BLOCKED;
	}
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(why, n, "a redirect named a scheme other than http or https");
		return ERR_FETCH_BLOCKED;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(why, n, "the host name does not resolve");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(why, n, "timed out (limits: connect %lds, total %lds)",
		         conf_int("fetch_connect_timeout"), conf_int("fetch_timeout"));
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(why, n, "more than %ld redirects", conf_int("fetch_max_redirects"));
		break;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		if (rc == CURLE_FILESIZE_EXCEEDED || x->over) {
			snprintf(why, n, "the download is larger than %zu bytes", x->cap);
			break;
		}
		/* fall through */
	default:
		snprintf(why, n, "%s", curl_easy_strerror(rc));
	}
	return ERR_FETCH;
}

enum err fetch_get(const char *url, size_t cap, struct fetch_result *res, char *why, size_t n)
{
	struct xfer x;
	CURL *c = NULL;
	CURLcode rc;
	char *ct = NULL;
	enum err e;

	memset(res, 0, sizeof *res);
	if ((e = easy(url, cap, &x, &c, why, n)))
		goto out;
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, conf_int("fetch_max_redirects"));
	rc = curl_easy_perform(c);
	if ((e = finish(c, rc, &x, &res->status, why, n)))
		goto out;
	if (!curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) && ct)
		snprintf(res->type, sizeof res->type, "%s", ct);
	if (!x.body.data && buf_add(&x.body, "", 0)) {
		e = ERR_NOMEM;
		goto out;
	}
	res->data = buf_take(&x.body, &res->len);
	*why = '\0';
out:
	if (e)
		log_info("fetch %.200s: %s", url, why);
	buf_free(&x.body);
	if (c)
		curl_easy_cleanup(c);
	return e;
}

enum err fetch_post(const char *url, const char *ctype, const void *body, size_t len,
                    const char *const *headers, long *status, char *why, size_t n)
{
	struct xfer x;
	struct curl_slist *hl = NULL, *t;
	CURL *c = NULL;
	char ctline[160];
	enum err e;
	int i;

	*status = 0;
	if ((e = easy(url, FETCH_POST_CAP, &x, &c, why, n)))
		goto out;
	snprintf(ctline, sizeof ctline, "Content-Type: %s", ctype);
	if (!(hl = curl_slist_append(hl, ctline)))
		goto nomem;
	for (i = 0; headers && headers[i]; i++) {
		if (!(t = curl_slist_append(hl, headers[i])))
			goto nomem;
		hl = t;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	/* The receiver's answer only matters by its status; a long one is not an error. */
	e = finish(c, curl_easy_perform(c), &x, status, why, n);
	if (e == ERR_FETCH && x.over && *status >= 200 && *status < 300)
		e = ERR_OK;
	goto out;
nomem:
	e = ERR_NOMEM;
out:
	curl_slist_free_all(hl);
	buf_free(&x.body);
	if (c)
		curl_easy_cleanup(c);
	return e;
}

/* ---- base64 and data: URLs ---- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum err fetch_b64_decode(const char *s, size_t n, size_t cap, char **out, size_t *outlen)
{
	size_t i, cnt = 0, pad = 0, len, j = 0;
	unsigned char *o;
	uint32_t acc = 0;
	int bits = 0, v;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (is_ws(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (b64val(c) < 0 || pad)
			return ERR_BAD_FIELD;
		cnt++;
	}
	if (pad > 2 || cnt % 4 == 1 || (pad && (cnt + pad) % 4))
		return ERR_BAD_FIELD;
	len = cnt / 4 * 3 + (cnt % 4 == 2 ? 1 : cnt % 4 == 3 ? 2 : 0);
	if (len > cap)
		return ERR_TOO_LARGE;
	if (!(o = malloc(len + 1)))
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[j++] = (unsigned char)(acc >> bits);
		}
	}
	o[j] = '\0';
	*out = (char *)o;
	*outlen = j;
	return ERR_OK;
}

char *fetch_b64_encode(const void *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *b = p;
	size_t i, j = 0, olen;
	char *o;

	if (n > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	olen = (n + 2) / 3 * 4;
	if (!(o = malloc(olen + 1)))
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		o[j++] = al[v >> 18];
		o[j++] = al[v >> 12 & 63];
		o[j++] = al[v >> 6 & 63];
		o[j++] = al[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0);
		o[j++] = al[v >> 18];
		o[j++] = al[v >> 12 & 63];
		o[j++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		o[j++] = '=';
	}
	o[j] = '\0';
	return o;
}

enum err fetch_data_url(const char *s, size_t n, size_t cap, char **out, size_t *outlen,
                        char *mime, size_t mlen)
{
	const char *comma, *semi;
	size_t hl, tl, i;

	*out = NULL;
	*outlen = 0;
	if (mlen)
		*mime = '\0';
	if (n < 5 || strncasecmp(s, "data:", 5))
		return ERR_BAD_FIELD;
	/* The header (type and parameters) is short; do not scan megabytes for a comma. */
	comma = memchr(s + 5, ',', n - 5 < 256 ? n - 5 : 256);
	if (!comma)
		return ERR_BAD_FIELD;
	hl = (size_t)(comma - (s + 5));
	if (hl < 7 || strncasecmp(comma - 7, ";base64", 7))
		return ERR_BAD_FIELD;
	semi = memchr(s + 5, ';', hl);
	tl = (size_t)(semi - (s + 5));
	for (i = 0; i < tl; i++)
		if ((unsigned char)s[5 + i] <= 0x20 || (unsigned char)s[5 + i] >= 0x7f)
			return ERR_BAD_FIELD;
	if (mlen) {
		if (tl >= mlen)
			tl = mlen - 1;
		for (i = 0; i < tl; i++)
			mime[i] = (char)tolower((unsigned char)s[5 + i]);
		mime[tl] = '\0';
	}
	return fetch_b64_decode(comma + 1, n - (size_t)(comma + 1 - s), cap, out, outlen);
}

enum err fetch_source(const char *src, size_t cap, char **out, size_t *outlen, char *why, size_t n)
{
	struct fetch_result res;
	char mime[64];
	enum err e;

	*out = NULL;
	*outlen = 0;
	if (str_prefix_ci(src, "data:")) {
		e = fetch_data_url(src, strlen(src), cap, out, outlen, mime, sizeof mime);
		if (e == ERR_BAD_FIELD)
			snprintf(why, n, "not a base64 data: URL (data:TYPE;base64,DATA)");
		else if (e == ERR_TOO_LARGE)
			snprintf(why, n, "the data: URL holds more than %zu bytes", cap);
		return e;
	}
	if ((e = fetch_get(src, cap, &res, why, n)))
		return e;
	*out = res.data;
	*outlen = res.len;
	return ERR_OK;
}
