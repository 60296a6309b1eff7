/* provider.h: the cutout through a remote background-removal service (remove.bg or a
 * rembg server), with a fallback to the local cutout. */
#ifndef BACKDROP_PROVIDER_H
#define BACKDROP_PROVIDER_H

#include <stddef.h>
#include "err.h"
#include "img.h"
#include "cutout.h"
#include "pipeline.h"

#define PROVIDER_MAX_BYTES (64L << 20)  /* largest answer accepted from a provider */

enum provider_kind { PROVIDER_LOCAL, PROVIDER_REMOVEBG, PROVIDER_REMBG, PROVIDER__MAX };

/* The provider settings: cutout_provider, provider_url, provider_key, provider_timeout
 * (seconds), provider_fallback. Strings are borrowed (conf's storage or the caller's). */
struct provider_conf {
	enum provider_kind kind;
	const char *url, *key;
	long timeout;
	int fallback;
};

/* Fills pc from the loaded conf (conf_load). ERR_CONFIG for an unknown provider name or
 * a remote provider without provider_url. */
enum err provider_conf_load(struct provider_conf *pc);

/*
 * Cuts src (decoded from bytes[len], the original file, which is what is sent) by the
 * provider pc: local runs img_cutout_why(); removebg posts multipart field image_file
 * with X-Api-Key, rembg posts field `file`; the answer must be a PNG of src's size
 * with an alpha channel, within PROVIDER_MAX_BYTES and pc->timeout seconds. On any
 * remote failure (connection, timeout, status, garbage, wrong size) it logs one line
 * with the reason and, when pc->fallback, runs the local cutout instead (*flags gets
 * no extra bit; the log says why); otherwise returns ERR_UPSTREAM. Same contract for
 * out, bbox, flags and why as img_cutout_why(). *remote (may be NULL) is set to 1 when
 * the remote answer was used.
 */
enum err provider_cutout(const struct provider_conf *pc, const void *bytes, size_t len,
                         const struct img *src, const struct img_cutout_opts *o,
                         struct img *out, struct img_rect *bbox, int *flags, int *remote,
                         char *why, size_t n);

/* Hands the network settings of the loaded conf (cutout_model, or model when not NULL;
 * cutout_threads, model_dir, onnxruntime_lib) to the engine. Loads nothing. */
void provider_net_configure(const char *model);

/* The local cutout: img_cutout_why() with the configured network, logging once per
 * process why the network cannot be used (the classical engine then cuts); nothing is
 * logged when cutout_model is none. */
enum err provider_local_cutout(const struct img *src, const struct img_cutout_opts *o,
                               struct img *out, struct img_rect *bbox, int *flags,
                               char *why, size_t n);

/* Hands the network settings to the engine and plugs the configured provider into o as
 * its cutout stage, so img_process() uses it (local for an invalid provider setting,
 * which is logged). */
void provider_attach(struct img_opts *o);

#endif
