/* fetch.h: safe URL fetching (libcurl) with address checks on every connection, data:
 * URLs and base64, for every URL a client may hand us (origin_img, template_url,
 * image_url, bg_image_url, callback_url). */
#ifndef BACKDROP_FETCH_H
#define BACKDROP_FETCH_H

#include <stddef.h>
#include <sys/socket.h>
#include "err.h"

#define FETCH_ALLOW_MAX 16   /* networks in the fetch_allow list */

/* A parsed allow-list of networks (CIDRs) that fetches may reach despite being in a
 * refused range. A zeroed struct allows nothing extra. */
struct fetch_allow {
	int n;
	struct {
		int family;              /* AF_INET or AF_INET6 */
		unsigned char addr[16];  /* network bytes (4 used for AF_INET) */
		int bits;                /* prefix length */
	} net[FETCH_ALLOW_MAX];
};

/* Parses a comma-separated list of CIDRs ("127.0.0.1/32, ::1/128"; a bare address
 * means a single host; spaces around items are ignored; "" is an empty list) into a.
 * Strict: inet_pton forms only, prefix 0..32 or 0..128, host bits must be zero, at
 * most FETCH_ALLOW_MAX items. Returns 1, or 0 (a then holds nothing). */
int fetch_allow_parse(const char *s, struct fetch_allow *a);

/* The address policy: 1 if a connection to sa may be made, else 0 with *why (may be
 * NULL) set to a static name of the refused range ("loopback", "private", ...).
 * Allowed: addresses in allow (may be NULL), and public unicast addresses. Refused:
 * IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4, 240/4;
 * IPv6 ::/128, ::1, ::/96 (IPv4-compatible), 100::/64, 2001::/32 (Teredo),
 * 2001:db8::/32, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 64:ff9b:1::/48; the IPv4
 * embedded in ::ffff:0:0/96, 64:ff9b::/96 and 2002::/16 is checked as IPv4 (the
 * allow-list included). A family other than AF_INET/AF_INET6 is refused. */
int fetch_addr_allowed(const struct sockaddr *sa, const struct fetch_allow *allow, const char **why);

/* A downloaded body (malloc'd, NUL-terminated; len excludes the NUL) and its
 * declared Content-Type (may be ""). fetch_result_free() frees and zeroes it. */
struct fetch_result {
	char *data;
	size_t len;
	long status;
	char type[128];
};
void fetch_result_free(struct fetch_result *res);

/*
 * GETs an http(s) URL under the conf settings: fetch_allow, fetch_timeout,
 * fetch_connect_timeout, fetch_max_redirects (each hop re-checked), and at most cap
 * bytes (checked while downloading). Every address curl connects to passes
 * fetch_addr_allowed(); proxies from the environment are ignored. Returns ERR_OK with
 * a 2xx body in *res; ERR_FETCH_BLOCKED (a scheme: why names it; a refused address:
 * why is "the URL is not allowed", never the address or its range, which go to the
 * log); ERR_FETCH (DNS, connect, timeout, HTTP status, over cap, too many redirects).
 * why[n] gets a client-safe reason on every error.
 */
enum err fetch_get(const char *url, size_t cap, struct fetch_result *res, char *why, size_t n);

/*
 * POSTs body (type ctype) to an http(s) URL under the same rules (no redirects are
 * followed), with extra headers (NULL-terminated "Name: value" strings, may be NULL).
 * *status gets the HTTP status (0 when none arrived). ERR_OK for any 2xx; ERR_FETCH
 * with why for other statuses and failures; ERR_FETCH_BLOCKED as fetch_get().
 */
enum err fetch_post(const char *url, const char *ctype, const void *body, size_t len,
                    const char *const *headers, long *status, char *why, size_t n);

/* Decodes standard base64 (RFC 4648 section 4; padding optional, ASCII white space
 * skipped) of s[0..n) into a new buffer *out (caller frees; NUL-terminated), refusing
 * before allocating when the result would exceed cap. ERR_BAD_FIELD (bad character,
 * bad length, bad padding), ERR_TOO_LARGE, ERR_NOMEM. */
enum err fetch_b64_decode(const char *s, size_t n, size_t cap, char **out, size_t *outlen);
/* Encodes n bytes as standard base64 into a new NUL-terminated string (caller frees),
 * or NULL on no memory or overflow. */
char *fetch_b64_encode(const void *p, size_t n);

/* Decodes a data: URL (RFC 2397) "data:[type][;param...];base64,DATA" of s[0..n):
 * only base64 data is accepted. mime[mlen] gets the declared type (lower-cased, may
 * be ""). Errors as fetch_b64_decode(), ERR_BAD_FIELD for a malformed URL. */
enum err fetch_data_url(const char *s, size_t n, size_t cap, char **out, size_t *outlen,
                        char *mime, size_t mlen);

/* The bytes behind a source string: a data: URL, or an http(s) URL fetched with
 * fetch_get(). *out (caller frees) and *outlen; errors as those two, why[n] set. */
enum err fetch_source(const char *src, size_t cap, char **out, size_t *outlen, char *why, size_t n);

/* Initialises libcurl once per process (call before threads; idempotent). */
void fetch_global_init(void);

#endif
