/* change.c: the remote APIs: Background Change (/api/webhook, /api/change), the color
 * filter (/api/filter), remove.bg (/v1.0/removebg, /v1.0/account), rembg (/api/remove),
 * job status (/api/jobs/ID) and CORS for every /api/ path. */
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
	char code[48];            /* remove.bg error code chosen by the handler */
	int has_quota;
	struct quota_info qi;
	int credits_x4;           /* credits charged, in quarters */
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
 * credentials; "*" answers any origin without credentials. */
static void cors(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	int star;

	if (strncmp(r->path, "/api/", 5) || !origin || !*origin)
		return;
	resp_header(r, "Vary", "Origin");
	if (origin_listed(origin, &star)) {
		resp_header(r, "Access-Control-Allow-Origin", "%s", origin);
		resp_header(r, "Access-Control-Allow-Credentials", "true");
	} else if (star) {
		resp_header(r, "Access-Control-Allow-Origin", "*");
	} else {
		return;
	}
	resp_header(r, "Access-Control-Expose-Headers", "X-Width, X-Height, X-Type, X-Foreground-Top, "
	            "X-Foreground-Left, X-Foreground-Width, X-Foreground-Height, X-Cutout-Engine, "
	            "X-Credits-Charged, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, "
	            "Retry-After");
}

static enum err preflight(struct req *r)
{
	const char *want = req_header(r, "Access-Control-Request-Headers");
	char hdrs[256] = "Content-Type, Accept, X-Api-Key";
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

static void rate_headers(struct req *r, const struct ctx *c)
{
	if (!c->has_quota)
		return;
	resp_header(r, "X-RateLimit-Limit", "%ld", c->qi.rate_limit);
	resp_header(r, "X-RateLimit-Remaining", "%ld", c->qi.rate_remaining);
	resp_header(r, "X-RateLimit-Reset", "%ld", c->qi.reset);
}

/* The error response: CORS and rate headers survive it; remove.bg gets its shape. */
static void on_error(struct req *r, enum err e, const char *detail)
{
	struct ctx *c = r->ctx;

	cors(r);
	if (!c)
		return;
	rate_headers(r, c);
	if (e == ERR_RATE)
		resp_header(r, "Retry-After", "%ld", c->qi.retry_after > 0 ? c->qi.retry_after : 60);
	if (c->removebg)
		removebg_error(r, e, *c->code ? c->code : NULL, detail);
}

/* With an X-Api-Key, identifies the key and admits the request against its rate and
 * (images > 0) its monthly quota; images < 0 identifies only. Without a key:
 * required -> ERR_AUTH, else ERR_OK. */
static enum err admit(struct req *r, struct ctx *c, int required, long images, struct ident *id)
{
	sqlite3 *db;
	enum err e;

	memset(id, 0, sizeof *id);
	if (!req_header(r, "X-Api-Key")) {
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
	if (images < 0)
		return ERR_OK;
	e = quota_admit(db, id->key_id, quota_month_limit(id->quota_month), quota_rate_limit(id->rate_minute),
	                images, time(NULL), &c->qi);
	c->has_quota = e == ERR_OK || e == ERR_RATE || e == ERR_QUOTA;
	if (e == ERR_RATE)
		return req_fail(r, e, "more than %ld requests this minute", c->qi.rate_limit);
	if (e == ERR_QUOTA)
		return req_fail(r, e, "the monthly quota of %ld images is used up", c->qi.month_limit);
	return e;
}

/* Gives back the image reserved by admit() when the work failed. */
static void refund(struct ctx *c, const struct ident *id, long images)
{
	sqlite3 *db;

	if (id->is_key && images > 0 && !store_db(&db) && quota_refund(db, id->key_id, images, time(NULL)))
		log_warn("could not refund %ld images to key %s", images, id->key_id);
	(void)c;
}

static int accepts_json(struct req *r)
{
	const char *a = req_header(r, "Accept");
	return a && strstr(a, "application/json");
}

/* Sends a result: the bytes with their type, or {"data": {...}} for JSON clients (with
 * the engine, but for remove.bg, whose shape stays its own). */
static enum err send_result(struct req *r, const struct img_result *res)
{
	const struct ctx *c = r->ctx;
	struct json_object *o, *d;

	resp_cutout_engine(r, res->engine);
	resp_header(r, "X-Width", "%d", res->width);
	resp_header(r, "X-Height", "%d", res->height);
	resp_header(r, "X-Foreground-Top", "%d", res->fg.y);
	resp_header(r, "X-Foreground-Left", "%d", res->fg.x);
	resp_header(r, "X-Foreground-Width", "%d", res->fg.w);
	resp_header(r, "X-Foreground-Height", "%d", res->fg.h);
	resp_header(r, "Cache-Control", "no-store");
	if (!accepts_json(r))
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
 * job with callback_url (202). */
static enum err h_change(struct req *r)
{
	struct ctx *c = r->ctx;
	struct json_object *req = NULL, *cb, *o;
	struct img_result res;
	struct ident id;
	char why[300], jid[33], url[64];
	sqlite3 *db;
	enum err e;

	memset(&res, 0, sizeof res);
	if ((e = admit(r, c, 0, 1, &id)))
		return e;
	if ((e = read_json(r, &req)))
		goto out;
	if (json_object_object_get_ex(req, "callback_url", &cb)) {
		if (!json_object_is_type(cb, json_type_string) ||
		    !(str_prefix_ci(json_object_get_string(cb), "http://") ||
		      str_prefix_ci(json_object_get_string(cb), "https://"))) {
			e = req_fail(r, ERR_BAD_FIELD, "callback_url: expected an http(s) URL");
			goto out;
		}
		if ((e = store_db(&db)) ||
		    (e = job_create(db, r->body, json_object_get_string(cb), id.is_key ? id.key_id : NULL, jid)))
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
		refund(c, &id, 1);
	json_object_put(req);
	img_result_free(&res);
	return e;
}

/* POST /api/filter: {"image": "data:...", "color": "red"} -> {"image": "data:..."}. */
static enum err h_filter(struct req *r)
{
	struct ctx *c = r->ctx;
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
		refund(c, &id, 1);
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
	sqlite3 *db;
	enum err e;

	if (!str_is_id(r->params[0]))
		return req_fail(r, ERR_NOT_FOUND, "no such job");
	if ((e = store_db(&db)) || (e = job_status(db, r->params[0], &o)))
		return e == ERR_NOT_FOUND ? req_fail(r, e, "no such job") : e;
	resp_header(r, "Cache-Control", "no-store");
	return resp_json(r, 200, o);
}

/* POST /v1.0/removebg, /api/removebg */
static enum err h_removebg(struct req *r)
{
	struct ctx *c = r->ctx;
	struct removebg_out out;
	struct ident id;
	enum err e;

	c->removebg = 1;
	memset(&out, 0, sizeof out);
	if ((e = admit(r, c, 1, 1, &id)))
		return e;
	if ((e = removebg_run(r, &out, c->code, sizeof c->code)))
		goto out;
	resp_header(r, "X-Type", "%s", out.type);
	resp_header(r, "X-Credits-Charged", "%s", out.credits);
	rate_headers(r, c);
	if (out.zip) {
		resp_cutout_engine(r, out.res.engine);
		resp_header(r, "X-Width", "%d", out.res.width);
		resp_header(r, "X-Height", "%d", out.res.height);
		e = resp_body(r, 200, "application/zip", out.zip, out.zip_len);
	} else {
		e = send_result(r, &out.res);
	}
out:
	if (e)
		refund(c, &id, 1);
	removebg_out_free(&out);
	return e;
}

/* GET /v1.0/account: the key's credits, in remove.bg's shape. */
static enum err h_account(struct req *r)
{
	struct ctx *c = r->ctx;
	struct json_object *o, *d, *a, *cr, *api;
	struct ident id;
	sqlite3 *db;
	long used = 0, limit;
	enum err e;

	c->removebg = 1;
	if ((e = admit(r, c, 1, -1, &id)) || (e = store_db(&db)) ||
	    (e = quota_used(db, id.key_id, time(NULL), &used)))
		return e;
	limit = quota_month_limit(id.quota_month);
	o = json_object_new_object();
	d = json_object_new_object();
	a = json_object_new_object();
	cr = json_object_new_object();
	api = json_object_new_object();
	json_object_object_add(cr, "total", json_object_new_int64(limit > 0 ? limit - used : -1));
	json_object_object_add(cr, "subscription", json_object_new_int64(limit > 0 ? limit - used : -1));
	json_object_object_add(cr, "payg", json_object_new_int(0));
	json_object_object_add(cr, "enterprise", json_object_new_int(0));
	json_object_object_add(cr, "used_this_month", json_object_new_int64(used));
	json_object_object_add(cr, "monthly_quota", json_object_new_int64(limit));
	json_object_object_add(api, "free_calls", json_object_new_int(0));
	json_object_object_add(api, "sizes", json_object_new_string("all"));
	json_object_object_add(a, "credits", cr);
	json_object_object_add(a, "api", api);
	json_object_object_add(d, "attributes", a);
	json_object_object_add(o, "data", d);
	return resp_json(r, 200, o);
}

/* GET /api/remove?url=..., POST /api/remove (file field `file`): rembg's server. */
static enum err h_rembg(struct req *r)
{
	struct ctx *c = r->ctx;
	struct img_result res;
	struct ident id;
	enum err e;

	memset(&res, 0, sizeof res);
	if ((e = admit(r, c, 0, 1, &id)))
		return e;
	if (!(e = removebg_rembg(r, &res)) && !(e = resp_cutout_engine(r, res.engine)))
		e = resp_body(r, 200, "image/png", res.data, res.len);
	if (e)
		refund(c, &id, 1);
	img_result_free(&res);
	return e;
}

/* Wraps every handler: per-request context, the error hook, CORS on success. */
#define WRAP(name, fn) static enum err name(struct req *r) \
	{ struct ctx c; enum err e; memset(&c, 0, sizeof c); r->ctx = &c; r->on_error = on_error; \
	  e = fn(r); if (!e) cors(r); \
	  if (e) { log_info("%s %s -> %d %s%s%s", r->method, r->path, err_status(e), err_code(e), \
	                    *r->detail ? ": " : "", r->detail); \
	           resp_error(r, e, *r->detail ? r->detail : NULL); } \
	  r->ctx = NULL; r->on_error = NULL; return r->done ? ERR_OK : e; }

WRAP(w_change, h_change)
WRAP(w_filter, h_filter)
WRAP(w_job, h_job)
WRAP(w_removebg, h_removebg)
WRAP(w_account, h_account)
WRAP(w_rembg, h_rembg)

static const struct route routes[] = {
	{ "POST", "/api/webhook", w_change },
	{ "POST", "/api/change", w_change },
	{ "POST", "/api/filter", w_filter },
	{ "POST", "/api/removebg", w_removebg },
	{ "GET", "/api/remove", w_rembg },
	{ "POST", "/api/remove", w_rembg },
	{ "GET", "/api/jobs/*", w_job },
	{ "OPTIONS", "/api/*", preflight },
	{ "OPTIONS", "/api/jobs/*", preflight },
	{ "POST", "/v1.0/removebg", w_removebg },
	{ "GET", "/v1.0/account", w_account },
};

int main(void)
{
	fetch_global_init();
	return app_main("change", routes, sizeof routes / sizeof routes[0]);
}
