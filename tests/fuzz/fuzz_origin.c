/* fuzz_origin.c: the same-origin check (req_same_origin) that guards rename and delete.
 * The input holds Host, SERVER_PORT, Origin and Referer separated by newlines (a
 * missing one is unset). An origin is accepted only when it is exactly
 * http://HOST or http://HOST:PORT (case aside), or a Referer starting with one of
 * them followed by '/' or its end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fuzz_env.h"
#include "req.h"

static const char *const vars[] = { "HTTP_HOST", "SERVER_PORT", "HTTP_ORIGIN", "HTTP_REFERER" };

/* 1 when o is ours as the comment above says (prefix: Referer rules). */
static int ours(const char *host, const char *port, const char *o, int prefix)
{
	char want[2][400];
	size_t n;
	int i;

	if (!host || !*host)
		return 0;
	snprintf(want[0], sizeof want[0], "http://%s", host);
	snprintf(want[1], sizeof want[1], "http://%s:%s", host, port ? port : "");
	for (i = 0; i < 2; i++) {
		n = strlen(want[i]);
		if (!strncasecmp(o, want[i], n) && (o[n] == '\0' || (prefix && o[n] == '/')))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *v[4] = { NULL, NULL, NULL, NULL }, *p;
	struct req r;
	int i, got;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0, p = s; i < 4 && p; i++) {
		v[i] = p;
		if ((p = strchr(p, '\n')))
			*p++ = '\0';
	}
	for (i = 0; i < 4; i++) {
		if (v[i] && strlen(v[i]) <= 8192)
			fuzz_setenv(i, vars[i], v[i]);
		else
			fuzz_unsetenv(i, vars[i]);
	}
	memset(&r, 0, sizeof r);
	got = req_same_origin(&r);
	if (got) {
		const char *o = getenv("HTTP_ORIGIN");
		if (o && strcmp(o, "null")) {
			if (!ours(v[0], v[1], o, 0))
				abort();
		} else if (!getenv("HTTP_REFERER") || !ours(v[0], v[1], getenv("HTTP_REFERER"), 1)) {
			abort();
		}
	}
	for (i = 0; i < 4; i++)
		fuzz_unsetenv(i, vars[i]);
	free(s);
	return 0;
}
