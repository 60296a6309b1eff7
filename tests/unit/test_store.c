/* test_store.c: opening, migrations recorded once, pragmas, error mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "store.h"
#include "tap.h"

static long scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int main(void)
{
	char dir[512], path[600], why[256];
	sqlite3 *a = NULL, *b = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(dir, sizeof dir, "%s/store.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	setenv("BACKDROP_CONF", "/dev/null", 1);
	setenv("BACKDROP_ENV_FILE", "/dev/null", 1);
	setenv("BACKDROP_DATA_DIR", dir, 1);
	conf_load(why, sizeof why);
	snprintf(path, sizeof path, "%s/backdrop.db", dir);

	is_int(store_open(path, 1, &a), ERR_OK, "store opens and migrates");
	is_int(scalar(a, "SELECT COUNT(*) FROM schema_migrations"), nmigrations, "every migration recorded");
	is_int(store_migrate(a), ERR_OK, "migrating again is a no-op");
	is_int(scalar(a, "SELECT COUNT(*) FROM schema_migrations"), nmigrations, "no migration recorded twice");
	is_int(scalar(a, "PRAGMA foreign_keys"), 1, "foreign keys are on");
	sqlite3_prepare_v2(a, "PRAGMA journal_mode", -1, &st, NULL);
	ok(sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal"), "journal mode is WAL");
	sqlite3_finalize(st);
	ok(scalar(a, "PRAGMA busy_timeout") > 0, "busy timeout is set");
	is_int(store_check(a), ERR_OK, "check answers");

	/* A second writer waits, then reports busy as ERR_STORE_BUSY. */
	is_int(store_open(path, 0, &b), ERR_OK, "second connection opens");
	sqlite3_busy_timeout(b, 50);
	is_int(store_begin(a, 1), ERR_OK, "first writer begins");
	is_int(store_begin(b, 1), ERR_STORE_BUSY, "second writer is busy");
	store_rollback(a);
	store_rollback(b);
	is_int(store_err(NULL, SQLITE_READONLY, "test"), ERR_STORE, "read-only maps to ERR_STORE");
	sqlite3_close(a);
	sqlite3_close(b);
	ok(store_open("/nonexistent/dir/x.db", 1, &a) == ERR_STORE && a == NULL, "unopenable path is ERR_STORE");

	setenv("BACKDROP_DATA_DIR", "/proc/backdrop-cannot-be-here", 1);
	conf_load(why, sizeof why);
	ok(store_data_dir_ready(why, sizeof why) == ERR_STORE && strstr(why, "/proc/backdrop-cannot-be-here"),
	   "an unusable data folder names its path: %s", why);
	tap_done();
}
