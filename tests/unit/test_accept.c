/* test_accept.c: content negotiation (req_accept_q, req_prefers, req_wants_json) by the
 * q-values of RFC 9110 section 12.5.1, and the API key of a request (req_api_key) from
 * X-Api-Key or Authorization: Bearer. */
#include <stdlib.h>
#include <string.h>
#include "req.h"
#include "tap.h"

static struct req r;

/* Sets the Accept header of the (plain CGI) request; NULL removes it. */
static void set_accept(const char *v)
{
	if (v)
		setenv("HTTP_ACCEPT", v, 1);
	else
		unsetenv("HTTP_ACCEPT");
}

/* The quality for type, in thousandths (q has at most three decimals). */
static long q(const char *type)
{
	return (long)(req_accept_q(&r, type) * 1000 + 0.5);
}

int main(void)
{
	unsetenv("HTTP_X_API_KEY");
	unsetenv("HTTP_AUTHORIZATION");
	set_accept(NULL);
	is_int(q("image/png"), 1000, "no Accept: everything at q=1");
	ok(!req_prefers(&r, "application/json", "image/png"), "no Accept: the route's natural answer");

	set_accept("application/json, text/plain, */*");
	is_int(q("application/json"), 1000, "axios: JSON at 1");
	is_int(q("image/png"), 1000, "axios: an image at 1 through */*");
	ok(!req_prefers(&r, "application/json", "image/png"), "axios: a tie goes to the image");

	set_accept("application/json");
	is_int(q("image/png"), 0, "only JSON: an image at 0");
	ok(req_prefers(&r, "application/json", "image/png"), "only JSON: JSON");

	set_accept("image/*;q=0.5, application/json");
	is_int(q("image/webp"), 500, "image/* matches image/webp at its q");
	ok(req_prefers(&r, "application/json", "image/webp"), "JSON preferred by q");

	set_accept("application/json;q=0.5, image/png");
	ok(!req_prefers(&r, "application/json", "image/png"), "the image preferred by q");

	set_accept("*/*;q=0.1, image/*;q=0.2, image/png;q=0.3");
	is_int(q("image/png"), 300, "the most specific range wins (exact)");
	is_int(q("image/jpeg"), 200, "then the subtype wildcard");
	is_int(q("text/html"), 100, "then the full wildcard");

	set_accept("application/json;q=0, */*");
	is_int(q("application/json"), 0, "q=0 refuses a type a wildcard would allow");
	ok(!req_prefers(&r, "application/json", "image/png"), "and it is never preferred");

	set_accept("Application/JSON ; Q=0.9 , image/*;q=0.1");
	is_int(q("application/json"), 900, "types and the q parameter are case-insensitive, spaces allowed");

	set_accept("application/json;charset=utf-8;q=0.7, text/html;level=1");
	is_int(q("application/json"), 700, "q after another parameter");
	is_int(q("text/html"), 1000, "a parameter without q keeps q=1");

	set_accept("application/json;q=2, image/png;q=abc");
	is_int(q("application/json"), 0, "a q over 1 is refused (0)");
	is_int(q("image/png"), 0, "a q that is no number is refused (0)");

	set_accept("application/jsonx, application/jso");
	is_int(q("application/json"), 0, "no prefix matching");

	set_accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
	ok(!req_wants_json(&r), "a browser's Accept wants the page");
	set_accept("text/html;q=0.2, application/json");
	ok(req_wants_json(&r), "JSON over HTML by q");
	set_accept("application/json, text/html");
	ok(!req_wants_json(&r), "a tie between JSON and HTML is the page");

	set_accept(NULL);
	is_str(req_api_key(&r), NULL, "no key");
	setenv("HTTP_AUTHORIZATION", "Bearer  bdk_abc", 1);
	is_str(req_api_key(&r), "bdk_abc", "Authorization: Bearer gives the key");
	ok(req_wants_json(&r), "a Bearer key wants JSON, as X-Api-Key does");
	setenv("HTTP_AUTHORIZATION", "bearer bdk_abc", 1);
	is_str(req_api_key(&r), "bdk_abc", "the scheme is case-insensitive");
	setenv("HTTP_AUTHORIZATION", "Basic dXNlcjpwYXNz", 1);
	is_str(req_api_key(&r), NULL, "another scheme is no key");
	setenv("HTTP_AUTHORIZATION", "Bearer ", 1);
	is_str(req_api_key(&r), NULL, "an empty token is no key");
	setenv("HTTP_AUTHORIZATION", "Bearer bdk_abc", 1);
	setenv("HTTP_X_API_KEY", "bdk_first", 1);
	is_str(req_api_key(&r), "bdk_first", "X-Api-Key comes first");
	tap_done();
}
