/* ops.c: operating a store: `backdrop backup`, `restore`, `migrate`, `purge` and `stats`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "conf.h"
#include "retain.h"
#include "store.h"
#include "str.h"

/* Opens the service's database (creating the data folder and an SQLite file when
 * create) with the migrations applied when migrate, else as it is. Prints why and
 * returns NULL on failure. The caller closes it. */
static struct db *open_live(int create, int migrate)
{
	char why[512];
	struct db *db = NULL;
	enum err e;

	if (create && (e = store_data_dir_ready(why, sizeof why))) {
		fprintf(stderr, "backdrop: %s\n", why);
		return NULL;
	}
	if ((e = store_open_url(NULL, create, migrate, &db))) {
		fprintf(stderr, "backdrop: cannot open the database: %s (the log says why)\n", err_str(e));
		return NULL;
	}
	return db;
}

/* The SQLite-file commands refuse another backend with what to use instead. */
static int sqlite_only(const char *what)
{
	if (!store_is_postgres(NULL))
		return 1;
	fprintf(stderr, "backdrop: %s works on an SQLite store; this one is PostgreSQL: use pg_dump and "
	        "pg_restore (see DEPLOY.md)\n", what);
	return 0;
}

/* Runs a one-row, one-column query (binding ?1 to arg when given); its text into
 * out[n]. Returns 1, or 0 on failure. */
static int one_arg(struct db *db, const char *sql, const char *arg, char *out, size_t n)
{
	struct db_stmt *st = NULL;
	int ok = db_prepare(db, sql, &st) == 0;

	if (ok && arg)
		db_bind_text(st, 1, arg, -1);
	ok = ok && db_step(st) == DB_ROW;

	if (ok)
		snprintf(out, n, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	db_finalize(st);
	return ok;
}

static int one(struct db *db, const char *sql, char *out, size_t n)
{
	return one_arg(db, sql, NULL, out, n);
}

/* Writes len bytes of data into path (mode 0600, replacing it by rename). Returns 1 or 0. */
static int write_file(const char *path, const void *data, size_t len)
{
	char tmp[4200];
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return 0;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return 0;
	ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
	return ok;
}

/* backdrop backup FILE [--with-secret]: a consistent copy of the live database while it
 * serves, written to FILE.tmp, checked, then renamed to FILE; the secret into
 * FILE.secret (0600) when asked. */
static int backup(int argc, char **argv)
{
	char tmp[4200], secret_path[4200], check[64];
	unsigned char secret[CONF_SECRET_MAX];
	const char *file = NULL;
	struct db *live = NULL, *copy = NULL;
	int i, with_secret = 0, rc = 1;
	size_t slen;
	enum err e;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--with-secret"))
			with_secret = 1;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			goto usage;
	}
	if (!file || (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", file) >= sizeof tmp ||
	    (size_t)snprintf(secret_path, sizeof secret_path, "%s.secret", file) >= sizeof secret_path)
		goto usage;
	if (!cli_load_conf() || !sqlite_only("backup") || !(live = open_live(0, 0)))
		return 1;
	unlink(tmp);
	if ((e = db_open_sqlite(tmp, 1, &copy))) {
		fprintf(stderr, "backdrop: cannot create %s: %s\n", tmp, err_str(e));
		goto out;
	}
	if ((e = store_copy(live, copy))) {
		fprintf(stderr, "backdrop: the backup failed: %s\n", err_str(e));
		goto out;
	}
	/* Only its owner reads it: it holds every record. */
	if (chmod(tmp, 0600)) {
		fprintf(stderr, "backdrop: cannot make %s private: %s\n", tmp, strerror(errno));
		goto out;
	}
	/* One self-contained file (no WAL beside it), checked before it is called a backup. */
	if (db_exec(copy, "PRAGMA journal_mode = DELETE") != 0 ||
	    !one(copy, "PRAGMA integrity_check", check, sizeof check) || strcmp(check, "ok")) {
		fprintf(stderr, "backdrop: the copy does not pass PRAGMA integrity_check\n");
		goto out;
	}
	db_close(copy);
	copy = NULL;
	if (rename(tmp, file)) {
		fprintf(stderr, "backdrop: cannot write %s: %s\n", file, strerror(errno));
		goto out;
	}
	if (with_secret && (conf_secret(secret, &slen) || !write_file(secret_path, secret, slen))) {
		fprintf(stderr, "backdrop: cannot write the secret to %s\n", secret_path);
		goto out;
	}
	fprintf(stderr, "backdrop: backed up %s (schema version %d) to %s%s%s\n", conf_str("data_dir"),
	        store_version(live), file, with_secret ? " and the secret to " : "", with_secret ? secret_path : "");
	rc = 0;
out:
	if (copy) {
		db_close(copy);
		unlink(tmp);
	}
	db_close(live);
	return rc;
usage:
	fprintf(stderr, "usage: backdrop backup FILE [--with-secret]\n");
	return 2;
}

/* Checks that path is a database this version can serve: it passes PRAGMA
 * integrity_check and foreign_key_check, has Backdrop's schema, and is not newer. */
static int restorable(const char *path, int *version)
{
	char check[64];
	struct db *db = NULL;
	int ok = 0, ours;
	enum err e;

	if ((e = db_open_sqlite(path, DB_READ_ONLY, &db))) {
		fprintf(stderr, "backdrop: cannot open %s: %s\n", path, err_str(e));
		goto out;
	}
	ours = store_newest(db);
	if (!one(db, "PRAGMA integrity_check", check, sizeof check) || strcmp(check, "ok")) {
		fprintf(stderr, "backdrop: %s is not a sound database (PRAGMA integrity_check)\n", path);
		goto out;
	}
	if (!one(db, "SELECT count(*) FROM pragma_foreign_key_check", check, sizeof check) ||
	    strcmp(check, "0")) {
		fprintf(stderr, "backdrop: %s has rows whose parents are missing\n", path);
		goto out;
	}
	if ((*version = store_version(db)) < 1) {
		fprintf(stderr, "backdrop: %s is not a Backdrop database\n", path);
		goto out;
	}
	if (*version > ours) {
		fprintf(stderr, "backdrop: %s has schema version %d, newer than this version's %d\n", path,
		        *version, ours);
		goto out;
	}
	ok = 1;
out:
	db_close(db);
	return ok;
}

/* backdrop restore FILE: checks FILE, then copies it over the live database (creating
 * the data folder when needed), migrates it, and installs FILE.secret when present. */
static int restore(int argc, char **argv)
{
	char secret_path[4200], dest[4200], check[64];
	unsigned char secret[65];
	struct db *from = NULL, *live = NULL;
	int version = 0, rc = 1, fd;
	ssize_t slen = 0;
	enum err e;

	if (argc != 2 || argv[1][0] == '-' ||
	    (size_t)snprintf(secret_path, sizeof secret_path, "%s.secret", argv[1]) >= sizeof secret_path) {
		fprintf(stderr, "usage: backdrop restore FILE\n");
		return 2;
	}
	if (!cli_load_conf() || !sqlite_only("restore") || !restorable(argv[1], &version))
		return 1;
	if ((fd = open(secret_path, O_RDONLY)) >= 0) {
		slen = read(fd, secret, sizeof secret);
		close(fd);
		if (slen < 32 || slen > 64) {
			fprintf(stderr, "backdrop: %s does not hold a secret\n", secret_path);
			return 1;
		}
	}
	if (!(live = open_live(1, 0)))
		return 1;
	if ((e = db_open_sqlite(argv[1], DB_READ_ONLY, &from)) || (e = store_copy(from, live))) {
		fprintf(stderr, "backdrop: the restore failed: %s (the log says why)\n", err_str(e));
		goto out;
	}
	if ((e = store_migrate(live)) || !one(live, "PRAGMA integrity_check", check, sizeof check) ||
	    strcmp(check, "ok")) {
		fprintf(stderr, "backdrop: the restored database does not check out\n");
		goto out;
	}
	if (slen) {
		if (*conf_str("secret"))
			fprintf(stderr, "backdrop: %s not installed: the configuration sets the secret\n",
			        secret_path);
		else if ((size_t)snprintf(dest, sizeof dest, "%s/secret", conf_str("data_dir")) >= sizeof dest ||
		         !write_file(dest, secret, (size_t)slen)) {
			fprintf(stderr, "backdrop: cannot install the secret into %s\n", conf_str("data_dir"));
			goto out;
		}
	}
	fprintf(stderr, "backdrop: restored %s (schema version %d, now %d) into %s%s\n", argv[1], version,
	        store_version(live), conf_str("data_dir"), slen && !*conf_str("secret") ? " with its secret" : "");
	rc = 0;
out:
	db_close(from);
	db_close(live);
	return rc;
}

/* backdrop migrate [--dry-run]: applies the migrations the database lacks (as every
 * program does at start), or only lists them. Refuses a database newer than this. */
static int migrate(int argc, char **argv)
{
	const struct migration *m;
	struct db *db;
	int dry = argc == 2 && !strcmp(argv[1], "--dry-run"), have, i, n = 0, nm, rc = 1, ours;

	if (argc > 2 || (argc == 2 && !dry)) {
		fprintf(stderr, "usage: backdrop migrate [--dry-run]\n");
		return 2;
	}
	if (!cli_load_conf() || !(db = open_live(!dry, 0)))
		return 1;
	m = store_migrations(db, &nm);
	ours = store_newest(db);
	if ((have = store_version(db)) < 0) {
		fprintf(stderr, "backdrop: cannot read the schema version\n");
		goto out;
	}
	if (have > ours) {
		fprintf(stderr, "backdrop: the database's schema is version %d, newer than this version's %d: "
		        "refusing it (install the newer version, or restore a backup made for this one)\n",
		        have, ours);
		goto out;
	}
	for (i = 0; i < nm; i++)
		if (m[i].version > have) {
			printf("%s %s\n", dry ? "pending" : "applying", m[i].name);
			n++;
		}
	if (!dry && n && store_migrate(db)) {
		fprintf(stderr, "backdrop: a migration failed; the database keeps version %d\n", store_version(db));
		goto out;
	}
	printf("schema version %d%s%d\n", dry ? have : store_version(db), dry && n ? ", would be " : ", current ",
	       ours);
	rc = 0;
out:
	db_close(db);
	return rc;
}

/* backdrop purge [--older-than DAYS]: deletes what retention_days and
 * job_retention_days (or DAYS, for both) say is kept too long. */
static int purge(int argc, char **argv)
{
	struct retain_counts n = { 0, 0, 0 };
	long days, job_days;
	struct db *db;
	enum err e;

	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "--older-than") && str_to_long(argv[2], 1, 36500, &days))) {
		fprintf(stderr, "usage: backdrop purge [--older-than DAYS]\n");
		return 2;
	}
	if (!cli_load_conf() || !(db = open_live(1, 1)))
		return 1;
	if (argc == 1) {
		days = conf_int("retention_days");
		job_days = conf_int("job_retention_days");
	} else {
		job_days = days;
	}
	e = retain_purge(db, days, job_days, &n);
	printf("purged %ld records of %ld identities unseen for %ld days, %ld jobs finished %ld days ago\n",
	       n.records, n.identities, days, n.jobs, job_days);
	if (e)
		fprintf(stderr, "backdrop: the purge stopped: %s (the log says why)\n", err_str(e));
	db_close(db);
	return e ? 1 : 0;
}

/* backdrop stats: one "name value" line per figure. */
static int stats(void)
{
	static const struct {
		const char *name, *sql;
	} figures[] = {
		{ "records",            "SELECT count(*) FROM records WHERE user_id NOT LIKE '%:%' OR user_id LIKE 'key:%'" },
		{ "users",              "SELECT count(DISTINCT user_id) FROM records WHERE user_id NOT LIKE '%:%'" },
		{ "users_seen_30_days", "SELECT count(*) FROM users WHERE last_seen >= ?1" },
		{ "keys",               "SELECT count(*) FROM api_keys WHERE revoked_on IS NULL" },
		{ "keys_revoked",       "SELECT count(*) FROM api_keys WHERE revoked_on IS NOT NULL" },
		{ "bytes_original",     "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM images WHERE kind = 'original'" },
		{ "bytes_processed",    "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM images WHERE kind = 'processed'" },
		{ "bytes_thumb",        "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM images WHERE kind = 'thumb'" },
		{ "jobs_queued",        "SELECT count(*) FROM jobs WHERE status = 'queued'" },
		{ "jobs_running",       "SELECT count(*) FROM jobs WHERE status = 'running'" },
		{ "jobs_delivered",     "SELECT count(*) FROM jobs WHERE status = 'delivered'" },
		{ "jobs_failed",        "SELECT count(*) FROM jobs WHERE status = 'failed'" },
		{ "schema_version",     "SELECT COALESCE(MAX(version), 0) FROM schema_migrations" },
	};
	char v[64], month_ago[11];
	struct db *db;
	size_t i;
	int rc = 0;

	store_day(time(NULL) - 30 * 86400, month_ago);
	if (!cli_load_conf() || !(db = open_live(1, 1)))
		return 1;
	/* One read transaction: the figures describe one moment. */
	store_begin(db, 0);
	for (i = 0; i < sizeof figures / sizeof figures[0]; i++) {
		if (!one_arg(db, figures[i].sql, month_ago, v, sizeof v)) {
			fprintf(stderr, "backdrop: cannot read %s: %s\n", figures[i].name, db_message(db));
			rc = 1;
			break;
		}
		printf("%-19s %s\n", figures[i].name, v);
	}
	db_exec(db, "COMMIT");
	if (!rc)
		printf("%-19s %lld\n", "bytes_database", store_bytes(db));
	db_close(db);
	return rc;
}

/* The commands of this file share one --help. */
static int help(void)
{
	static const char text[] =
		"usage: backdrop backup FILE [--with-secret]\n"
		"         a consistent copy of the database while the service runs (SQLite's online\n"
		"         backup API), checked; --with-secret also writes the secret to FILE.secret\n"
		"       backdrop restore FILE\n"
		"         checks FILE (integrity, schema, not newer than this version), copies it over\n"
		"         the database, migrates it, and installs FILE.secret when there is one;\n"
		"         stop the service first\n"
		"       backdrop migrate [--dry-run]\n"
		"         applies the migrations the database lacks (the programs do it at start too);\n"
		"         --dry-run lists them; a database newer than this version is refused\n"
		"       backdrop purge [--older-than DAYS]\n"
		"         deletes the records of identities unseen for retention_days, and jobs\n"
		"         delivered or failed job_retention_days ago (DAYS for both)\n"
		"       backdrop stats\n"
		"         records, users, keys, bytes by kind, jobs by state\n";

	fputs(text, stdout);
	return 0;
}

static int wants_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
}

int cmd_backup(int argc, char **argv)
{
	return wants_help(argc, argv) ? help() : backup(argc, argv);
}

int cmd_restore(int argc, char **argv)
{
	return wants_help(argc, argv) ? help() : restore(argc, argv);
}

int cmd_migrate(int argc, char **argv)
{
	return wants_help(argc, argv) ? help() : migrate(argc, argv);
}

int cmd_purge(int argc, char **argv)
{
	return wants_help(argc, argv) ? help() : purge(argc, argv);
}

int cmd_stats(int argc, char **argv)
{
	if (wants_help(argc, argv))
		return help();
	if (argc != 1) {
		fprintf(stderr, "usage: backdrop stats\n");
		return 2;
	}
	return stats();
}
