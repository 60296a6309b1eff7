/* store.c: which backend, the process-wide connection, migrations and transactions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "conf.h"
#include "db_sqlite.h"
#include "log.h"
#include "store.h"

static struct db *shared;

/* Every write transaction on PostgreSQL takes this one lock (named by a hash of its
 * purpose), so writers queue as they do on SQLite: the checks that read before they
 * write (USER_LIMIT, quotas, rates, migrations) hold across hosts. */
#define PG_WRITE_LOCK "SELECT pg_advisory_xact_lock(hashtext('backdrop store writer'))"

void store_stamp(time_t t, char out[20])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void store_day(time_t t, char out[11])
{
	char s[20];

	store_stamp(t, s);
	memcpy(out, s, 10);
	out[10] = '\0';
}

enum err store_begin(struct db *db, int write)
{
	/* A read sees one state throughout, as SQLite's does (PostgreSQL's default,
	 * READ COMMITTED, would see each statement's own). */
	if (!write)
		return db_exec(db, db_pick(db, "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ"));
	return db_exec(db, db_pick(db, "BEGIN IMMEDIATE", "BEGIN; " PG_WRITE_LOCK));
}

enum err store_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void store_rollback(struct db *db)
{
	if (db_in_transaction(db))
		db_exec(db, "ROLLBACK");
}

const struct migration *store_migrations(struct db *db, int *n)
{
	if (db_kind(db) == DB_POSTGRES) {
		*n = nmigrations_postgres;
		return migrations_postgres;
	}
	*n = nmigrations_sqlite;
	return migrations_sqlite;
}

int store_newest(struct db *db)
{
	int n;
	const struct migration *m = store_migrations(db, &n);

	return n ? m[n - 1].version : 0;
}

/* The integer in column 0 of sql's first row into *v. */
static enum err one_int(struct db *db, const char *sql, long long *v)
{
	struct db_stmt *st = NULL;
	enum err e = ERR_OK;

	if (db_prepare(db, sql, &st) || db_step(st) != DB_ROW)
		e = db_err(db, sql);
	else
		*v = db_col_int(st, 0);
	db_finalize(st);
	return e;
}

int store_version(struct db *db)
{
	long long have = 0, v = -1;

	if (one_int(db, db_pick(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_migrations'",
	                        "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' "
	                        "AND schemaname = current_schema()"), &have))
		return -1;
	if (!have)
		return 0;
	if (one_int(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &v))
		return -1;
	return (int)v;
}

enum err store_migrate(struct db *db)
{
	struct db_stmt *st = NULL;
	const struct migration *m;
	char now[20];
	long long have;
	int i, n, newest = store_newest(db);
	enum err e;

	m = store_migrations(db, &n);
	/* A database written by newer programs may hold what these cannot read or would
	 * damage: refuse it rather than guess (restore a backup, or install the newer ones). */
	if ((have = store_version(db)) > newest) {
		log_error("store: the database's schema is version %lld, newer than these programs' %d: "
		          "install the newer version or restore a backup made for this one", have, newest);
		return ERR_STORE;
	}
	if (have == newest)
		return ERR_OK;
	store_stamp(time(NULL), now);
	for (i = 0; i < n; i++) {
		/* Each step re-reads the version inside its write transaction, so concurrent
		 * starters apply each migration exactly once. */
		if ((e = store_begin(db, 1)))
			return e;
		if ((e = db_exec(db, db_pick(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		                     " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
		                     " applied_at TEXT NOT NULL DEFAULT (datetime('now')))",
		                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
		                     " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"))) ||
		    (e = one_int(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &have)))
			goto fail;
		if (have > newest) {
			e = ERR_STORE;
			log_error("store: the database's schema became version %lld, newer than these programs' %d",
			          have, newest);
			goto fail;
		}
		if (m[i].version > have) {
			if ((e = db_exec(db, m[i].sql)))
				goto fail;
			if (db_prepare(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			               &st)) {
				e = db_err(db, "record migration");
				goto fail;
			}
			db_bind_int(st, 1, m[i].version);
			db_bind_text(st, 2, m[i].name, -1);
			db_bind_text(st, 3, now, -1);
			if (db_step(st) != DB_DONE) {
				e = db_err(db, "record migration");
				goto fail;
			}
			db_finalize(st);
			st = NULL;
			log_info("store: applied migration %s", m[i].name);
		}
		if ((e = store_commit(db)))
			goto fail;
	}
	return ERR_OK;
fail:
	db_finalize(st);
	store_rollback(db);
	return e;
}

int store_is_postgres(const char *url)
{
	if (!url)
		url = conf_str("database_url");
	return !strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11);
}

/* The SQLite file url names ("" or "sqlite:PATH") into out[n]. */
static enum err sqlite_path(const char *url, char *out, size_t n)
{
	int w;

	if (store_is_postgres(url))
		return ERR_CONFIG;
	if (!strncmp(url, "sqlite:", 7) && url[7])
		w = snprintf(out, n, "%s", url + 7);
	else if (!*url)
		w = snprintf(out, n, "%s/backdrop.db", conf_str("data_dir"));
	else
		return ERR_CONFIG;
	return w < 0 || (size_t)w >= n ? ERR_CONFIG : ERR_OK;
}

enum err store_path(char *out, size_t n)
{
	return sqlite_path(conf_str("database_url"), out, n);
}

enum err store_open_url(const char *url, int create, int migrate, struct db **out)
{
	char path[4096];
	enum err e;

	*out = NULL;
	if (!url)
		url = conf_str("database_url");
	if (store_is_postgres(url))
		e = db_open_postgres(url, out);
	else if (!(e = sqlite_path(url, path, sizeof path)))
		e = db_open_sqlite(path, create, out);
	else
		log_error("store: database_url must be empty, sqlite:PATH or postgresql://...");
	if (!e && migrate && (e = store_migrate(*out))) {
		db_close(*out);
		*out = NULL;
	}
	return e;
}

enum err store_open(int create, struct db **out)
{
	return store_open_url(NULL, create, 1, out);
}

/* Makes the data folder (mode 0700) when it is missing; writes nothing else, so that it
 * works on a full disk. On failure, a reason with the path goes into why[n]. */
static enum err dir_present(char *why, size_t n)
{
	const char *dir = conf_str("data_dir");
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0) {
			snprintf(why, n, "data folder %s: %s", dir, strerror(errno));
			return ERR_STORE;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, "data folder %s: not a directory", dir);
		return ERR_STORE;
	}
	return ERR_OK;
}

enum err store_data_dir_ready(char *why, size_t n)
{
	const char *dir = conf_str("data_dir");
	char probe[4096];
	enum err e;
	int fd;

	if ((e = dir_present(why, n)))
		return e;
	if ((size_t)snprintf(probe, sizeof probe, "%s/.write-probe.%ld", dir, (long)getpid()) >= sizeof probe) {
		snprintf(why, n, "data folder path is too long");
		return ERR_STORE;
	}
	if ((fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, "x", 1) != 1) {
		snprintf(why, n, "data folder %s is not writable: %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(probe);
		}
		return ERR_STORE;
	}
	close(fd);
	unlink(probe);
	return ERR_OK;
}

int store_data_dir_writable(void)
{
	struct stat st;
	const char *dir = conf_str("data_dir");

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) == 0;
}

enum err store_db(struct db **db)
{
	char why[512];
	enum err e;

	if (shared && (e = db_usable(shared)))
		return e;
	if (!shared) {
		/* No write probe: reads must keep working on a full disk, and a write that
		 * cannot be made fails in the database (full: 503) and changes nothing. */
		if ((e = dir_present(why, sizeof why))) {
			log_error("store: %s", why);
			return e;
		}
		if ((e = store_open(1, &shared)))
			return e;
	}
	*db = shared;
	return ERR_OK;
}

void store_close(void)
{
	db_close(shared);
	shared = NULL;
}

enum err store_check(struct db *db)
{
	long long n;

	return one_int(db, "SELECT COUNT(*) FROM schema_migrations", &n);
}

enum err store_copy(struct db *from, struct db *to)
{
	sqlite3 *f = db_sqlite_handle(from), *t = db_sqlite_handle(to);
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	sqlite3_backup *b;
	long waited = 0;
	int rc;

	if (!f || !t) {
		log_error("store: a file copy needs SQLite on both sides");
		return ERR_CONFIG;
	}
	if (!(b = sqlite3_backup_init(t, "main", f, "main"))) {
		log_error("store: backup init: %s", sqlite3_errmsg(t));
		return ERR_STORE;
	}
	/* All pages in one step: one read transaction on the source, so the copy is one
	 * consistent state however busy the writers are (WAL lets them go on meanwhile). */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if ((waited += 50) > conf_int("busy_timeout_ms"))
			break;
		nanosleep(&pause, NULL);
	}
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		return ERR_OK;
	log_error("store: backup step: %s (%d)", sqlite3_errmsg(t), rc);
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ERR_STORE_BUSY : ERR_STORE;
}

long long store_bytes(struct db *db)
{
	static const char *const tails[] = { "", "-wal" };
	char path[4096], file[4200];
	struct stat st;
	long long n = 0;
	size_t i;

	/* PostgreSQL measures its database by looking at every file of it: a figure for
	 * watching retention, so a worker asks at most every ten seconds (a health check
	 * asks each time, and it is the light path). */
	if (db && db_kind(db) == DB_POSTGRES) {
		static long long last;
		static time_t at;
		time_t now = time(NULL);

		if (at && now - at < 10 && now >= at)
			return last;
		if (one_int(db, "SELECT pg_database_size(current_database())", &n))
			return 0;
		at = now;
		return last = n;
	}
	if (store_path(path, sizeof path))
		return 0;
	for (i = 0; i < sizeof tails / sizeof tails[0]; i++)
		if ((size_t)snprintf(file, sizeof file, "%s%s", path, tails[i]) < sizeof file && stat(file, &st) == 0)
			n += (long long)st.st_size;
	return n;
}

long long store_free_bytes(void)
{
	struct statvfs v;

	if (statvfs(conf_str("data_dir"), &v) != 0)
		return -1;
	return (long long)v.f_bavail * (long long)v.f_frsize;
}
