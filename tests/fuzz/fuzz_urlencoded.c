/* fuzz_urlencoded.c: query strings and urlencoded bodies, the first parser every
 * request meets. Any input must parse or be refused, never crash or leak. */
#include <stdint.h>
#include <string.h>
#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fields fs;
	int i;

	memset(&fs, 0, sizeof fs);
	if (fields_parse_urlencoded(&fs, (const char *)data, size) == ERR_OK)
		for (i = 0; i < fs.n; i++)
			if (fs.f[i].value[fs.f[i].len] != '\0')
				__builtin_trap();
	fields_free(&fs);
	return 0;
}
