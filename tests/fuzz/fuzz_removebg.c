/* fuzz_removebg.c: the remove.bg and rembg field readers on untrusted request bodies:
 * removebg_parse() (JSON objects of scalars, multipart and urlencoded forms, then every
 * field through the option vocabulary; it downloads nothing) and removebg_rembg() for a
 * POST (the form or the raw body; without a query there is no url to fetch, and the
 * engine runs under a 4096-pixel cap on what the body holds). The input's first line
 * is the Content-Type, the rest the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "fuzz_env.h"
#include "removebg.h"
#include "resp.h"

/* The request as a program would have it after reading the body. */
static void fake(struct req *r, const uint8_t *body, size_t n)
{
	memset(r, 0, sizeof *r);
	r->method = "POST";
	snprintf(r->path, sizeof r->path, "/v1.0/removebg");
	r->body = malloc(n + 1);
	if (r->body) {
		memcpy(r->body, body, n);
		r->body[n] = '\0';
		r->body_len = n;
		r->body_read = 1;
	}
}

static void done(struct req *r)
{
	resp_reset(r);
	fields_free(&r->query);
	free(r->body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	const uint8_t *nl = memchr(data, '\n', size);
	struct removebg_req q;
	struct img_result res;
	struct req r;
	char why[256], code[64], type[16], *ct;
	size_t cl;

	if (!loaded) {
		/* The defaults, but no network model (seconds to load) and small images. */
		setenv("BACKDROP_CONF", "/dev/null", 1);
		setenv("BACKDROP_CUTOUT_MODEL", "none", 1);
		setenv("BACKDROP_MAX_PIXELS", "4096", 1);
		if (conf_load(why, sizeof why)) {
			fprintf(stderr, "fuzz_removebg: %s\n", why);
			abort();
		}
		loaded = 1;
	}
	if (!nl || !(ct = malloc((cl = (size_t)(nl - data)) + 1)))
		return 0;
	memcpy(ct, data, cl);
	ct[cl] = '\0';
	fuzz_setenv(0, "CONTENT_TYPE", ct);
	fake(&r, nl + 1, size - cl - 1);
	if (r.body) {
		removebg_parse(&r, &q, code, sizeof code);
		removebg_req_free(&q);
	}
	done(&r);
	fake(&r, nl + 1, size - cl - 1);
	if (r.body && !removebg_rembg(&r, &res, type, code, sizeof code))
		img_result_free(&res);
	done(&r);
	fuzz_unsetenv(0, "CONTENT_TYPE");
	free(ct);
	return 0;
}
