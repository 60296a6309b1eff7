/* replay.c: runs a fuzz harness over every file of its seed corpus, as part of
 * `make test`. The same harness files build for libFuzzer with -fsanitize=fuzzer
 * (which brings its own main) to search for new inputs. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	int n = 0, bad = 0;
	char path[4096];

	if (argc != 2 || !(d = opendir(argv[1]))) {
		printf("not ok 1 - corpus folder %s\n", argc > 1 ? argv[1] : "(none)");
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		if (replay(path)) {
			printf("not ok %d - could not read %s\n", ++n, path);
			bad++;
		} else {
			printf("ok %d - replayed %s\n", ++n, e->d_name);
		}
	}
	closedir(d);
	return bad ? 1 : 0;
}
