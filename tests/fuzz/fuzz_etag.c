/* fuzz_etag.c: If-None-Match against our ETag (req_etag_match). The input is the header
 * value; the ETag is a fixed quoted tag. Checked: "*" and any list that holds the tag
 * as an item match; a value that does not contain the tag (and no "*") never does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char etag[] = "\"0123456789abcdef\"";
	char *inm = malloc(size + 1), *list;
	size_t n;

	if (!inm)
		return 0;
	memcpy(inm, data, size);
	inm[size] = '\0';
	n = strlen(inm);
	if (req_etag_match(inm, etag) && !strchr(inm, '*') && !strstr(inm, etag))
		abort();
	req_etag_match(inm, "");
	/* The tag as the last item of any list matches, weak or strong. */
	if ((list = malloc(n + sizeof etag + 4))) {
		memcpy(list, inm, n);
		memcpy(list + n, ", W/", 4);
		memcpy(list + n + 4, etag, sizeof etag);
		if (!req_etag_match(list, etag))
			abort();
		free(list);
	}
	free(inm);
	return 0;
}
