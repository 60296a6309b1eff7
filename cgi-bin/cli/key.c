/* key.c: `backdrop key add|list|revoke`: API keys for scripts (X-Api-Key). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "conf.h"
#include "store.h"
#include "str.h"
#include "uid.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: backdrop key add NAME [--quota N] [--rate N]\n"
	           "       backdrop key list\n"
	           "       backdrop key revoke ID\n"
	           "  add prints a new key once (only its SHA-256 is stored); --quota sets its images\n"
	           "  per month (0 = unlimited) and --rate its requests per minute, overriding\n"
	           "  key_quota_month and key_rate_minute. Requests send it as X-Api-Key.\n");
	return f == stdout ? 0 : 2;
}

/* Loads the config and opens the store; prints why and returns NULL on failure. */
static struct db *open_db(void)
{
	char why[512];
	struct db *db = NULL;
	enum err e;

	if (conf_load(why, sizeof why)) {
		fprintf(stderr, "backdrop: invalid configuration: %s\n", why);
		return NULL;
	}
	if ((e = store_db(&db))) {
		fprintf(stderr, "backdrop: cannot open the database in %s: %s\n", conf_str("data_dir"), err_str(e));
		return NULL;
	}
	return db;
}

static void now(char out[20])
{
	store_stamp(time(NULL), out);
}

static int key_add(int argc, char **argv)
{
	static const char sql[] = "INSERT INTO api_keys (id, name, key_hash, created_on, quota_month, rate_minute) "
	                          "VALUES (?, ?, ?, ?, ?, ?)";
	char id[33], key[UID_KEY_BYTES], hash[65], ts[20];
	long quota = -1, rate = -1;
	const char *name = NULL;
	struct db_stmt *st = NULL;
	struct db *db;
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quota") && i + 1 < argc) {
			if (!str_to_long(argv[++i], 0, 1000000000, &quota))
				return fprintf(stderr, "backdrop: --quota wants 0..1000000000\n"), 2;
		} else if (!strcmp(argv[i], "--rate") && i + 1 < argc) {
			if (!str_to_long(argv[++i], 1, 1000000, &rate))
				return fprintf(stderr, "backdrop: --rate wants 1..1000000\n"), 2;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			return usage(stderr);
		}
	}
	if (!name || !*name || strlen(name) > LIM_NAME_CHARS)
		return usage(stderr);
	if (!(db = open_db()))
		return 1;
	if (!str_random_id(id) || !uid_key_new(key)) {
		fprintf(stderr, "backdrop: no randomness available\n");
		return 1;
	}
	uid_key_hash(key, hash);
	now(ts);
	if (db_prepare(db, sql, &st) != 0)
		goto out;
	db_bind_text(st, 1, id, -1);
	db_bind_text(st, 2, name, -1);
	db_bind_text(st, 3, hash, -1);
	db_bind_text(st, 4, ts, -1);
	if (quota >= 0)
		db_bind_int(st, 5, quota);
	if (rate >= 0)
		db_bind_int(st, 6, rate);
	if (db_step(st) != DB_DONE)
		goto out;
	printf("%s\n", key);
	fprintf(stderr, "backdrop: key %s (%s) added; the key above is shown only now\n", id, name);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "backdrop: cannot add the key: %s\n", db_message(db));
	db_finalize(st);
	store_close();
	return rc;
}

static int key_list(void)
{
	static const char sql[] = "SELECT id, created_on, COALESCE(revoked_on, '-'), "
	                          "COALESCE(CAST(quota_month AS TEXT), 'default'), "
	                          "COALESCE(CAST(rate_minute AS TEXT), 'default'), name "
	                          "FROM api_keys ORDER BY created_on, id";
	struct db_stmt *st = NULL;
	struct db *db;
	int rc;

	if (!(db = open_db()))
		return 1;
	if (db_prepare(db, sql, &st) != 0) {
		fprintf(stderr, "backdrop: cannot list the keys: %s\n", db_message(db));
		store_close();
		return 1;
	}
	printf("%-32s  %-19s  %-19s  %-8s  %-8s  %s\n", "id", "created", "revoked", "quota", "rate", "name");
	while ((rc = db_step(st)) == DB_ROW)
		printf("%-32s  %-19s  %-19s  %-8s  %-8s  %s\n", db_col_text(st, 0),
		       db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
		       db_col_text(st, 4), db_col_text(st, 5));
	db_finalize(st);
	store_close();
	return rc == DB_DONE ? 0 : 1;
}

static int key_revoke(const char *id)
{
	static const char sql[] = "UPDATE api_keys SET revoked_on = ? WHERE id = ? AND revoked_on IS NULL";
	struct db_stmt *st = NULL;
	struct db *db;
	char ts[20];
	int rc = 1;

	if (!str_is_id(id))
		return fprintf(stderr, "backdrop: '%s' is not a key id (see backdrop key list)\n", id), 2;
	if (!(db = open_db()))
		return 1;
	now(ts);
	if (db_prepare(db, sql, &st) == 0) {
		db_bind_text(st, 1, ts, -1);
		db_bind_text(st, 2, id, -1);
		if (db_step(st) == DB_DONE) {
			if (db_changes(db) == 1) {
				fprintf(stderr, "backdrop: key %s revoked\n", id);
				rc = 0;
			} else {
				fprintf(stderr, "backdrop: no valid key %s\n", id);
			}
		}
	}
	if (rc && *db_message(db))
		fprintf(stderr, "backdrop: cannot revoke the key: %s\n", db_message(db));
	db_finalize(st);
	store_close();
	return rc;
}

/* backdrop key add|list|revoke: see usage(). */
int cmd_key(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(argc < 2 ? stderr : stdout);
	if (!strcmp(argv[1], "add"))
		return key_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") && argc == 2)
		return key_list();
	if (!strcmp(argv[1], "revoke") && argc == 3)
		return key_revoke(argv[2]);
	return usage(stderr);
}
