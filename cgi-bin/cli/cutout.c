/* cutout.c: `backdrop cutout`: batch background removal of files and folders. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"
#include "img.h"
#include "cutout.h"
#include "conf.h"
#include "provider.h"

#define MAX_FILE_BYTES (256L << 20)

/* Reads a whole file (at most MAX_FILE_BYTES) into a malloc'd buffer. 1 or 0. */
static int read_file(const char *path, unsigned char **p, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long len;

	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > MAX_FILE_BYTES ||
	    fseek(f, 0, SEEK_SET))
		goto fail;
	b = malloc((size_t)len + 1);
	if (!b || fread(b, 1, (size_t)len, f) != (size_t)len)
		goto fail;
	fclose(f);
	*p = b;
	*n = (size_t)len;
	return 1;
fail:
	free(b);
	fclose(f);
	return 0;
}

/* Writes n bytes to path through a temporary file and rename. 1 or 0. */
static int write_file(const char *path, const void *p, size_t n)
{
	char tmp[4200];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return 0;
	f = fopen(tmp, "wb");
	if (!f)
		return 0;
	if (fwrite(p, 1, n, f) != n || fclose(f)) {
		remove(tmp);
		return 0;
	}
	if (rename(tmp, path)) {
		remove(tmp);
		return 0;
	}
	return 1;
}

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: backdrop cutout [OPTIONS] FILE_OR_DIR... -o DIR\n"
	        "  Removes the background of each image (folders: every file in them) and\n"
	        "  writes DIR/NAME.png (or the --format's extension).\n"
	        "options (the names of the HTTP API):\n"
	        "  -o, --out DIR              output folder (created if missing)\n"
	        "  --channels rgba|alpha      the cutout, or the matte alone as grayscale\n"
	        "  --format png|webp|jpg|avif output format (default png)\n"
	        "  --type auto|product|person\n"
	        "  --roi \"x1 y1 x2 y2\"        px or %%: nothing outside is foreground\n"
	        "  --hint_strokes JSON        [{\"points\": [[x,y],...], \"width\": 10, \"label\": \"fg\"}]\n"
	        "  --hint_mask FILE           white foreground, black background, else unknown\n"
	        "  --semitransparency true|false\n"
	        "  --keep_alpha true|false    keep an image's own transparency (default true)\n"
	        "  --model NAME               isnet-medium, isnet-small or none (the classical\n"
	        "                             engine); default: the cutout_model setting\n"
	        "  -q, --quiet                no progress lines\n"
	        "Exit status: 0 all done, 1 some file failed (one line each on stderr), 2 usage.\n");
	return f == stdout ? 0 : 2;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Appends path (a file, or every regular file of a folder, sorted) to the list. */
static int collect(const char *path, char ***list, size_t *n)
{
	struct stat st;
	struct dirent **ents = NULL;
	char **t, full[4096];
	int k, i, ok = 1;

	if (stat(path, &st))
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		t = realloc(*list, (*n + 1) * sizeof *t);
		if (!t || !(t[*n] = strdup(path)))
			return 0;
		*list = t;
		(*n)++;
		return 1;
	}
	k = scandir(path, &ents, NULL, alphasort);
	if (k < 0)
		return 0;
	for (i = 0; i < k; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(full, sizeof full, "%s/%s", path, ents[i]->d_name) < (int)sizeof full &&
		    !stat(full, &st) && S_ISREG(st.st_mode)) {
			t = realloc(*list, (*n + 1) * sizeof *t);
			if (!t || !(t[*n] = strdup(full)))
				ok = 0;
			else {
				*list = t;
				(*n)++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

/* Cuts one file into dir. Returns 1, or 0 with a reason in why. */
static int cut_one(const char *path, const char *dir, const struct img_cutout_opts *co,
                   int alpha_only, enum img_fmt fmt, char *why, size_t n)
{
	unsigned char *bytes = NULL;
	void *enc = NULL;
	size_t len = 0, elen = 0;
	struct img src = { 0 }, out = { 0 };
	struct img_rect bb;
	char outp[4096], base[1024];
	const char *b = strrchr(path, '/'), *dot;
	int flags, ok = 0;
	enum err e;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	snprintf(base, sizeof base, "%.*s", (int)(dot && dot != b ? dot - b : (long)strlen(b)), b);
	if (!read_file(path, &bytes, &len)) {
		snprintf(why, n, "cannot read: %s", strerror(errno));
		goto out;
	}
	if ((e = img_load(bytes, len, NULL, &src))) {
		snprintf(why, n, "%s", err_str(e));
		goto out;
	}
	if ((e = provider_local_cutout(&src, co, &out, &bb, &flags, why, n))) {
		if (!why[0])
			snprintf(why, n, "%s", err_str(e));
		goto out;
	}
	if (alpha_only)
		e = img_encode_matte(&out, 2, &enc, &elen);
	else
		e = img_encode(&out, fmt, 0, 2, 0xffffff00u, &enc, &elen);
	if (e) {
		snprintf(why, n, "encode: %s", err_str(e));
		goto out;
	}
	if (snprintf(outp, sizeof outp, "%s/%s.%s", dir, base,
	             alpha_only ? "png" : img_fmt_ext(fmt)) >= (int)sizeof outp ||
	    !write_file(outp, enc, elen)) {
		snprintf(why, n, "cannot write %.400s", outp);
		goto out;
	}
	snprintf(why, n, "%dx%d %s%s%s%s", img_w(&src), img_h(&src),
	         flags & IMG_CUT_NEURAL ? img_net_model() : "classical",
	         flags & IMG_CUT_NO_SUBJECT ? " no subject" : "",
	         flags & IMG_CUT_KEYED ? " keyed" : "", flags & IMG_CUT_KEPT_ALPHA ? " own alpha" : "");
	ok = 1;
out:
	free(bytes);
	free(enc);
	img_free(&src);
	img_free(&out);
	return ok;
}

int cmd_cutout(int argc, char **argv)
{
	static struct img_cutout_opts co;
	const char *dir = NULL, *key, *val, *model = NULL;
	unsigned char *hint = NULL;
	char **files = NULL, why[512];
	size_t nf = 0, i, hlen = 0;
	int a, alpha_only = 0, quiet = 0, failed = 0, rc = 2;
	enum img_fmt fmt = IMG_FMT_PNG;
	double t0;

	memset(&co, 0, sizeof co);
	for (a = 1; a < argc; a++) {
		char kbuf[64];
		const char *eq;

		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			rc = usage(stdout);
			goto out;
		}
		if (!strcmp(argv[a], "-q") || !strcmp(argv[a], "--quiet")) {
			quiet = 1;
			continue;
		}
		if (argv[a][0] != '-' || !argv[a][1]) {
			if (!collect(argv[a], &files, &nf)) {
				fprintf(stderr, "backdrop cutout: %s: cannot read\n", argv[a]);
				failed = 1;
			}
			continue;
		}
		/* --key value or --key=value */
		key = argv[a] + (argv[a][1] == '-' ? 2 : 1);
		eq = strchr(key, '=');
		if (eq) {
			snprintf(kbuf, sizeof kbuf, "%.*s", (int)(eq - key), key);
			key = kbuf;
			val = eq + 1;
		} else {
			if (a + 1 >= argc) {
				fprintf(stderr, "backdrop cutout: %s needs a value\n", argv[a]);
				goto out;
			}
			val = argv[++a];
		}
		if (!strcmp(key, "o") || !strcmp(key, "out")) {
			dir = val;
		} else if (!strcmp(key, "model")) {
			if (strcmp(val, "isnet-medium") && strcmp(val, "isnet-small") && strcmp(val, "none")) {
				fprintf(stderr, "backdrop cutout: model must be isnet-medium, isnet-small or none\n");
				goto out;
			}
			model = val;
		} else if (!strcmp(key, "channels")) {
			if (strcmp(val, "alpha") && strcmp(val, "rgba")) {
				fprintf(stderr, "backdrop cutout: channels must be rgba or alpha\n");
				goto out;
			}
			alpha_only = !strcmp(val, "alpha");
		} else if (!strcmp(key, "format")) {
			for (fmt = IMG_FMT_JPEG; fmt < IMG_FMT__MAX; fmt++)
				if (!strcmp(val, img_fmt_name(fmt)) || !strcmp(val, img_fmt_ext(fmt)))
					break;
			if (fmt == IMG_FMT__MAX) {
				fprintf(stderr, "backdrop cutout: unknown format '%s'\n", val);
				goto out;
			}
		} else if (!strcmp(key, "hint_mask")) {
			free(hint);
			hint = NULL;
			if (!read_file(val, &hint, &hlen)) {
				fprintf(stderr, "backdrop cutout: cannot read the hint mask %s\n", val);
				goto out;
			}
			co.hint_mask = hint;
			co.hint_mask_len = hlen;
		} else {
			enum err e = img_cutout_opt_set(&co, key, val, why, sizeof why);
			if (e == ERR_NOT_FOUND) {
				fprintf(stderr, "backdrop cutout: unknown option --%s\n", key);
				goto out;
			}
			if (e) {
				fprintf(stderr, "backdrop cutout: %s\n", why);
				goto out;
			}
		}
	}
	if (!dir || !nf) {
		usage(stderr);
		goto out;
	}
	if (conf_load(why, sizeof why)) {
		fprintf(stderr, "backdrop cutout: %s\n", why);
		goto out;
	}
	provider_net_configure(model);
	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "backdrop cutout: cannot create %s\n", dir);
		rc = 1;
		goto out;
	}
	for (i = 0; i < nf; i++) {
		t0 = now();
		why[0] = 0;
		if (!cut_one(files[i], dir, &co, alpha_only, fmt, why, sizeof why)) {
			fprintf(stderr, "backdrop cutout: %s: %s\n", files[i], why);
			failed = 1;
		} else if (!quiet && nf > 1) {
			fprintf(stderr, "[%zu/%zu] %s: %s %.2fs\n", i + 1, nf, files[i], why, now() - t0);
		}
	}
	rc = failed ? 1 : 0;
out:
	for (i = 0; i < nf; i++)
		free(files[i]);
	free(files);
	free(hint);
	return rc;
}
