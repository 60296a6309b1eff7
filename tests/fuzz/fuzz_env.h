/* fuzz_env.h: request variables in the environment for the harnesses (the programs read
 * them there under plain CGI), set without setenv(3): glibc's setenv keeps every value
 * it was ever given, so a harness that sets millions grows without bound. Each slot
 * holds one "NAME=value" string that putenv(3) puts in the environment as it is; unset
 * takes it out again and frees it. */
#ifndef BACKDROP_FUZZ_ENV_H
#define BACKDROP_FUZZ_ENV_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ENV_SLOTS 8
static char *fuzz_env_slot[FUZZ_ENV_SLOTS];

static void fuzz_unsetenv(int slot, const char *name)
{
	unsetenv(name);
	free(fuzz_env_slot[slot]);
	fuzz_env_slot[slot] = NULL;
}

/* Sets name to value in the environment through slot (one slot per name). Returns 0,
 * or -1 when out of memory (the name is then unset). */
static int fuzz_setenv(int slot, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	fuzz_unsetenv(slot, name);
	if (!s)
		return -1;
	snprintf(s, n, "%s=%s", name, value);
	if (putenv(s) != 0) {
		free(s);
		return -1;
	}
	fuzz_env_slot[slot] = s;
	return 0;
}
#endif
