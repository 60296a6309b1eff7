/* health.c: GET /health, the liveness and readiness check. */
#include <string.h>
#include "log.h"
#include "provider.h"
#include "req.h"
#include "resp.h"
#include "store.h"

/* The model check: the configured model's name when its file is readable and the
 * runtime opens (nothing is loaded: that costs seconds and a gigabyte), "none" when
 * cutout_model is none, else "unavailable", the reason logged once per process. */
static const char *model_check(void)
{
	static int said;
	char why[256];
	const char *model;

	provider_net_configure(NULL);
	model = img_net_model();
	if (!strcmp(model, "none") || img_net_check(why, sizeof why))
		return model;
	if (!said) {
		said = 1;
		log_warn("health: the cutout network is unavailable (%s); cutouts use the classical engine",
		         why);
	}
	return "unavailable";
}

/* 200 {"status": "Healthy", "version", "checks": {...}} when the database answers a
 * query, the data folder is writable and the model could load; 200 "Degraded" when only
 * the model is unavailable (cutouts still work, with the classical engine); 503
 * {"status": "Unhealthy", ...} naming the failed check when the store is unusable.
 * Reasons go to the log, never to the client. */
static enum err health(struct req *r)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_object();
	sqlite3 *db = NULL;
	const char *model;
	int degraded;
	enum err dir, dbe;

	/* The store first: its first use creates the data folder. */
	dbe = store_db(&db);
	if (!dbe)
		dbe = store_check(db);
	dir = store_data_dir_writable() ? ERR_OK : ERR_STORE;
	model = model_check();
	degraded = !strcmp(model, "unavailable");
	json_object_object_add(checks, "database", json_object_new_string(dbe ? err_code(dbe) : "ok"));
	json_object_object_add(checks, "data_dir", json_object_new_string(dir ? "not_writable" : "ok"));
	json_object_object_add(checks, "model", json_object_new_string(model));
	json_object_object_add(o, "status", json_object_new_string(dir || dbe ? "Unhealthy" :
	                                                            degraded ? "Degraded" : "Healthy"));
	json_object_object_add(o, "version", json_object_new_string(BACKDROP_VERSION));
	json_object_object_add(o, "checks", checks);
	resp_header(r, "Cache-Control", "no-store");
	return resp_json(r, dir || dbe ? 503 : 200, o);
}

static const struct route routes[] = {
	{ "GET", "/health", health },
};

int main(void)
{
	return app_main("health", routes, sizeof routes / sizeof routes[0]);
}
