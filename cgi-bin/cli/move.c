/* move.c: `backdrop migrate-store --to URL`: copies every row of the configured store
 * (an SQLite installation, typically) into another, empty one (PostgreSQL, typically),
 * in one transaction on the target, from one consistent read of the source, and then
 * checks that both hold the same. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "conf.h"
#include "store.h"

/* Every table, parents first, with its columns and their kinds (t text, i integer,
 * b bytes); NULLs are copied as NULLs. */
static const struct table {
	const char *name, *cols, *kinds;
} tables[] = {
	{ "records", "id, user_id, image_name, created_on, width, height, options, rowid", "ttttiiti" },
	{ "images", "record_id, kind, type, bytes, width, height, etag, data", "tttiiitb" },
	{ "api_keys", "id, name, key_hash, created_on, revoked_on, quota_month, rate_minute", "tttttii" },
	{ "jobs", "id, status, request, callback_url, key_id, attempts, next_at, lease_until, result, "
	          "last_error, created_on, updated_on, renders", "tttttiiitttti" },
	{ "key_usage", "key_id, month, quarters", "tti" },
	{ "key_rate", "key_id, minute, requests", "tii" },
	{ "users", "id, last_seen", "tt" },
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* An integer from sql's first row, or -1. */
static long long figure(struct db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	long long v = -1;

	if (!db_prepare(db, sql, &st) && db_step(st) == DB_ROW)
		v = db_col_int(st, 0);
	db_finalize(st);
	return v;
}

/* Copies table t from one store to the other; *rows gets the count. */
static enum err copy_table(struct db *from, struct db *to, const struct table *t, long long *rows)
{
	char sel[512], ins[768], marks[128] = "";
	struct db_stmt *src = NULL, *dst = NULL;
	int i, n = (int)strlen(t->kinds), rc;
	enum err e = ERR_OK;

	for (i = 0; i < n; i++)
		strcat(marks, i ? ", ?" : "?");
	snprintf(sel, sizeof sel, "SELECT %s FROM %s", t->cols, t->name);
	snprintf(ins, sizeof ins, "INSERT INTO %s (%s) VALUES (%s)", t->name, t->cols, marks);
	*rows = 0;
	if (db_prepare(from, sel, &src))
		return db_err(from, sel);
	while ((rc = db_step(src)) == DB_ROW) {
		if (db_prepare(to, ins, &dst)) {
			e = db_err(to, ins);
			break;
		}
		for (i = 0; i < n; i++) {
			if (db_col_null(src, i))
				db_bind_null(dst, i + 1);
			else if (t->kinds[i] == 'i')
				db_bind_int(dst, i + 1, db_col_int(src, i));
			else if (t->kinds[i] == 'b')
				db_bind_blob(dst, i + 1, db_col_blob(src, i), db_col_bytes(src, i));
			else
				db_bind_text(dst, i + 1, db_col_text(src, i), (int)db_col_bytes(src, i));
		}
		if (db_step(dst) != DB_DONE) {
			e = db_err(to, ins);
			break;
		}
		db_finalize(dst);
		dst = NULL;
		++*rows;
	}
	if (!e && rc != DB_DONE)
		e = db_err(from, sel);
	db_finalize(dst);
	db_finalize(src);
	return e;
}

/* Row counts and image bytes agree on both sides: 1, or 0 with what differs printed. */
static int same(struct db *a, struct db *b)
{
	char sql[128];
	size_t i;
	int ok = 1;

	for (i = 0; i < NTABLES; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i].name);
		if (figure(a, sql) != figure(b, sql)) {
			fprintf(stderr, "backdrop: %s: %lld rows here, %lld there\n", tables[i].name, figure(a, sql),
			        figure(b, sql));
			ok = 0;
		}
	}
	if (figure(a, "SELECT CAST(COALESCE(SUM(length(data)), 0) AS BIGINT) FROM images") !=
	    figure(b, "SELECT CAST(COALESCE(SUM(length(data)), 0) AS BIGINT) FROM images")) {
		fprintf(stderr, "backdrop: the image bytes differ\n");
		ok = 0;
	}
	return ok;
}

static int usage(void)
{
	fprintf(stderr, "usage: backdrop migrate-store --to URL\n"
	        "  copies every record, image, key, quota, job and identity of the configured store\n"
	        "  (database_url; SQLite in the data folder by default) into the empty store at URL\n"
	        "  (postgresql://..., or sqlite:PATH), then checks that both hold the same.\n"
	        "  Stop the service first; then set database_url = URL on every host.\n");
	return 2;
}

int cmd_migrate_store(int argc, char **argv)
{
	struct db *from = NULL, *to = NULL;
	long long rows[NTABLES], held = 0;
	char sql[128];
	size_t i;
	int rc = 1;
	enum err e;

	if (argc != 3 || strcmp(argv[1], "--to") || !*argv[2])
		return usage();
	if (!cli_load_conf())
		return 1;
	if ((e = store_open(0, &from))) {
		fprintf(stderr, "backdrop: cannot open the configured store: %s (the log says why)\n", err_str(e));
		return 1;
	}
	if ((e = store_open_url(argv[2], 1, 1, &to))) {
		fprintf(stderr, "backdrop: cannot open the target store: %s (the log says why)\n", err_str(e));
		goto out;
	}
	for (i = 0; i < NTABLES; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i].name);
		held += figure(to, sql) != 0;
	}
	if (held) {
		fprintf(stderr, "backdrop: the target store is not empty: refusing to mix two stores\n");
		goto out;
	}
	/* One read of the source, one transaction on the target: all or nothing. */
	if ((e = store_begin(from, 0)) || (e = store_begin(to, 1))) {
		fprintf(stderr, "backdrop: cannot begin: %s\n", err_str(e));
		goto out;
	}
	for (i = 0; i < NTABLES; i++)
		if ((e = copy_table(from, to, &tables[i], &rows[i]))) {
			fprintf(stderr, "backdrop: copying %s failed: %s (the log says why); the target is unchanged\n",
			        tables[i].name, err_str(e));
			goto out;
		}
	/* New records go on after the copied ones in the list order. */
	if ((e = db_exec(to, db_pick(to, "SELECT 1", "SELECT setval(pg_get_serial_sequence('records', 'rowid'), "
	                                 "COALESCE(MAX(rowid), 0) + 1, false) FROM records"))) ||
	    (e = store_commit(to))) {
		fprintf(stderr, "backdrop: the copy was not committed: %s\n", err_str(e));
		goto out;
	}
	store_commit(from);
	if (!same(from, to))
		goto out;
	for (i = 0; i < NTABLES; i++)
		printf("%-10s %lld\n", tables[i].name, rows[i]);
	fprintf(stderr, "backdrop: the store was copied and checked; set database_url to the new store on every "
	        "host, with the same secret\n");
	rc = 0;
out:
	store_rollback(to);
	store_rollback(from);
	db_close(to);
	db_close(from);
	return rc;
}
