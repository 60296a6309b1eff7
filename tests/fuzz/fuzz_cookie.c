/* fuzz_cookie.c: Cookie header parsing (req_cookie) and signed user id checking
 * (uid_verify) on untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_env.h"
#include "req.h"
#include "uid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[] = "fuzzing-key-fuzzing-key-fuzzing-key!";
	char *s = malloc(size + 1), out[UID_COOKIE_BYTES + 1], id[33];
	struct req *r = calloc(1, sizeof *r);

	if (!s || !r)
		goto out;
	memcpy(s, data, size);
	s[size] = '\0';
	/* Under plain CGI the request reads headers from the environment. */
	fuzz_setenv(0, "HTTP_COOKIE", s);
	if (req_cookie(r, "backdrop_uid", out, sizeof out))
		uid_verify(out, key, sizeof key - 1, id);
	uid_verify(s, key, sizeof key - 1, id);
	fuzz_unsetenv(0, "HTTP_COOKIE");
out:
	free(r);
	free(s);
	return 0;
}
