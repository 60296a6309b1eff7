/* fuzz_decode.c: probe then decode of arbitrary bytes under small caps, so that a
 * header can never make the decoders allocate much; then a thumbnail of the result. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "pipeline.h"

/* LeakSanitizer: libavif (inside gd's AVIF decoder) keeps allocations of its own. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libavif.so\nleak:libdav1d.so\nleak:libaom.so\nleak:libheif.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_limits lim = { 512, 512, 65536 };
	struct img im = { 0 };
	struct img_result res;

	if (!img_load(data, size, &lim, &im)) {
		img_alpha_bbox(&im);
		img_free(&im);
	}
	if (!img_thumb(data, size, &lim, 16, &res))
		img_result_free(&res);
	return 0;
}
