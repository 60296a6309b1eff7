/* change.c: the remote APIs: Background Change (/api/webhook, /api/change), the color
 * filter (/api/filter), remove.bg (/v1.0/removebg, /v1.0/account, /v1.0/improve), rembg
 * (/api/remove, its docs page /api), job status (/api/jobs/ID), and CORS for every
 * /api/ and /v1.0/ path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "conf.h"
#include "fetch.h"
#include "job.h"
#include "log.h"
#include "mp.h"
#include "quota.h"
#include "removebg.h"
#include "render.h"
#include "req.h"
#include "resp.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* Per-request state: what the error response must carry besides the body. */
struct ctx {
	int removebg;             /* errors in remove.bg's shape */
	int rembg;                /* with code set: a FastAPI validation error (422) */
	char code[48];            /* remove.bg error code, or rembg's refused parameter */
};

/* ---- CORS ---- */

/* 1 if origin is listed in cors_origins; *star is 1 when "*" is listed. */
static int origin_listed(const char *origin, int *star)
{
	const char *p = conf_str("cors_origins"), *end;
	size_t len, ol = strlen(origin);

	*star = 0;
	for (; *p; p = *end ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len && p[len - 1] == ' ')
			len--;
		if (len == 1 && *p == '*')
			*star = 1;
		else if (len == ol && !strncasecmp(p, origin, len))
			return 1;
	}
	return 0;
}

/* Adds the CORS headers for the request's Origin: a listed origin is echoed with
 * credentials; "*" answers any origin without credentials. /v1.0/ answers every origin
 * "*", as remove.bg does (its callers send keys, not cookies). */
static void cors(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	int star, v1 = !strncmp(r->path, "/v1.0/", 6);

	if ((!v1 && strncmp(r->path, "/api/", 5)) || !origin || !*origin)
		return;
	resp_header(r, "Vary", "Origin");
	if (v1) {
		resp_header(r, "Access-Control-Allow-Origin", "*");
	} else if (origin_listed(origin, &star)) {
		resp_header(r, "Access-Control-Allow-Origin", "%s", origin);
		resp_header(r, "Access-Control-Allow-Credentials", "true");
	} else if (star) {
		resp_header(r, "Access-Control-Allow-Origin", "*");
	} else {
		return;
	}
	resp_header(r, "Access-Control-Expose-Headers", "X-Width, X-Height, X-Max-Width, X-Max-Height, "
	            "X-Type, X-Foreground-Top, X-Foreground-Left, X-Foreground-Width, "
	            "X-Foreground-Height, X-Cutout-Engine, "
	            "X-Credits-Charged, X-Credits-Used-This-Month, X-Credits-Monthly-Quota, "
	            "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After");
}

static enum err preflight(struct req *r)
{
	const char *want = req_header(r, "Access-Control-Request-Headers");
	char hdrs[256] = "Content-Type, Accept, X-Api-Key, Authorization";
	size_t i;

	cors(r);
	/* Echo the asked-for header names when they are plain tokens. */
	if (want && strlen(want) < sizeof hdrs) {
		for (i = 0; want[i]; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_, ", want[i]))
				break;
		if (!want[i] && *want)
			snprintf(hdrs, sizeof hdrs, "%s", want);
	}
	resp_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
	resp_header(r, "Access-Control-Allow-Headers", "%s", hdrs);
	resp_header(r, "Access-Control-Max-Age", "600");
	return resp_body(r, 204, "text/plain", "", 0);
}

/* ---- shared pieces ---- */

/* The error response, after the key gate (quota_serve_app) added the rate headers and
 * Retry-After: CORS survives it; remove.bg and rembg get their shapes. */
static void on_error(struct req *r, enum err e, const char *detail)
{
	struct ctx *c = quota_app(r);

	cors(r);
	if (!c)
		return;
	if (c->removebg)
		removebg_error(r, e, *c->code ? c->code : NULL, detail);
	else if (c->rembg && *c->code && e == ERR_BAD_FIELD)
		removebg_rembg_error(r, c->code, detail);
}

/* The router's own errors under /v1.0/ (no such path, method) in remove.bg's shape. */
static void v1_shape(struct req *r, enum err e, const char *detail)
{
	cors(r);
	removebg_error(r, e, NULL, detail);
}

/* With an API key (X-Api-Key or Bearer), identifies the key and admits the request
 * against its rate and (images > 0) its monthly quota with quota_charge(); images < 0
 * identifies only. Without a key: required -> ERR_AUTH, else ERR_OK. */
static enum err admit(struct req *r, struct ctx *c, int required, long images, struct ident *id)
{
	struct db *db;
	enum err e;

	memset(id, 0, sizeof *id);
	if (!req_api_key(r)) {
		if (required) {
			snprintf(c->code, sizeof c->code, "auth_failed");
			return req_fail(r, ERR_AUTH, "Missing API Key (X-Api-Key header)");
		}
		return ERR_OK;
	}
	if ((e = store_db(&db)) || (e = ident_get(r, db, id))) {
		if (e == ERR_AUTH)
			snprintf(c->code, sizeof c->code, "auth_failed");
		return e;
	}
	return images < 0 ? ERR_OK : quota_charge(r, db, id, images);
}

/* Gives back quarters of a credit reserved by admit() (4 per image): all of them when
 * the work failed, the unused part when it cost less. */
static void refund(const struct ident *id, long quarters)
{
	struct db *db;

	if (!store_db(&db))
		quota_give_back_x4(db, id, quarters);
}

/* Sends a result: the bytes with their type, or {"data": {...}} for JSON clients (with
 * the engine, but for remove.bg, whose shape stays its own). */
static enum err send_result(struct req *r, const struct img_result *res)
{
	const struct ctx *c = quota_app(r);
	struct json_object *o, *d;

	resp_cutout_engine(r, res->engine);
	resp_header(r, "X-Width", "%d", res->width);
	resp_header(r, "X-Height", "%d", res->height);
	resp_header(r, "X-Foreground-Top", "%d", res->fg.y);
	resp_header(r, "X-Foreground-Left", "%d", res->fg.x);
	resp_header(r, "X-Foreground-Width", "%d", res->fg.w);
	resp_header(r, "X-Foreground-Height", "%d", res->fg.h);
	resp_header(r, "Cache-Control", "no-store");
	if (!req_prefers(r, "application/json", res->mime))
		return resp_body(r, 200, res->mime, res->data, res->len);
	if (!(d = render_result_json(res, !c->removebg)) || !(o = json_object_new_object())) {
		json_object_put(d);
		return ERR_NOMEM;
	}
	json_object_object_add(o, "data", d);
	return resp_json(r, 200, o);
}

/* Reads and parses the JSON body. */
static enum err read_json(struct req *r, struct json_object **out)
{
	const char *body;
	size_t len;
	char why[200];
	enum err e;

	*out = NULL;
	if ((e = req_body(r, &body, &len)))
		return e;
	if ((e = render_json_parse(body, len, out, why, sizeof why)))
		return req_fail(r, e, "%s", why);
	return ERR_OK;
}

/* ---- handlers ---- */

/* POST /api/webhook, /api/change: the Background Change request, synchronous, or a
 * job with callback_url (202). /api/webhook, the original app's route, ignores keys it
 * does not know, as that app did; /api/change refuses them (a typo would otherwise
 * silently change the result). */
static enum err h_change(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct json_object *req = NULL, *cb, *o;
	struct img_result res;
	struct ident id;
	char why[300], jid[33], url[64];
	struct db *db;
	enum err e;

	memset(&res, 0, sizeof res);
	if ((e = admit(r, c, 0, 1, &id)))
		return e;
	if ((e = read_json(r, &req)))
		goto out;
	if (!strcmp(r->path, "/api/webhook"))
		render_drop_unknown(req);
	if (json_object_object_get_ex(req, "callback_url", &cb)) {
		if (!json_object_is_type(cb, json_type_string) ||
		    !(str_prefix_ci(json_object_get_string(cb), "http://") ||
		      str_prefix_ci(json_object_get_string(cb), "https://"))) {
			e = req_fail(r, ERR_BAD_FIELD, "callback_url: expected an http(s) URL");
			goto out;
		}
		if ((e = store_db(&db)) ||
		    (e = job_create(db, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
		                    json_object_get_string(cb), id.is_key ? id.key_id : NULL, jid)))
			goto out;
		snprintf(url, sizeof url, "/api/jobs/%s", jid);
		o = json_object_new_object();
		json_object_object_add(o, "job_id", json_object_new_string(jid));
		json_object_object_add(o, "status", json_object_new_string("queued"));
		json_object_object_add(o, "status_url", json_object_new_string(url));
		resp_header(r, "Location", "%s", url);
		e = resp_json(r, 202, o);
		goto out;
	}
	if ((e = render_change(req, 0, &res, why, sizeof why))) {
		req_fail(r, e, "%s", why);
		goto out;
	}
	e = send_result(r, &res);
out:
	if (e)
		refund(&id, 4);
	json_object_put(req);
	img_result_free(&res);
	return e;
}

/* POST /api/filter: {"image": "data:...", "color": "red"} -> {"image": "data:..."}.
 * The webcam app's route: unknown keys are ignored, as there. */
static enum err h_filter(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct json_object *req = NULL, *o;
	struct img_result res;
	struct ident id;
	struct buf b = { 0 };
	char why[300], *b64 = NULL;
	enum err e;

	memset(&res, 0, sizeof res);
	if ((e = admit(r, c, 0, 1, &id)))
		return e;
	if ((e = read_json(r, &req)))
		goto out;
	render_drop_unknown(req);
	if ((e = render_change(req, 1, &res, why, sizeof why))) {
		req_fail(r, e, "%s", why);
		goto out;
	}
	if (!(b64 = fetch_b64_encode(res.data, res.len)) ||
	    buf_printf(&b, "data:%s;base64,", res.mime) || buf_adds(&b, b64)) {
		e = ERR_NOMEM;
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "image", json_object_new_string_len(b.data, (int)b.len));
	e = resp_json(r, 200, o);
out:
	if (e)
		refund(&id, 4);
	free(b64);
	buf_free(&b);
	json_object_put(req);
	img_result_free(&res);
	return e;
}

/* GET /api/jobs/ID */
static enum err h_job(struct req *r)
{
	struct json_object *o;
	struct db *db;
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such job");
	if ((e = store_db(&db)) || (e = job_status(db, r->params[0], &o)))
		return e == ERR_NOT_FOUND ? req_fail(r, e, "no such job") : e;
	resp_header(r, "Cache-Control", "no-store");
	return resp_json(r, 200, o);
}

/* A credit amount given in quarters as a JSON number: whole credits as integers. */
static struct json_object *credits_json(long x4)
{
	return x4 % 4 ? json_object_new_double((double)x4 / 4) : json_object_new_int64(x4 / 4);
}

/* Reserves what a request costs, in quarters of a credit, of the key's month (after
 * admit() counted its rate). ERR_QUOTA with a detail when it does not fit. */
static enum err charge(struct req *r, const struct ident *id, long quarters)
{
	struct db *db;
	enum err e;

	if (!id->is_key)
		return ERR_OK;
	return (e = store_db(&db)) ? e : quota_charge_x4(r, db, id, quarters);
}

/* POST /v1.0/removebg, /api/removebg: the request is read and checked, charged what it
 * costs (a preview a quarter credit), then rendered. */
static enum err h_removebg(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct removebg_req q;
	struct removebg_out out;
	struct json_object *o, *d;
	struct ident id;
	char *b64 = NULL;
	long charged = 0;
	enum err e;

	c->removebg = 1;
	memset(&q, 0, sizeof q);
	memset(&out, 0, sizeof out);
	if ((e = admit(r, c, 1, 0, &id)))
		return e;
	if ((e = removebg_parse(r, &q, c->code, sizeof c->code)) || (e = charge(r, &id, q.credits_x4)))
		goto out;
	charged = q.credits_x4;
	if ((e = removebg_render(r, &q, &out, c->code, sizeof c->code)))
		goto out;
	resp_header(r, "X-Type", "%s", out.type);
	resp_header(r, "X-Credits-Charged", "%s", q.credits_x4 == 4 ? "1" : "0.25");
	/* As remove.bg: the largest result this image gives (size=full, before any crop),
	 * which is the photo's own size, upright. */
	resp_header(r, "X-Max-Width", "%d", out.res.src_width);
	resp_header(r, "X-Max-Height", "%d", out.res.src_height);
	if (!out.zip) {
		e = send_result(r, &out.res);
		goto out;
	}
	resp_cutout_engine(r, out.res.engine);
	resp_header(r, "X-Width", "%d", out.res.width);
	resp_header(r, "X-Height", "%d", out.res.height);
	if (!req_prefers(r, "application/json", "application/zip")) {
		e = resp_body(r, 200, "application/zip", out.zip, out.zip_len);
		goto out;
	}
	/* remove.bg's JSON answer: the zip, base64-encoded, as result_b64. */
	if (!(b64 = fetch_b64_encode(out.zip, out.zip_len)) || !(o = json_object_new_object())) {
		e = ERR_NOMEM;
		goto out;
	}
	d = json_object_new_object();
	json_object_object_add(d, "result_b64", json_object_new_string(b64));
	json_object_object_add(o, "data", d);
	e = resp_json(r, 200, o);
out:
	if (e)
		refund(&id, charged);
	free(b64);
	removebg_out_free(&out);
	removebg_req_free(&q);
	return e;
}

/* GET /v1.0/account: the key's credits in exactly remove.bg's shape (its SDKs refuse
 * other keys); usage and quota in X-Credits-Used-This-Month and X-Credits-Monthly-Quota
 * (0: unlimited). A key without a monthly quota has as many credits as its rate allows
 * until the month ends. Counts against the key's rate. */
static enum err h_account(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct json_object *o, *d, *a, *cr, *api;
	struct ident id;
	struct db *db;
	long used = 0, limit, rate, left;
	time_t now = time(NULL);
	struct tm tm;
	enum err e;

	c->removebg = 1;
	if ((e = admit(r, c, 1, 0, &id)) || (e = store_db(&db)) || (e = quota_used(db, id.key_id, now, &used)))
		return e;
	limit = quota_month_limit(id.quota_month);
	rate = quota_rate_limit(id.rate_minute);
	if (limit > 0) {
		left = limit * 4 - used;
	} else {
		/* Minutes to the month's end (UTC) times the rate; no rate: no bound. */
		gmtime_r(&now, &tm);
		tm.tm_mon++;
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		left = rate > 0 ? (long)((timegm(&tm) - now + 59) / 60) * rate * 4 : 4L * 1000000000;
	}
	if (left < 0)
		left = 0;
	resp_header(r, "X-Credits-Used-This-Month", "%ld%s", used / 4, used % 4 == 1 ? ".25" : used % 4 == 2 ? ".5" :
	            used % 4 == 3 ? ".75" : "");
	resp_header(r, "X-Credits-Monthly-Quota", "%ld", limit > 0 ? limit : 0);
	resp_header(r, "Cache-Control", "no-store");
	o = json_object_new_object();
	d = json_object_new_object();
	a = json_object_new_object();
	cr = json_object_new_object();
	api = json_object_new_object();
	json_object_object_add(cr, "total", credits_json(left));
	json_object_object_add(cr, "subscription", credits_json(left));
	json_object_object_add(cr, "payg", json_object_new_int(0));
	json_object_object_add(cr, "enterprise", json_object_new_int(0));
	json_object_object_add(api, "free_calls", json_object_new_int(0));
	json_object_object_add(api, "sizes", json_object_new_string("all"));
	json_object_object_add(a, "credits", cr);
	json_object_object_add(a, "api", api);
	json_object_object_add(d, "attributes", a);
	json_object_object_add(o, "data", d);
	return resp_json(r, 200, o);
}

/* POST /v1.0/improve: remove.bg's improvement program; {"id": "..."}. Counts against
 * the key's rate, costs no credit. */
static enum err h_improve(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct json_object *o;
	struct ident id;
	char uuid[37];
	enum err e;

	c->removebg = 1;
	if ((e = admit(r, c, 1, 0, &id)) || (e = removebg_improve(r, uuid, c->code, sizeof c->code)))
		return e;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(uuid));
	return resp_json(r, 200, o);
}

/* GET /api/remove?url=..., POST /api/remove (file field `file`): rembg's server. */
static enum err h_rembg(struct req *r)
{
	struct ctx *c = quota_app(r);
	struct img_result res;
	struct ident id;
	char type[16] = "";
	enum err e;

	c->rembg = 1;
	memset(&res, 0, sizeof res);
	if ((e = admit(r, c, 0, 1, &id)))
		return e;
	if (!(e = removebg_rembg(r, &res, type, c->code, sizeof c->code)) && !(e = resp_cutout_engine(r, res.engine)) &&
	    !(e = resp_header(r, "X-Type", "%s", type)))
		e = resp_body(r, 200, "image/png", res.data, res.len);
	if (e)
		refund(&id, 4);
	img_result_free(&res);
	return e;
}

/* GET /api: rembg serves its API's docs here; ours list the same calls. */
static enum err h_api_docs(struct req *r)
{
	static const char page[] =
		"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Backdrop API</title>"
		"<link rel=\"stylesheet\" href=\"/style.css\"></head><body><main>\n"
		"<h1>Backdrop API</h1>\n"
		"<h2>rembg</h2>\n<ul>\n"
		"<li><code>GET /api/remove?url=URL</code></li>\n"
		"<li><code>POST /api/remove</code> with the multipart file field <code>file</code> "
		"(or the image as the body)</li>\n</ul>\n"
		"<p>Parameters (query or form): <code>model</code>, <code>a</code>, <code>af</code>, <code>ab</code>, "
		"<code>ae</code>, <code>om</code>, <code>ppm</code>, <code>bgc</code>. The answer is a PNG.</p>\n"
		"<h2>remove.bg</h2>\n<ul>\n"
		"<li><code>POST /v1.0/removebg</code></li>\n<li><code>GET /v1.0/account</code></li>\n"
		"<li><code>POST /v1.0/improve</code></li>\n</ul>\n"
		"<h2>Background Change</h2>\n<ul>\n"
		"<li><code>POST /api/webhook</code>, <code>POST /api/change</code></li>\n"
		"<li><code>POST /api/filter</code></li>\n<li><code>GET /api/jobs/ID</code></li>\n</ul>\n"
		"<p>Every parameter and header is described in the README of the source "
		"(<a href=\"/source.tar.gz\">source.tar.gz</a>).</p>\n</main></body></html>\n";

	resp_header(r, "Content-Security-Policy", "default-src 'self'");
	return resp_body(r, 200, "text/html; charset=utf-8", page, sizeof page - 1);
}

/* Wraps every handler: its state (quota_app), CORS (an error response drops it and
 * on_error adds it again), and the key gate the records programs use, with our error
 * shapes: quota_charge() in admit() and charge() puts the key's rate headers on every
 * answer, an error's too. */
#define WRAP(name, fn) static enum err name(struct req *r) \
	{ struct ctx c; memset(&c, 0, sizeof c); cors(r); return quota_serve_app(r, fn, on_error, &c); }

WRAP(w_change, h_change)
WRAP(w_filter, h_filter)
WRAP(w_job, h_job)
WRAP(w_removebg, h_removebg)
WRAP(w_account, h_account)
WRAP(w_rembg, h_rembg)
WRAP(w_improve, h_improve)

static const struct route routes[] = {
	{ "POST", "/api/webhook", w_change },
	{ "POST", "/api/change", w_change },
	{ "POST", "/api/filter", w_filter },
	{ "POST", "/api/removebg", w_removebg },
	{ "GET", "/api/remove", w_rembg },
	{ "POST", "/api/remove", w_rembg },
	{ "GET", "/api/jobs/*", w_job },
	{ "GET", "/api", h_api_docs },
	{ "OPTIONS", "/api/*", preflight },
	{ "OPTIONS", "/api/jobs/*", preflight },
	{ "POST", "/v1.0/removebg", w_removebg },
	{ "GET", "/v1.0/account", w_account },
	{ "POST", "/v1.0/improve", w_improve },
	{ "OPTIONS", "/v1.0/removebg", preflight },
	{ "OPTIONS", "/v1.0/account", preflight },
	{ "OPTIONS", "/v1.0/improve", preflight },
};

int main(void)
{
	fetch_global_init();
	return app_main_shaped("change", routes, sizeof routes / sizeof routes[0], "/v1.0/", v1_shape);
}
