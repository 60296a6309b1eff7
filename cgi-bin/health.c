/* health.c: GET /health, the liveness and readiness check. */
#include <string.h>
#include "req.h"
#include "resp.h"
#include "store.h"

/* 200 {"status": "Healthy", "version", "checks": {...}} when the database answers a
 * query and the data folder is writable; 503 {"status": "Unhealthy", ...} naming the
 * failed check otherwise. Reasons go to the log, never to the client. */
static enum err health(struct req *r)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_object();
	sqlite3 *db = NULL;
	enum err dir, dbe;

	/* The store first: its first use creates the data folder. */
	dbe = store_db(&db);
	if (!dbe)
		dbe = store_check(db);
	dir = store_data_dir_writable() ? ERR_OK : ERR_STORE;
	json_object_object_add(checks, "database", json_object_new_string(dbe ? err_code(dbe) : "ok"));
	json_object_object_add(checks, "data_dir", json_object_new_string(dir ? "not_writable" : "ok"));
	json_object_object_add(o, "status", json_object_new_string(dir || dbe ? "Unhealthy" : "Healthy"));
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
