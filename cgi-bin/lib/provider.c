/* provider.c: the remote cutout providers (remove.bg's API and a rembg server) over
 * libcurl, with bounded bytes and time, strict answer validation and a local fallback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <fcgiapp.h>
#include "conf.h"
#include "log.h"
#include "provider.h"

void provider_net_configure(const char *model)
{
	char lock[1100];
	struct img_net_conf nc = {
		model ? model : conf_str("cutout_model"), conf_str("model_dir"),
		conf_str("onnxruntime_lib"), lock, (int)conf_int("cutout_threads"),
		!FCGX_IsCGI()   /* a FastCGI worker cuts many times: warm it up */
	};

	/* The processes of one data folder (one host) take turns at the network. */
	snprintf(lock, sizeof lock, "%s/net.lock", conf_str("data_dir"));
	img_net_configure(&nc);
}

enum err provider_local_cutout(const struct img *src, const struct img_cutout_opts *o,
                               struct img *out, struct img_rect *bbox, int *flags,
                               char *why, size_t n)
{
	static int said;
	char reason[256];
	enum err e = img_cutout_why(src, o, out, bbox, flags, why, n);

	/* Only a cut that wanted the network asks why it had none (the engine loads it only
	 * then); cutout_model = none is a choice, not a fault: nothing to say then. */
	if (!e && !said &&
	    !(*flags & (IMG_CUT_NEURAL | IMG_CUT_KEYED | IMG_CUT_KEPT_ALPHA)) &&
	    strcmp(img_net_model(), "none") && !img_net_ready(reason, sizeof reason)) {
		said = 1;
		log_warn("the cutout network is unavailable (%s); cutting with the classical engine",
		         reason);
	}
	return e;
}

enum err provider_conf_load(struct provider_conf *pc)
{
	const char *k = conf_str("cutout_provider");

	memset(pc, 0, sizeof *pc);
	if (!strcmp(k, "local"))
		pc->kind = PROVIDER_LOCAL;
	else if (!strcmp(k, "removebg"))
		pc->kind = PROVIDER_REMOVEBG;
	else if (!strcmp(k, "rembg"))
		pc->kind = PROVIDER_REMBG;
	else
		return ERR_CONFIG;
	pc->url = conf_str("provider_url");
	pc->key = conf_str("provider_key");
	pc->timeout = conf_int("provider_timeout");
	pc->fallback = conf_bool("provider_fallback");
	if (pc->kind != PROVIDER_LOCAL && !pc->url[0])
		return ERR_CONFIG;
	return ERR_OK;
}

struct sink {
	unsigned char *p;
	size_t len, cap;
	int over;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *u)
{
	struct sink *s = u;
	size_t n = sz * nm, nc;
	unsigned char *t;

	if (s->len + n > (size_t)PROVIDER_MAX_BYTES) {
		s->over = 1;
		return 0;
	}
	if (s->len + n > s->cap) {
		nc = s->cap ? s->cap * 2 : 65536;
		while (nc < s->len + n)
			nc *= 2;
		t = realloc(s->p, nc);
		if (!t)
			return 0;
		s->p = t;
		s->cap = nc;
	}
	memcpy(s->p + s->len, d, n);
	s->len += n;
	return n;
}

/* Posts the image and validates the answer into out. ERR_UPSTREAM with a reason. */
static enum err remote(const struct provider_conf *pc, const void *bytes, size_t len,
                       const struct img *src, struct img *out, char *why, size_t n)
{
	CURL *c = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	struct curl_slist *hdr = NULL;
	struct sink s = { 0 };
	struct img_info info;
	char kh[512];
	long status = 0;
	CURLcode rc;
	enum err e = ERR_UPSTREAM;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (!c || !(mime = curl_mime_init(c)) || !(part = curl_mime_addpart(mime))) {
		snprintf(why, n, "cannot start libcurl");
		goto out;
	}
	curl_mime_name(part, pc->kind == PROVIDER_REMOVEBG ? "image_file" : "file");
	curl_mime_filename(part, "image");
	curl_mime_data(part, bytes, len);
	if (pc->kind == PROVIDER_REMOVEBG) {
		part = curl_mime_addpart(mime);
		if (part) {
			curl_mime_name(part, "size");
			curl_mime_data(part, "auto", CURL_ZERO_TERMINATED);
		}
		snprintf(kh, sizeof kh, "X-Api-Key: %s", pc->key);
		hdr = curl_slist_append(hdr, kh);
	}
	hdr = curl_slist_append(hdr, "Accept: image/png");
	curl_easy_setopt(c, CURLOPT_URL, pc->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, pc->timeout > 0 ? pc->timeout : 30L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, pc->timeout > 0 && pc->timeout < 10 ? pc->timeout : 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(why, n, "%s", s.over ? "answer too large" : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(why, n, "HTTP status %ld", status);
		goto out;
	}
	if (img_probe(s.p, s.len, NULL, &info) || info.fmt != IMG_FMT_PNG) {
		snprintf(why, n, "the answer is not a PNG image");
		goto out;
	}
	if (info.width != img_w(src) || info.height != img_h(src)) {
		snprintf(why, n, "the answer is %dx%d, the image %dx%d", info.width, info.height,
		         img_w(src), img_h(src));
		goto out;
	}
	if (img_decode(s.p, s.len, &info, out)) {
		snprintf(why, n, "the answer PNG does not decode");
		goto out;
	}
	if (img_w(out) != img_w(src) || img_h(out) != img_h(src) || !out->alpha) {
		snprintf(why, n, "the answer has no transparency or another size");
		img_free(out);
		goto out;
	}
	e = ERR_OK;
out:
	curl_slist_free_all(hdr);
	curl_mime_free(mime);
	if (c)
		curl_easy_cleanup(c);
	free(s.p);
	return e;
}

enum err provider_cutout(const struct provider_conf *pc, const void *bytes, size_t len,
                         const struct img *src, const struct img_cutout_opts *o,
                         struct img *out, struct img_rect *bbox, int *flags, int *remote_used,
                         char *why, size_t n)
{
	char reason[256];

	if (remote_used)
		*remote_used = 0;
	if (pc->kind == PROVIDER_LOCAL)
		return provider_local_cutout(src, o, out, bbox, flags, why, n);
	memset(out, 0, sizeof *out);
	reason[0] = 0;
	if (!remote(pc, bytes, len, src, out, reason, sizeof reason)) {
		*flags = IMG_CUT_REMOTE;
		*bbox = img_alpha_bbox(out);
		if (!bbox->w)
			*flags |= IMG_CUT_NO_SUBJECT;
		if (remote_used)
			*remote_used = 1;
		return ERR_OK;
	}
	if (!pc->fallback) {
		log_warn("cutout provider %s failed: %s", pc->kind == PROVIDER_REMOVEBG ?
		         "removebg" : "rembg", reason);
		if (why && n)
			snprintf(why, n, "provider_failed: %s", reason);
		return ERR_UPSTREAM;
	}
	log_warn("cutout provider %s failed (%s); using the local cutout",
	         pc->kind == PROVIDER_REMOVEBG ? "removebg" : "rembg", reason);
	return provider_local_cutout(src, o, out, bbox, flags, why, n);
}

/* provider_cutout() in the shape of the engine's pluggable cutout stage. */
static enum err cutout_stage(const void *ctx, const void *bytes, size_t len, const struct img *src,
                             const struct img_cutout_opts *o, struct img *out, struct img_rect *bbox,
                             int *flags, char *why, size_t n)
{
	return provider_cutout(ctx, bytes, len, src, o, out, bbox, flags, NULL, why, n);
}

void provider_attach(struct img_opts *o)
{
	/* Settings, not request data: one per process, re-read at each call. */
	static struct provider_conf pc;

	provider_net_configure(NULL);
	if (provider_conf_load(&pc)) {
		log_error("cutout_provider is invalid; using the local cutout");
		pc.kind = PROVIDER_LOCAL;
	}
	o->cutout = cutout_stage;
	o->cutout_ctx = &pc;
}
