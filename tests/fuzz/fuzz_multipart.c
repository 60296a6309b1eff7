/* fuzz_multipart.c: the multipart/form-data parser (mp.c) on untrusted bytes. The
 * input's first line is the Content-Type value, the rest the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *ct = NULL, b[MP_BOUNDARY_MAX + 1];
	struct fields *fs = calloc(1, sizeof *fs);
	size_t cl;

	if (!fs || !nl)
		goto out;
	cl = (size_t)(nl - data);
	if (!(ct = malloc(cl + 1)))
		goto out;
	memcpy(ct, data, cl);
	ct[cl] = '\0';
	if (!mp_boundary(ct, b))
		mp_parse((const char *)nl + 1, size - cl - 1, b, fs);
	/* A boundary straight from the bytes too: the parser must not trust its caller. */
	mp_parse((const char *)nl + 1, size - cl - 1, cl ? ct : "x", fs);
	fields_free(fs);
out:
	free(fs);
	free(ct);
	return 0;
}
