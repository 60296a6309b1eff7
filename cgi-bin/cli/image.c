/* image.c: the image subcommands of `backdrop`: info (probe), filter and change (the
 * engine's pipeline over many files), and a hidden bench of the engine's stages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <json-c/json.h>
#include "cli.h"
#include "conf.h"
#include "cut.h"
#include "img.h"
#include "lim.h"
#include "pipeline.h"
#include "provider.h"
#include "str.h"

#define CLI_MAX_FILE_BYTES (512L << 20)  /* the largest input file the tool reads */

/* Reads a whole file into a malloc'd buffer. Returns ERR_OK, ERR_IO or ERR_TOO_LARGE. */
static enum err read_file(const char *path, void **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;
	enum err e = ERR_IO;

	*data = NULL;
	*len = 0;
	if (!f)
		return ERR_IO;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	if (n > CLI_MAX_FILE_BYTES) {
		e = ERR_TOO_LARGE;
		goto out;
	}
	if (!(p = malloc(n ? (size_t)n : 1))) {
		e = ERR_NOMEM;
		goto out;
	}
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		goto out;
	*data = p;
	*len = (size_t)n;
	p = NULL;
	e = ERR_OK;
out:
	free(p);
	fclose(f);
	return e;
}

static enum err write_file(const char *path, const void *p, size_t n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	int bad;

	if (!f)
		return ERR_IO;
	bad = fwrite(p, 1, n, f) != n;
	bad |= f == stdout ? fflush(f) != 0 : fclose(f) != 0;
	return bad ? ERR_IO : ERR_OK;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The parsed command line of filter and change. */
struct cli {
	struct img_opts o;
	struct img_limits lim;
	const char *out, *bg_path, *matte_path;
	char **files;
	int nfiles;
};

static void help_opts(FILE *f)
{
	fprintf(f,
	"options (the names of the HTTP API; --key=value or --key value; '-' may replace '_'):\n"
	"  --mode remove|change|filter         what to do (change: new background)\n"
	"  --type auto|product|person          the kind of subject, for the cutout\n"
	"  --roi \"x1 y1 x2 y2\"                 region of interest, px or %% each\n"
	"  --hint_strokes JSON                 foreground/background strokes for the cutout\n"
	"  --semitransparency true|false       soft (default) or hard matte edges\n"
	"  --keep_alpha true|false             an image with transparency keeps it (default true)\n"
	"  --canvas_size WxH                   the result's size (default: the image's)\n"
	"  --crop true|false                   crop to the subject's bounding box\n"
	"  --crop_margin M                     1, 2 or 4 values, each px (<= 500) or %% (<= 50)\n"
	"  --bg_color C                        #rgb, #rrggbb, #rrggbbaa, rrggbb or a CSS name\n"
	"  --bg_image FILE                     the new background image\n"
	"  --bg_fit cover|contain|stretch      how the background fills the canvas (cover)\n"
	"  --bg_blur R                         the original photo blurred as background (px)\n"
	"  --position original|center|\"X%% Y%%\" where the subject goes\n"
	"  --overlay_template_x N, _y N        pixel offsets of the subject (may be negative)\n"
	"  --scale original|10%%..100%%          subject size relative to the canvas\n"
	"  --add_shadow true|false             drop shadow from the subject's alpha\n"
	"  --shadow_opacity 0..100, --shadow_x N, --shadow_y N, --shadow_blur R\n"
	"  --filter none|red|green|blue|no_red|no_green|no_blue|grayscale|sepia|invert\n"
	"  --color red|green|blue              keep one channel (the color-filter app's name)\n"
	"  --format auto|png|webp|jpg|avif     auto: PNG with transparency, else JPEG\n"
	"  --quality 1..100                    JPEG/WebP/AVIF quality (WebP 100 = lossless)\n"
	"  --png_level 0..9                    PNG compression level (default 2)\n"
	"  --channels rgba|alpha               alpha: the matte alone as a gray PNG\n"
	"  --size preview|medium|hd|4k|full    output resolution cap (preview: 0.25 MP)\n"
	"  --matte FILE                        use this matte (gray or alpha) instead of a cutout\n"
	"  --max_width N, --max_height N, --max_pixels N   input caps (defaults %d, %d, %ld)\n"
	"  -o DIR|FILE                         output folder (any number of inputs) or file (one)\n",
	LIM_MAX_WIDTH, LIM_MAX_HEIGHT, LIM_MAX_PIXELS);
}

/* Parses argv into *c. Returns 0, or 2 after printing a one-line reason. */
static int parse(int argc, char **argv, struct cli *c, const char *cmd)
{
	int i;

	img_limits_default(&c->lim);
	c->files = calloc((size_t)argc, sizeof *c->files);
	if (!c->files)
		return 2;
	for (i = 1; i < argc; i++) {
		char key[64], why[256];
		const char *a = argv[i], *val, *eq;
		size_t k;
		long v;
		enum err e;

		if (a[0] != '-' || !strcmp(a, "-")) {
			c->files[c->nfiles++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-o")) {
			if (++i >= argc)
				goto missing;
			c->out = argv[i];
			continue;
		}
		if (strncmp(a, "--", 2)) {
			fprintf(stderr, "backdrop %s: unknown option '%s'\n", cmd, a);
			return 2;
		}
		eq = strchr(a + 2, '=');
		k = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (k == 0 || k >= sizeof key) {
			fprintf(stderr, "backdrop %s: bad option '%s'\n", cmd, a);
			return 2;
		}
		memcpy(key, a + 2, k);
		key[k] = '\0';
		for (k = 0; key[k]; k++)
			if (key[k] == '-')
				key[k] = '_';
		if (eq) {
			val = eq + 1;
		} else {
			if (++i >= argc)
				goto missing;
			val = argv[i];
		}
		if (!strcmp(key, "bg_image") || !strcmp(key, "bg_image_file")) {
			c->bg_path = val;
		} else if (!strcmp(key, "matte")) {
			c->matte_path = val;
		} else if (!strcmp(key, "output")) {
			c->out = val;
		} else if (!strcmp(key, "max_width") || !strcmp(key, "max_height") || !strcmp(key, "max_pixels")) {
			if (!str_to_long(val, 1, key[4] == 'p' ? 1000000000L : 1000000L, &v)) {
				fprintf(stderr, "backdrop %s: %s: expected a positive integer\n", cmd, key);
				return 2;
			}
			*(key[4] == 'w' ? &c->lim.max_width : key[4] == 'h' ? &c->lim.max_height : &c->lim.max_pixels) = v;
		} else if ((e = img_opts_set(&c->o, key, val, why, sizeof why))) {
			if (e == ERR_NOT_FOUND)
				fprintf(stderr, "backdrop %s: unknown option '--%s' (see --help)\n", cmd, key);
			else
				fprintf(stderr, "backdrop %s: %s\n", cmd, why);
			return 2;
		}
		continue;
missing:
		fprintf(stderr, "backdrop %s: option '%s' needs a value\n", cmd, a);
		return 2;
	}
	if (c->nfiles == 0) {
		fprintf(stderr, "backdrop %s: no input files (see --help)\n", cmd);
		return 2;
	}
	return 0;
}

static int is_dir(const char *p)
{
	struct stat st;

	return p && !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The output path of input `in` for a result with extension ext: -o FILE (one input),
 * DIR/STEM.EXT with -o DIR, else STEM-backdrop.EXT beside the input. */
static void out_path(const struct cli *c, const char *in, const char *ext, char *o, size_t n)
{
	const char *b = base_name(in), *dot = strrchr(b, '.');
	int stem = dot && dot != b ? (int)(dot - b) : (int)strlen(b);

	if (c->out && !is_dir(c->out) && c->nfiles == 1)
		snprintf(o, n, "%s", c->out);
	else if (c->out)
		snprintf(o, n, "%s/%.*s.%s", c->out, stem, b, ext);
	else
		snprintf(o, n, "%.*s%.*s-backdrop.%s", (int)(b - in), in, stem, b, ext);
}

/* 1 when paths a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The output format an -o FILE name asks for by its extension (NONE when unknown). */
static enum img_fmt fmt_of_name(const char *p)
{
	const char *dot = p ? strrchr(base_name(p), '.') : NULL;

	if (!dot)
		return IMG_FMT_NONE;
	if (!strcasecmp(dot, ".png")) return IMG_FMT_PNG;
	if (!strcasecmp(dot, ".webp")) return IMG_FMT_WEBP;
	if (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg")) return IMG_FMT_JPEG;
	if (!strcasecmp(dot, ".avif")) return IMG_FMT_AVIF;
	return IMG_FMT_NONE;
}

/* Runs the pipeline over every input. */
static int run(int argc, char **argv, const char *cmd, enum img_mode mode)
{
	struct cli c;
	void *bg = NULL, *matte = NULL;
	size_t bg_len = 0, matte_len = 0;
	int i, failed = 0, rc;
	enum err e;

	memset(&c, 0, sizeof c);
	img_opts_init(&c.o);
	c.o.mode = mode;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: backdrop %s [OPTIONS] FILE... [-o DIR|FILE]\n\n", cmd);
			if (mode == IMG_MODE_FILTER)
				printf("Applies a color filter (--filter or --color) to each image.\n\n");
			else
				printf("Composites each image's subject (its cutout, its own transparency, or\n"
				       "--matte) onto a background (--bg_image, --bg_color, --bg_blur).\n\n");
			help_opts(stdout);
			return 0;
		}
	if ((rc = parse(argc, argv, &c, cmd)))
		goto out;
	if (c.nfiles > 1 && c.out && !is_dir(c.out)) {
		fprintf(stderr, "backdrop %s: -o must be a folder for several inputs\n", cmd);
		rc = 2;
		goto out;
	}
	if (c.nfiles == 1 && c.out && !is_dir(c.out) && c.o.format == IMG_FMT_NONE &&
	    c.o.channels == IMG_CH_RGBA)
		c.o.format = fmt_of_name(c.out);   /* -o x.png asks for PNG */
	if (c.bg_path && (e = read_file(c.bg_path, &bg, &bg_len))) {
		fprintf(stderr, "backdrop %s: %s: %s\n", cmd, c.bg_path, strerror(errno));
		rc = 2;
		goto out;
	}
	if (c.matte_path && (e = read_file(c.matte_path, &matte, &matte_len))) {
		fprintf(stderr, "backdrop %s: %s: %s\n", cmd, c.matte_path, strerror(errno));
		rc = 2;
		goto out;
	}
	for (i = 0; i < c.nfiles; i++) {
		struct img_result res;
		char path[4096];
		void *in = NULL;
		size_t len = 0;

		memset(&res, 0, sizeof res);
		e = read_file(c.files[i], &in, &len);
		if (!e)
			e = img_process(in, len, &c.o, &c.lim, bg, bg_len, matte, matte_len, &res);
		if (!e) {
			out_path(&c, c.files[i], res.ext, path, sizeof path);
			if (same_file(path, c.files[i])) {
				failed++;
				fprintf(stderr, "[%d/%d] %s: refusing to overwrite the input\n", i + 1,
				        c.nfiles, c.files[i]);
				goto next;
			}
			e = write_file(path, res.data, res.len);
		}
		if (e) {
			failed++;
			fprintf(stderr, "[%d/%d] %s: %s: %s\n", i + 1, c.nfiles, c.files[i], err_code(e), err_str(e));
		} else if (c.nfiles > 1) {
			fprintf(stderr, "[%d/%d] %s ok\n", i + 1, c.nfiles, base_name(c.files[i]));
		}
next:
		img_result_free(&res);
		free(in);
	}
	rc = failed ? 1 : 0;
out:
	free(c.files);
	free(bg);
	free(matte);
	return rc;
}

int cmd_filter(int argc, char **argv)
{
	return run(argc, argv, "filter", IMG_MODE_FILTER);
}

int cmd_change(int argc, char **argv)
{
	return run(argc, argv, "change", IMG_MODE_CHANGE);
}

int cmd_info(int argc, char **argv)
{
	int i, failed = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: backdrop info FILE...\n\nPrints one JSON line per file: format, width, "
		       "height, EXIF orientation\n(from the header only; nothing is decoded), or its "
		       "error code.\n");
		return argc < 2 ? 2 : 0;
	}
	for (i = 1; i < argc; i++) {
		struct json_object *j = json_object_new_object();
		struct img_info in;
		void *p = NULL;
		size_t n;
		enum err e;

		json_object_object_add(j, "file", json_object_new_string(argv[i]));
		e = read_file(argv[i], &p, &n);
		if (!e)
			e = img_probe(p, n, NULL, &in);
		if (e) {
			failed++;
			json_object_object_add(j, "error", json_object_new_string(err_code(e)));
			json_object_object_add(j, "message", json_object_new_string(err_str(e)));
		} else {
			json_object_object_add(j, "format", json_object_new_string(img_fmt_name(in.fmt)));
			json_object_object_add(j, "mime", json_object_new_string(img_fmt_mime(in.fmt)));
			json_object_object_add(j, "width", json_object_new_int(in.width));
			json_object_object_add(j, "height", json_object_new_int(in.height));
			json_object_object_add(j, "orientation", json_object_new_int(in.orientation));
		}
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		free(p);
	}
	return failed ? 1 : 0;
}

/* ---- bench: the engine's stages timed in-process (for bench/run.sh) ---- */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* backdrop bench --cutout PHOTO [N]: the median ms of img_cutout() on the decoded
 * photo, without the per-image cache (each run does the whole work). */
static int bench_cutout(int argc, char **argv)
{
	struct img_cutout_opts co = { .no_cache = 1 };
	struct img src = { 0 }, out = { 0 };
	struct img_rect bb;
	void *ph = NULL;
	size_t phn;
	double t[64], t0;
	long runs = 5;
	int i, fl, rc = 1;

	if (argc < 3 || (argc > 3 && !str_to_long(argv[3], 1, 64, &runs))) {
		fprintf(stderr, "usage: backdrop bench --cutout PHOTO [RUNS]\n");
		return 2;
	}
	if (read_file(argv[2], &ph, &phn) || img_load(ph, phn, NULL, &src)) {
		fprintf(stderr, "backdrop bench: cannot read %s\n", argv[2]);
		goto out;
	}
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (img_cutout(&src, &co, &out, &bb, &fl))
			goto out;
		t[i] = now_ms() - t0;
		img_free(&out);
	}
	printf("cutout %.1f\n", median(t, (int)runs));
	rc = 0;
out:
	free(ph);
	img_free(&src);
	return rc;
}

/* backdrop bench --net PHOTO [N]: the segmentation network alone on the decoded photo,
 * with the configured cutout_model and cutout_threads. Prints net_load (opening the
 * runtime and the model, and one warm-up run on the photo: the first run is the slow
 * one, and the engine warms up by itself only in FastCGI workers) and net_run, the
 * median ms of the next N cut_net_run() on the whole photo (its resize to the
 * network's input included). */
static int bench_net(int argc, char **argv)
{
	struct img src = { 0 };
	struct img_rect r;
	void *ph = NULL;
	size_t phn;
	float *p = NULL;
	char why[512];
	double t[64], t0;
	long runs = 5;
	int i, rc = 1;

	if (argc < 3 || (argc > 3 && !str_to_long(argv[3], 1, 64, &runs))) {
		fprintf(stderr, "usage: backdrop bench --net PHOTO [RUNS]\n");
		return 2;
	}
	if (conf_load(why, sizeof why)) {
		fprintf(stderr, "backdrop bench: %s\n", why);
		return 2;
	}
	provider_net_configure(NULL);
	if (read_file(argv[2], &ph, &phn) || img_load(ph, phn, NULL, &src)) {
		fprintf(stderr, "backdrop bench: cannot read %s\n", argv[2]);
		goto out;
	}
	r = (struct img_rect){ 0, 0, img_w(&src), img_h(&src) };
	if (!(p = malloc((size_t)CUT_NET_SIDE * CUT_NET_SIDE * sizeof *p)))
		goto out;
	t0 = now_ms();
	if (!img_net_ready(why, sizeof why)) {
		fprintf(stderr, "backdrop bench: the network cannot be used: %s\n", why);
		goto out;
	}
	if (cut_net_run(&src, &r, p))
		goto out;
	printf("net_load %.1f\n", now_ms() - t0);
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (cut_net_run(&src, &r, p))
			goto out;
		t[i] = now_ms() - t0;
	}
	printf("net_run %.1f\n", median(t, (int)runs));
	rc = 0;
out:
	free(ph);
	free(p);
	img_free(&src);
	return rc;
}

/* backdrop bench PHOTO.jpg SUBJECT.png BG.jpg [N]: medians in ms of decode, composite
 * (subject over background, in memory), and PNG, WebP and JPEG encodes of the result.
 * backdrop bench --cutout PHOTO [N]: see bench_cutout(); --net PHOTO [N]: bench_net(). */
int cmd_bench(int argc, char **argv)
{
	static const char *names[] = { "decode_jpeg", "composite", "encode_png", "encode_webp", "encode_jpeg" };
	double t[5][64], t0;
	void *ph = NULL, *su = NULL, *bgb = NULL, *o = NULL;
	size_t phn, sun, bgn, on;
	struct img subj = { 0 }, bg = { 0 }, tmp = { 0 };
	long runs = 5;
	int i, k, rc = 1;

	if (argc > 1 && !strcmp(argv[1], "--cutout"))
		return bench_cutout(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--net"))
		return bench_net(argc, argv);
	if (argc < 4 || (argc > 4 && !str_to_long(argv[4], 1, 64, &runs))) {
		fprintf(stderr, "usage: backdrop bench PHOTO SUBJECT BACKGROUND [RUNS]\n");
		return 2;
	}
	if (read_file(argv[1], &ph, &phn) || read_file(argv[2], &su, &sun) || read_file(argv[3], &bgb, &bgn) ||
	    img_load(su, sun, NULL, &subj) || img_load(bgb, bgn, NULL, &bg)) {
		fprintf(stderr, "backdrop bench: cannot read the inputs\n");
		goto out;
	}
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (img_load(ph, phn, NULL, &tmp))
			goto out;
		t[0][i] = now_ms() - t0;
		img_free(&tmp);
		if (img_copy(&bg, &tmp))
			goto out;
		t0 = now_ms();
		img_over(&tmp, &subj, 0, 0, 255);
		t[1][i] = now_ms() - t0;
		for (k = 0; k < 3; k++) {
			enum img_fmt f[] = { IMG_FMT_PNG, IMG_FMT_WEBP, IMG_FMT_JPEG };

			t0 = now_ms();
			if (img_encode(&tmp, f[k], 90, 2, 0xFFFFFFFF, &o, &on))
				goto out;
			t[2 + k][i] = now_ms() - t0;
			free(o);
			o = NULL;
		}
		img_free(&tmp);
	}
	for (k = 0; k < 5; k++)
		printf("%s %.1f\n", names[k], median(t[k], (int)runs));
	rc = 0;
out:
	free(ph);
	free(su);
	free(bgb);
	free(o);
	img_free(&subj);
	img_free(&bg);
	img_free(&tmp);
	return rc;
}
