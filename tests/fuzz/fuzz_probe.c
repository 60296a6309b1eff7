/* fuzz_probe.c: the image header probe on arbitrary bytes (every format's walk). */
#include <stddef.h>
#include <stdint.h>
#include "img.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_info in;
	struct img_limits small = { 64, 64, 4096 };

	img_probe(data, size, NULL, &in);
	img_probe(data, size, &small, &in);
	return 0;
}
