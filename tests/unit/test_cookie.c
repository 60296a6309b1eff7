/* test_cookie.c: reading cookies (req_cookie, req_cookie_next) from the whole Cookie
 * header, and the user id (ident_get) taken from the first valid of several cookies of
 * its name: a stale duplicate or many other cookies never cost a visitor its identity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "conf.h"
#include "req.h"
#include "resp.h"
#include "store.h"
#include "tap.h"
#include "uid.h"

#define SECRET "unit-test-secret-unit-test-secret-0123456789"

/* Sets the Cookie header of the (plain CGI) request. */
static void cookie(const char *v)
{
	setenv("HTTP_COOKIE", v, 1);
}

/* The user id ident_get() gives for the current Cookie header; *is_new as it says. */
static enum err who(char user[40], int *is_new)
{
	struct req r;
	struct ident id;
	enum err e;

	memset(&r, 0, sizeof r);
	e = ident_get(&r, NULL, &id);
	snprintf(user, 40, "%s", id.user_id);
	*is_new = id.is_new;
	resp_reset(&r);
	return e;
}

int main(void)
{
	char dir[512], why[256], out[128], good[UID_COOKIE_BYTES], user[40];
	const char *id = "0123456789abcdef0123456789abcdef", *pos;
	struct req r;
	struct buf h = { 0 };
	int i, n, is_new;

	memset(&r, 0, sizeof r);
	snprintf(dir, sizeof dir, "%s/cookie.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : ".");
	if (!mkdtemp(dir))
		return 1;
	setenv("BACKDROP_CONF", "/dev/null", 1);
	setenv("BACKDROP_ENV_FILE", "/dev/null", 1);
	setenv("BACKDROP_DATA_DIR", dir, 1);
	setenv("BACKDROP_SECRET", SECRET, 1);
	ok(conf_load(why, sizeof why) == ERR_OK, "the settings load (%s)", why);
	ok(uid_sign(id, (const unsigned char *)SECRET, strlen(SECRET), good), "a signed id is made");

	/* The parser. */
	unsetenv("HTTP_COOKIE");
	ok(!req_cookie(&r, "a", out, sizeof out), "no Cookie header, no cookie");
	cookie("a=1; b=2; a=3");
	ok(req_cookie(&r, "a", out, sizeof out) && !strcmp(out, "1"), "req_cookie gives the first");
	pos = NULL;
	n = 0;
	while (req_cookie_next(&r, "a", &pos, out, sizeof out))
		n = n * 10 + atoi(out);
	is_int(n, 13, "req_cookie_next walks every cookie of the name in order");
	ok(!req_cookie_next(&r, "a", &pos, out, sizeof out), "and stays at the end");
	cookie("a=\"quoted\";b=x;  c=  ;d");
	ok(req_cookie(&r, "a", out, sizeof out) && !strcmp(out, "quoted"), "quotes are removed");
	ok(req_cookie(&r, "b", out, sizeof out) && !strcmp(out, "x"), "no space after ';' is fine");
	ok(req_cookie(&r, "c", out, sizeof out) && !strcmp(out, "  "), "a value is taken as sent");
	ok(!req_cookie(&r, "d", out, sizeof out), "a pair without '=' is no cookie");
	ok(!req_cookie(&r, "", out, sizeof out), "an empty name matches nothing here");
	cookie("ab=1; a=2");
	ok(req_cookie(&r, "a", out, sizeof out) && !strcmp(out, "2"), "a name is matched whole, not as a prefix");
	cookie("a=waytoolongforthebuffer; a=ok");
	ok(req_cookie(&r, "a", out, 8) && !strcmp(out, "ok"), "a value too long for the buffer is skipped, not cut");
	buf_free(&h);
	for (i = 0; i < 300; i++)
		buf_printf(&h, "c%d=v%d; ", i, i);
	buf_adds(&h, "a=last");
	cookie(h.data);
	ok(req_cookie(&r, "a", out, sizeof out) && !strcmp(out, "last"), "the 301st cookie is read (%zu bytes)", h.len);
	buf_free(&h);

	/* The identity. */
	unsetenv("HTTP_COOKIE");
	ok(!who(user, &is_new) && is_new, "no cookie: a new identity");
	buf_printf(&h, "backdrop_uid=%s", good);
	cookie(h.data);
	ok(!who(user, &is_new) && !is_new && !strcmp(user, id), "the valid cookie alone keeps the identity");
	buf_free(&h);
	buf_printf(&h, "backdrop_uid=garbage; backdrop_uid=%s", good);
	cookie(h.data);
	ok(!who(user, &is_new) && !is_new && !strcmp(user, id), "garbage first, the valid one second: the identity is kept");
	buf_free(&h);
	{
		char stale[UID_COOKIE_BYTES];
		ok(uid_sign("ffffffffffffffffffffffffffffffff", (const unsigned char *)"another-secret-another-secret-0123", 34, stale),
		   "a cookie signed under another secret is made");
		buf_printf(&h, "backdrop_uid=%s; backdrop_uid=\"%s\"", stale, good);
		cookie(h.data);
		ok(!who(user, &is_new) && !is_new && !strcmp(user, id), "a stale signed id first, the valid one (quoted) second: kept");
		buf_free(&h);
		buf_printf(&h, "backdrop_uid=%s; backdrop_uid=also-garbage", stale);
		cookie(h.data);
		ok(!who(user, &is_new) && is_new && strcmp(user, id) && strcmp(user, "ffffffffffffffffffffffffffffffff"),
		   "no valid one among several: a new identity");
		buf_free(&h);
	}
	for (i = 0; i < 40; i++)
		buf_printf(&h, "tracker_%d=%d; ", i, i * 7919);
	buf_printf(&h, "backdrop_uid=%s", good);
	cookie(h.data);
	ok(!who(user, &is_new) && !is_new && !strcmp(user, id), "40 unrelated cookies before the valid one: the identity is kept");
	buf_free(&h);
	for (i = 0; i < 40; i++)
		buf_printf(&h, "backdrop_uid=junk%d; ", i);
	buf_printf(&h, "backdrop_uid=%s", good);
	cookie(h.data);
	ok(!who(user, &is_new) && !is_new && !strcmp(user, id), "40 bad duplicates before the valid one: the identity is kept");
	buf_free(&h);
	store_close();
	tap_done();
}
