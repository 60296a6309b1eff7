/* cut_net.c: the segmentation network: IS-Net (DIS) on onnxruntime's C API, turning a
 * photo (or a rectangle of it) into a foreground probability map.
 *
 * Why dlopen(): the runtime is a 28 MB library installed by `make deps` beside the
 * model, not a Debian package; opening it at the first cutout lets every program build,
 * start and serve with the classical engine when it is absent or broken, and keeps the
 * programs that never cut anything (index, health, ...) small. The header comes with
 * the runtime; without it this file builds the "unavailable" half only.
 *
 * The session is process-wide, made once at the first use with one warm-up run (the
 * first run after loading is slow), intra-op threads that sleep instead of spinning
 * (spinning burns the other worker's core under load), and no memory arena, so that an
 * idle worker gives the activations' memory back (see the README for the figures).
 * Runs are serialised by a mutex in the process and by a lock file between the
 * processes of a host: two at once would only share the same cores and double the
 * peak memory. A large request, lowered to the lowest CPU priority (lim.h), takes a
 * lock file of its own: an ordinary photo never waits for its run, which then has
 * only the CPU the ordinary ones leave.
 *
 * Pre- and post-processing reproduce the model's reference pipeline: the RGB pixels
 * resized to 1024 x 1024 ignoring the aspect ratio by plain bilinear sampling
 * (source x = x * w / 1024, no half-pixel offset), each channel (v - 128) / 256, NCHW;
 * the output is already a probability. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "img.h"
#include "cutout.h"
#include "cut.h"
#include "lim.h"
#include "pipeline.h"

#if defined(__has_include)
#if __has_include(<onnxruntime_c_api.h>)
#include <onnxruntime_c_api.h>
#define HAVE_ORT 1
#endif
#endif

#define NET_PLANE ((size_t)CUT_NET_SIDE * CUT_NET_SIDE)

static pthread_mutex_t net_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char model[32], dir[1024], runtime[1024], lock[1024];
	int threads, warmup;
	int tried;          /* a load was attempted with these settings */
	long runs;          /* runs made, warm-up excluded */
	char why[256];      /* why it failed */
#ifdef HAVE_ORT
	void *dl;
	const OrtApi *api;
	OrtEnv *env;
	OrtSession *sess;
	OrtMemoryInfo *mem;
	ONNXTensorElementDataType in_type, out_type;
	char in_name[64], out_name[64];
#endif
} net = { .model = "none", .threads = 1 };

static void copy_str(char *d, size_t n, const char *s)
{
	snprintf(d, n, "%s", s ? s : "");
}

#ifdef HAVE_ORT
/* Takes a status: 0 when NULL (success); otherwise writes its message and frees it. */
static int failed(OrtStatus *st, const char *what)
{
	if (!st)
		return 0;
	snprintf(net.why, sizeof net.why, "onnxruntime: %s: %s", what, net.api->GetErrorMessage(st));
	net.api->ReleaseStatus(st);
	return 1;
}

static void unload(void)
{
	if (net.api) {
		if (net.sess)
			net.api->ReleaseSession(net.sess);
		if (net.mem)
			net.api->ReleaseMemoryInfo(net.mem);
		if (net.env)
			net.api->ReleaseEnv(net.env);
	}
	/* The library stays mapped: onnxruntime keeps process-wide state that is not
	 * safe to unmap; a second load reuses it. */
	net.sess = NULL;
	net.mem = NULL;
	net.env = NULL;
}

/* The name and element type of the model's input (in) or output 0 into name[n] and
 * *type, checked to be a float or fp16 map of CUT_NET_SIDE square (3 channels in, 1
 * out); 0 on success, else 1 with net.why. */
static int io_info(int in, ONNXTensorElementDataType *type, char *name, size_t n)
{
	OrtTypeInfo *ti = NULL;
	const OrtTensorTypeAndShapeInfo *tsi = NULL;
	OrtAllocator *al = NULL;
	char *nm = NULL;
	int64_t dims[8];
	size_t nd = 0;
	int bad = 1;

	if (failed(net.api->GetAllocatorWithDefaultOptions(&al), "allocator") ||
	    failed(in ? net.api->SessionGetInputName(net.sess, 0, al, &nm) :
	                net.api->SessionGetOutputName(net.sess, 0, al, &nm), "io name") ||
	    failed(in ? net.api->SessionGetInputTypeInfo(net.sess, 0, &ti) :
	                net.api->SessionGetOutputTypeInfo(net.sess, 0, &ti), "io type") ||
	    failed(net.api->CastTypeInfoToTensorInfo(ti, &tsi), "tensor info") ||
	    failed(net.api->GetTensorElementType(tsi, type), "element type") ||
	    failed(net.api->GetDimensionsCount(tsi, &nd), "rank"))
		goto out;
	if (nd != 4 || failed(net.api->GetDimensions(tsi, dims, nd), "shape"))
		goto out;
	if ((*type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT &&
	     *type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) ||
	    (dims[2] > 0 && dims[2] != CUT_NET_SIDE) || (dims[3] > 0 && dims[3] != CUT_NET_SIDE) ||
	    (dims[1] > 0 && dims[1] != (in ? 3 : 1))) {
		snprintf(net.why, sizeof net.why, "the model's %s is not a %dx%d %s map",
		         in ? "input" : "output", CUT_NET_SIDE, CUT_NET_SIDE, in ? "RGB" : "probability");
		goto out;
	}
	copy_str(name, n, nm);
	bad = 0;
out:
	if (nm)
		failed(net.api->AllocatorFree(al, nm), "free");
	if (ti)
		net.api->ReleaseTypeInfo(ti);
	return bad;
}

static int run_host(const float *in, float *out);

/* One run on a grey picture: the first run after loading is the slow one. 0 on success. */
static int warm_up(void)
{
	float *in = calloc(3 * NET_PLANE, sizeof *in), *out = malloc(NET_PLANE * sizeof *out);
	int bad = 1;

	if (!in || !out)
		snprintf(net.why, sizeof net.why, "out of memory");
	else
		bad = run_host(in, out);
	free(in);
	free(out);
	return bad;
}

/* Opens the runtime and the model, and warms them up. 0 on success, else net.why. */
static int load(void)
{
	const OrtApiBase *(*base)(void);
	const OrtApiBase *b;
	OrtSessionOptions *so = NULL;
	char path[1100];
	int major = 0, minor = 0, bad = 1;
	uint32_t ver;

	if (!strcmp(net.model, "none")) {
		snprintf(net.why, sizeof net.why, "cutout_model is none");
		return 1;
	}
	if (!net.dl) {
		if (net.runtime[0])
			copy_str(path, sizeof path, net.runtime);
		else
			snprintf(path, sizeof path, "%s/libonnxruntime.so", net.dir);
		net.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!net.dl) {
			snprintf(net.why, sizeof net.why, "cannot open the runtime: %s", dlerror());
			return 1;
		}
	}
	*(void **)&base = dlsym(net.dl, "OrtGetApiBase");
	if (!base || !(b = base())) {
		snprintf(net.why, sizeof net.why, "%.200s is not onnxruntime", path);
		return 1;
	}
	/* Ask for the API version the library supports, at most the header's. */
	if (sscanf(b->GetVersionString(), "%d.%d", &major, &minor) != 2 || major != 1 || minor < 16) {
		snprintf(net.why, sizeof net.why, "onnxruntime %s is too old (1.16 or newer needed)",
		         b->GetVersionString());
		return 1;
	}
	ver = minor < ORT_API_VERSION ? (uint32_t)minor : ORT_API_VERSION;
	if (!(net.api = b->GetApi(ver))) {
		snprintf(net.why, sizeof net.why, "onnxruntime %s refuses API version %u",
		         b->GetVersionString(), ver);
		return 1;
	}
	snprintf(path, sizeof path, "%s/%s.onnx", net.dir, net.model);
	if (failed(net.api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "backdrop", &net.env), "environment") ||
	    failed(net.api->CreateSessionOptions(&so), "options") ||
	    failed(net.api->SetIntraOpNumThreads(so, net.threads), "threads") ||
	    failed(net.api->SetInterOpNumThreads(so, 1), "threads") ||
	    failed(net.api->AddSessionConfigEntry(so, "session.intra_op.allow_spinning", "0"), "spinning") ||
	    failed(net.api->DisableCpuMemArena(so), "arena") ||
	    failed(net.api->SetSessionGraphOptimizationLevel(so, ORT_ENABLE_ALL), "optimisation") ||
	    failed(net.api->CreateCpuMemoryInfo(OrtDeviceAllocator, OrtMemTypeDefault, &net.mem), "memory"))
		goto out;
	if (failed(net.api->CreateSession(net.env, path, so, &net.sess), "the model"))
		goto out;
	if (io_info(1, &net.in_type, net.in_name, sizeof net.in_name) ||
	    io_info(0, &net.out_type, net.out_name, sizeof net.out_name))
		goto out;
	bad = net.warmup && warm_up();
out:
	if (so)
		net.api->ReleaseSessionOptions(so);
	if (bad)
		unload();
	return bad;
}

/* IEEE half <-> single, for models that take or give fp16 tensors. */
static uint16_t to_half(float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	uint32_t s = (x >> 16) & 0x8000, e = (x >> 23) & 0xff, m = x & 0x7fffff;
	int E = (int)e - 127 + 15;
	if (e == 0xff)
		return (uint16_t)(s | 0x7c00 | (m ? 0x200 : 0));
	if (E >= 31)
		return (uint16_t)(s | 0x7c00);
	if (E <= 0) {
		if (E < -10)
			return (uint16_t)s;
		m |= 0x800000;
		return (uint16_t)(s | ((m >> (14 - E)) + ((m >> (13 - E)) & 1)));
	}
	return (uint16_t)(s | (uint32_t)E << 10 | (m >> 13)) + ((m >> 12) & 1);
}

static float from_half(uint16_t h)
{
	uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
	float f;
	if (e == 0) {
		f = ldexpf((float)m, -24);
		return s ? -f : f;
	}
	x = e == 31 ? s | 0x7f800000 | m << 13 : s | (e - 15 + 127) << 23 | m << 13;
	memcpy(&f, &x, 4);
	return f;
}

/* One run: in is the 3 x 1024 x 1024 input, out gets the 1024 x 1024 map. 0 on
 * success. The caller holds net_lock. */
static int infer(const float *in, float *out)
{
	int64_t ishape[4] = { 1, 3, CUT_NET_SIDE, CUT_NET_SIDE };
	OrtValue *iv = NULL, *ov = NULL;
	const char *in_names[1] = { net.in_name }, *out_names[1] = { net.out_name };
	uint16_t *half = NULL;
	void *data = (void *)in, *res;
	size_t i, bytes = 3 * NET_PLANE * sizeof(float);
	int bad = 1;

	if (net.in_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
		if (!(half = malloc(3 * NET_PLANE * sizeof *half))) {
			snprintf(net.why, sizeof net.why, "out of memory");
			return 1;
		}
		for (i = 0; i < 3 * NET_PLANE; i++)
			half[i] = to_half(in[i]);
		data = half;
		bytes = 3 * NET_PLANE * sizeof *half;
	}
	if (failed(net.api->CreateTensorWithDataAsOrtValue(net.mem, data, bytes, ishape, 4,
	                                                   net.in_type, &iv), "input") ||
	    failed(net.api->Run(net.sess, NULL, in_names, (const OrtValue *const *)&iv, 1,
	                        out_names, 1, &ov), "run") ||
	    failed(net.api->GetTensorMutableData(ov, &res), "output"))
		goto out;
	if (net.out_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
		for (i = 0; i < NET_PLANE; i++)
			out[i] = from_half(((const uint16_t *)res)[i]);
	else
		memcpy(out, res, NET_PLANE * sizeof *out);
	bad = 0;
out:
	if (iv)
		net.api->ReleaseValue(iv);
	if (ov)
		net.api->ReleaseValue(ov);
	free(half);
	return bad;
}
/* infer() holding the host's lock file (one run at a time on the host; a lowered
 * request's in the ".low" one), then the run's memory given back, so that an idle
 * worker keeps only the weights. The caller holds net_lock. */
static int run_host(const float *in, float *out)
{
	char path[sizeof net.lock + 8];
	int lk = -1, bad;

	if (net.lock[0]) {
		snprintf(path, sizeof path, "%s%s", net.lock, lim_lowered() ? ".low" : "");
		lk = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}

	while (lk >= 0 && flock(lk, LOCK_EX) && errno == EINTR)
		;
	bad = infer(in, out);
	if (lk >= 0)
		close(lk);    /* releases the lock */
	malloc_trim(0);
	return bad;
}
#endif /* HAVE_ORT */

void img_net_configure(const struct img_net_conf *c)
{
	pthread_mutex_lock(&net_lock);
	if (strcmp(net.model, c->model ? c->model : "none") || strcmp(net.dir, c->dir ? c->dir : "") ||
	    strcmp(net.runtime, c->runtime ? c->runtime : "") || net.threads != c->threads ||
	    strcmp(net.lock, c->lock ? c->lock : "") || net.warmup != c->warmup) {
#ifdef HAVE_ORT
		unload();
#endif
		copy_str(net.model, sizeof net.model, c->model ? c->model : "none");
		copy_str(net.dir, sizeof net.dir, c->dir);
		copy_str(net.runtime, sizeof net.runtime, c->runtime);
		copy_str(net.lock, sizeof net.lock, c->lock);
		net.threads = c->threads > 0 ? c->threads : 1;
		net.warmup = c->warmup;
		net.tried = 0;
		net.why[0] = 0;
	}
	pthread_mutex_unlock(&net_lock);
}

/* Loads on first use; 1 when ready. The caller holds net_lock. */
static int ready_locked(void)
{
#ifdef HAVE_ORT
	if (!net.tried) {
		net.tried = 1;
		load();
	}
	return net.sess != NULL;
#else
	if (!net.tried) {
		net.tried = 1;
		snprintf(net.why, sizeof net.why, strcmp(net.model, "none") ?
		         "built without onnxruntime's header (run make deps, then make)" :
		         "cutout_model is none");
	}
	return 0;
#endif
}

int img_net_ready(char *why, size_t n)
{
	int ok;

	pthread_mutex_lock(&net_lock);
	ok = ready_locked();
	if (!ok && why && n)
		copy_str(why, n, net.why);
	pthread_mutex_unlock(&net_lock);
	return ok;
}

const char *img_net_model(void)
{
	return net.model;
}

long img_net_runs(void)
{
	long n;

	pthread_mutex_lock(&net_lock);
	n = net.runs;
	pthread_mutex_unlock(&net_lock);
	return n;
}

int img_net_check(char *why, size_t n)
{
	char path[1100];
	FILE *f;
	int ok = 0;

	pthread_mutex_lock(&net_lock);
	if (!strcmp(net.model, "none")) {
		snprintf(why, n, "cutout_model is none");
		goto out;
	}
	snprintf(path, sizeof path, "%s/%s.onnx", net.dir, net.model);
	if (!(f = fopen(path, "rb"))) {
		snprintf(why, n, "the model file %s.onnx is missing (run make deps)", net.model);
		goto out;
	}
	fclose(f);
#ifdef HAVE_ORT
	if (net.sess) {
		ok = 1;
		goto out;
	}
	if (net.tried) {          /* a load failed: its reason */
		snprintf(why, n, "%s", net.why);
		goto out;
	}
	if (!net.dl) {
		if (net.runtime[0])
			copy_str(path, sizeof path, net.runtime);
		else
			snprintf(path, sizeof path, "%s/libonnxruntime.so", net.dir);
		if (!(net.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
			snprintf(why, n, "cannot open the runtime: %s", dlerror());
			goto out;
		}
	}
	if (!dlsym(net.dl, "OrtGetApiBase")) {
		snprintf(why, n, "the runtime is not onnxruntime");
		goto out;
	}
	ok = 1;
#else
	snprintf(why, n, "built without onnxruntime's header (run make deps, then make)");
#endif
out:
	pthread_mutex_unlock(&net_lock);
	return ok;
}

enum err cut_net_run(const struct img *src, const struct img_rect *r, float *p)
{
#ifdef HAVE_ORT
	int x, y;
	float *in = NULL;
	int *x0 = NULL;
	float *fx = NULL;
	enum err e = ERR_NOMEM;

	if (r->x < 0 || r->y < 0 || r->w < 1 || r->h < 1 || r->x > img_w(src) - r->w ||
	    r->y > img_h(src) - r->h)
		return ERR_INTERNAL;
	in = malloc(3 * NET_PLANE * sizeof *in);
	x0 = malloc(CUT_NET_SIDE * sizeof *x0);
	fx = malloc(CUT_NET_SIDE * sizeof *fx);
	if (!in || !x0 || !fx)
		goto out;
	/* Bilinear sampling of the rectangle, source x = x * w / 1024. */
	for (x = 0; x < CUT_NET_SIDE; x++) {
		double sx = (double)x * r->w / CUT_NET_SIDE;
		x0[x] = (int)sx;
		fx[x] = (float)(sx - x0[x]);
	}
	for (y = 0; y < CUT_NET_SIDE; y++) {
		double sy = (double)y * r->h / CUT_NET_SIDE;
		int y0 = (int)sy, y1 = y0 + 1 < r->h ? y0 + 1 : y0;
		float fy = (float)(sy - y0);
		const int *ra = src->gd->tpixels[r->y + y0], *rb = src->gd->tpixels[r->y + y1];
		float *o = in + (size_t)y * CUT_NET_SIDE;
		for (x = 0; x < CUT_NET_SIDE; x++) {
			int xa = r->x + x0[x], xb = x0[x] + 1 < r->w ? xa + 1 : xa, c;
			int p00 = ra[xa], p01 = ra[xb], p10 = rb[xa], p11 = rb[xb];
			float f = fx[x];
			for (c = 0; c < 3; c++) {
				int sh = 16 - 8 * c;
				float a = (float)((p00 >> sh) & 0xff) * (1 - f) + (float)((p01 >> sh) & 0xff) * f;
				float b = (float)((p10 >> sh) & 0xff) * (1 - f) + (float)((p11 >> sh) & 0xff) * f;
				o[(size_t)c * NET_PLANE + x] = (a * (1 - fy) + b * fy - 128.f) / 256.f;
			}
		}
	}
	pthread_mutex_lock(&net_lock);
	if (!ready_locked())
		e = ERR_UNSUPPORTED;
	else if (run_host(in, p))
		e = ERR_INTERNAL;
	else {
		net.runs++;
		e = ERR_OK;
	}
	pthread_mutex_unlock(&net_lock);
	if (!e)
		for (size_t i = 0; i < NET_PLANE; i++)
			p[i] = p[i] < 0 ? 0 : p[i] > 1 ? 1 : p[i];
out:
	free(in);
	free(x0);
	free(fx);
	return e;
#else
	(void)src;
	(void)r;
	(void)p;
	return ERR_UNSUPPORTED;
#endif
}

/* ---- the network's opinion kept with a record ---- */

#define OPINION_RANGE 8.0   /* log-odds kept: -8..8 nats in 255 steps of 1/16 nat */

enum err cut_opinion_encode(const float *prob, int w, int h, void **out, size_t *len)
{
	struct img tmp = { 0 };
	size_t i, m = (size_t)w * h;
	enum err e;

	*out = NULL;
	*len = 0;
	if ((e = img_new(&tmp, w, h, 1)))
		return e;
	/* In log-odds, where the cut uses it, so its small and large values keep their
	 * weight (the cut clamps to NET_EPS, well inside this range). */
	for (i = 0; i < m; i++) {
		double p = fmin(fmax(prob[i], 1e-6), 1 - 1e-6), d = log(p / (1 - p));
		d = (d + OPINION_RANGE) * 255 / (2 * OPINION_RANGE);
		tmp.alpha[i] = (uint8_t)(d < 0 ? 0 : d > 255 ? 255 : lround(d));
	}
	e = img_encode_matte(&tmp, 6, out, len);
	img_free(&tmp);
	return e;
}

enum err cut_opinion_decode(const void *bytes, size_t len, int w, int h, float **prob)
{
	uint8_t *plane = NULL;
	size_t i, m = (size_t)w * h;
	enum err e;

	*prob = NULL;
	if ((e = img_matte_load(bytes, len, NULL, w, h, &plane)))
		return e;
	if (!(*prob = malloc(m * sizeof **prob))) {
		free(plane);
		return ERR_NOMEM;
	}
	for (i = 0; i < m; i++)
		(*prob)[i] = (float)(1 / (1 + exp(-(plane[i] * 2 * OPINION_RANGE / 255 - OPINION_RANGE))));
	free(plane);
	return ERR_OK;
}
