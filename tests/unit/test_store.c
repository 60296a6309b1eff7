/* test_store.c: opening, migrations recorded once, the one SQL text for both backends
 * (parameters, types, changes), busy writers, error mapping. Runs on the backend that
 * BACKDROP_DATABASE_URL names (an empty PostgreSQL database under STORE=postgres), else
 * on an SQLite file of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "store.h"
#include "tap.h"

static long scalar(struct db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	long v = -1;

	if (db_prepare(db, sql, &st) == 0 && db_step(st) == DB_ROW)
		v = (long)db_col_int(st, 0);
	db_finalize(st);
	return v;
}

static void statements(struct db *a)
{
	static const unsigned char bytes[] = { 0, 1, 2, 255, 0, 7 };
	struct db_stmt *st = NULL;
	int n;

	/* ?N may repeat; a ? inside a quoted string is text, not a parameter. */
	ok(db_prepare(a, "SELECT '?' || ?2 || ?1, ?3 + 1, ?4, ?5, ?2", &st) == 0, "a statement prepares");
	db_bind_text(st, 1, "b", -1);
	db_bind_text(st, 2, "a-and-more", 1);
	db_bind_int(st, 3, 41);
	db_bind_blob(st, 4, bytes, sizeof bytes);
	db_bind_null(st, 5);
	ok(db_step(st) == DB_ROW, "it gives a row");
	ok(db_col_text(st, 0) && !strcmp(db_col_text(st, 0), "?ab"), "texts bind, a length cuts them: %s",
	   db_col_text(st, 0) ? db_col_text(st, 0) : "(null)");
	is_int(db_col_int(st, 1), 42, "integers bind and read");
	ok(db_col_bytes(st, 2) == sizeof bytes && !memcmp(db_col_blob(st, 2), bytes, sizeof bytes),
	   "blobs round-trip with their zero bytes");
	ok(db_col_null(st, 3) && !db_col_text(st, 3) && db_col_int(st, 3) == 0, "NULL reads as NULL");
	ok(!strcmp(db_col_text(st, 4), "a"), "a parameter used twice has its one value");
	ok(!db_col_null(st, 1) && !strcmp(db_col_text(st, 1), "42"), "an integer reads as text too");
	is_int(db_step(st), DB_DONE, "then the statement is done");
	db_finalize(st);

	/* A statement may leave some of ?1..?N unnamed (one binding for several texts). */
	ok(db_prepare(a, "SELECT ?1 || ?3", &st) == 0, "a statement skipping ?2 prepares");
	db_bind_text(st, 1, "x", -1);
	db_bind_text(st, 2, "unused", -1);
	db_bind_text(st, 3, "z", -1);
	ok(db_step(st) == DB_ROW && !strcmp(db_col_text(st, 0), "xz"), "and runs with ?2 bound but unnamed");
	db_finalize(st);

	/* The same text prepared again (a cached statement on PostgreSQL) still works. */
	for (n = 0; n < 3; n++) {
		ok(db_prepare(a, "SELECT ?1 + ?1", &st) == 0, "prepared again (%d)", n);
		db_bind_int(st, 1, n);
		ok(db_step(st) == DB_ROW && db_col_int(st, 0) == 2 * n, "with a new value (%d)", n);
		db_finalize(st);
	}
	is_int(db_exec(a, "INSERT INTO key_rate (key_id, minute, requests) VALUES ('k', 1, 1), ('k', 2, 1)"),
	       ERR_OK, "db_exec runs a statement");
	ok(db_prepare(a, "UPDATE key_rate SET requests = requests + ? WHERE key_id = ?", &st) == 0 &&
	   db_step(st) == DB_DONE, "an update runs");
	db_finalize(st);
	ok(db_prepare(a, "UPDATE key_rate SET requests = requests + ? WHERE key_id = ?", &st) == 0, "again");
	db_bind_int(st, 1, 5);
	db_bind_text(st, 2, "k", -1);
	is_int(db_step(st), DB_DONE, "an update is done");
	is_int(db_changes(a), 2, "db_changes counts its rows");
	db_finalize(st);
	is_int(scalar(a, "SELECT CAST(SUM(requests) AS BIGINT) FROM key_rate"), 12, "and they changed");
	ok(db_prepare(a, "SELECT nosuchcolumn FROM key_rate", &st) != 0 || db_step(st) == DB_FAIL,
	   "a bad statement fails");
	db_finalize(st);
	is_int(db_err(a, "test"), ERR_INTERNAL, "and maps to ERR_INTERNAL");
	is_int(db_err(a, "test"), ERR_INTERNAL, "an unexpected result with no failure is ERR_INTERNAL");
}

int main(void)
{
	char dir[512], url[700], why[256];
	const char *given = getenv("BACKDROP_DATABASE_URL");
	struct db *a = NULL, *b = NULL;
	struct db_stmt *st = NULL;
	int n;

	snprintf(dir, sizeof dir, "%s/store.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	setenv("BACKDROP_CONF", "/dev/null", 1);
	setenv("BACKDROP_ENV_FILE", "/dev/null", 1);
	setenv("BACKDROP_DATA_DIR", dir, 1);
	setenv("BACKDROP_BUSY_TIMEOUT_MS", "50", 1);
	if (given && *given)
		snprintf(url, sizeof url, "%s", given);
	else
		snprintf(url, sizeof url, "sqlite:%s/backdrop.db", dir);
	setenv("BACKDROP_DATABASE_URL", url, 1);
	conf_load(why, sizeof why);
	printf("# store: %s\n", store_is_postgres(NULL) ? "PostgreSQL" : "SQLite");

	is_int(store_open(1, &a), ERR_OK, "store opens and migrates");
	store_migrations(a, &n);
	ok(n > 0, "this backend has migrations");
	is_int(scalar(a, "SELECT COUNT(*) FROM schema_migrations"), n, "every migration recorded");
	is_int(store_version(a), store_newest(a), "the version is the newest");
	is_int(store_migrate(a), ERR_OK, "migrating again is a no-op");
	is_int(scalar(a, "SELECT COUNT(*) FROM schema_migrations"), n, "no migration recorded twice");
	is_int(store_check(a), ERR_OK, "check answers");
	if (db_kind(a) == DB_SQLITE) {
		is_int(scalar(a, "PRAGMA foreign_keys"), 1, "foreign keys are on");
		db_prepare(a, "PRAGMA journal_mode", &st);
		ok(db_step(st) == DB_ROW && !strcmp(db_col_text(st, 0), "wal"), "journal mode is WAL");
		db_finalize(st);
		ok(scalar(a, "PRAGMA busy_timeout") > 0, "busy timeout is set");
	} else {
		ok(scalar(a, "SELECT CAST(EXTRACT(EPOCH FROM CAST(current_setting('lock_timeout') AS interval)) * 1000 "
		             "AS BIGINT)") == 50, "lock_timeout is busy_timeout_ms");
	}
	statements(a);

	/* A second writer waits busy_timeout_ms, then reports busy as ERR_STORE_BUSY. */
	is_int(store_open(0, &b), ERR_OK, "second connection opens");
	is_int(store_begin(a, 1), ERR_OK, "first writer begins");
	is_int(store_begin(b, 1), ERR_STORE_BUSY, "second writer is busy");
	store_rollback(a);
	store_rollback(b);
	ok(!db_in_transaction(a) && !db_in_transaction(b), "both rolled back");
	is_int(store_begin(b, 1), ERR_OK, "then the second writer begins");
	store_rollback(b);
	is_int(db_err(NULL, "test"), ERR_STORE, "no connection maps to ERR_STORE");
	db_close(a);
	db_close(b);
	a = NULL;
	ok(store_open_url("sqlite:/nonexistent/dir/x.db", 1, 1, &a) == ERR_STORE && a == NULL,
	   "unopenable SQLite path is ERR_STORE");
	ok(store_open_url("postgresql:///nosuchdb?host=/nonexistent&connect_timeout=2", 1, 1, &a) == ERR_STORE &&
	   a == NULL, "unreachable PostgreSQL is ERR_STORE");
	ok(store_open_url("mysql://x", 1, 1, &a) == ERR_CONFIG && a == NULL, "an unknown scheme is refused");

	setenv("BACKDROP_DATA_DIR", "/proc/backdrop-cannot-be-here", 1);
	conf_load(why, sizeof why);
	ok(store_data_dir_ready(why, sizeof why) == ERR_STORE && strstr(why, "/proc/backdrop-cannot-be-here"),
	   "an unusable data folder names its path: %s", why);
	tap_done();
}
