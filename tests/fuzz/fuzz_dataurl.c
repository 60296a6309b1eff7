/* fuzz_dataurl.c: data: URLs and base64 (fetch_data_url, fetch_b64_decode) never read
 * out of bounds, respect the cap, and round-trip through fetch_b64_encode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *enc, *back = NULL, mime[64];
	size_t n = 0, bn = 0;
	const char *s = (const char *)data;

	if (!fetch_data_url(s, size, 4096, &out, &n, mime, sizeof mime)) {
		if (n > 4096 || strlen(mime) >= sizeof mime)
			abort();
		/* Whatever decoded must encode and decode back to itself. */
		if ((enc = fetch_b64_encode(out, n))) {
			if (fetch_b64_decode(enc, strlen(enc), n, &back, &bn) || bn != n || memcmp(back, out, n))
				abort();
			free(back);
			free(enc);
		}
		free(out);
	}
	if (!fetch_b64_decode(s, size, 1024, &out, &n)) {
		if (n > 1024)
			abort();
		free(out);
	}
	return 0;
}
