/* store.c: SQLite connection set-up, migrations and transactions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "conf.h"
#include "log.h"
#include "store.h"

static sqlite3 *shared;

enum err store_err(sqlite3 *db, int rc, const char *what)
{
	log_error("store: %s: %s (%d)", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_STORE_BUSY;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PERM:
		return ERR_STORE;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	default:
		return ERR_INTERNAL;
	}
}

static enum err exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? ERR_OK : store_err(db, rc, sql);
}

enum err store_begin(sqlite3 *db, int write)
{
	return exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

enum err store_commit(sqlite3 *db)
{
	return exec(db, "COMMIT");
}

void store_rollback(sqlite3 *db)
{
	if (db && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int store_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'schema_migrations'",
	                       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	v = 0;
	if (!sqlite3_column_int(st, 0))
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	v = -1;
	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &st,
	                       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
out:
	sqlite3_finalize(st);
	return v;
}

enum err store_migrate(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	enum err e;
	int i, have = 0, rc, ours = nmigrations ? migrations[nmigrations - 1].version : 0;

	/* A database written by newer programs may hold what these cannot read or would
	 * damage: refuse it rather than guess (restore a backup, or install the newer ones). */
	if ((have = store_version(db)) > ours) {
		log_error("store: the database's schema is version %d, newer than these programs' %d: "
		          "install the newer version or restore a backup made for this one", have, ours);
		return ERR_STORE;
	}
	if ((e = exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	                  " applied_at TEXT NOT NULL DEFAULT (datetime('now')))")))
		return e;
	for (i = 0; i < nmigrations; i++) {
		/* Each step re-reads the version inside its write transaction, so concurrent
		 * starters apply each migration exactly once. */
		if ((e = store_begin(db, 1)))
			return e;
		rc = sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &st, NULL);
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
			e = store_err(db, rc, "read schema version");
			goto fail;
		}
		have = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (have > ours) {
			e = ERR_STORE;
			log_error("store: the database's schema became version %d, newer than these programs' %d",
			          have, ours);
			goto fail;
		}
		if (migrations[i].version > have) {
			if ((e = exec(db, migrations[i].sql)))
				goto fail;
			rc = sqlite3_prepare_v2(db, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", -1, &st, NULL);
			if (rc == SQLITE_OK) {
				sqlite3_bind_int(st, 1, migrations[i].version);
				sqlite3_bind_text(st, 2, migrations[i].name, -1, SQLITE_STATIC);
				rc = sqlite3_step(st);
			}
			sqlite3_finalize(st);
			st = NULL;
			if (rc != SQLITE_DONE) {
				e = store_err(db, rc, "record migration");
				goto fail;
			}
			log_info("store: applied migration %s", migrations[i].name);
		}
		if ((e = store_commit(db)))
			goto fail;
	}
	return ERR_OK;
fail:
	sqlite3_finalize(st);
	store_rollback(db);
	return e;
}

enum err store_connect(const char *path, int create, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	int rc;
	char pragma[64];
	enum err e;

	*out = NULL;
	if ((rc = sqlite3_open_v2(path, &db, flags, NULL)) != SQLITE_OK) {
		e = store_err(db, rc, "open");
		goto fail;
	}
	sqlite3_busy_timeout(db, (int)conf_int("busy_timeout_ms"));
	snprintf(pragma, sizeof pragma, "PRAGMA busy_timeout = %ld", conf_int("busy_timeout_ms"));
	if ((e = exec(db, "PRAGMA journal_mode = WAL")) || (e = exec(db, "PRAGMA foreign_keys = ON")) ||
	    (e = exec(db, "PRAGMA synchronous = NORMAL")) || (e = exec(db, pragma)))
		goto fail;
	*out = db;
	return ERR_OK;
fail:
	sqlite3_close(db);
	return e;
}

enum err store_open(const char *path, int create, sqlite3 **out)
{
	sqlite3 *db = NULL;
	enum err e;

	*out = NULL;
	if ((e = store_connect(path, create, &db)))
		return e;
	if ((e = store_migrate(db))) {
		sqlite3_close(db);
		return e;
	}
	*out = db;
	return ERR_OK;
}

enum err store_path(char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s/backdrop.db", conf_str("data_dir")) >= n)
		return ERR_CONFIG;
	return ERR_OK;
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

enum err store_db(sqlite3 **db)
{
	char path[4096], why[512];
	enum err e;

	if (!shared) {
		/* No write probe: reads must keep working on a full disk, and a write that
		 * cannot be made fails in SQLite (SQLITE_FULL: 503) and changes nothing. */
		if ((e = dir_present(why, sizeof why))) {
			log_error("store: %s", why);
			return e;
		}
		if ((e = store_path(path, sizeof path)) || (e = store_open(path, 1, &shared)))
			return e;
	}
	*db = shared;
	return ERR_OK;
}

void store_close(void)
{
	if (shared)
		sqlite3_close(shared);
	shared = NULL;
}

enum err store_check(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM schema_migrations", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? ERR_OK : store_err(db, rc, "health check");
}

enum err store_copy(sqlite3 *from, sqlite3 *to)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	long waited = 0;
	int rc;

	if (!b)
		return store_err(to, sqlite3_errcode(to), "backup init");
	/* All pages in one step: one read transaction on the source, so the copy is one
	 * consistent state however busy the writers are (WAL lets them go on meanwhile). */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if ((waited += 50) > conf_int("busy_timeout_ms"))
			break;
		nanosleep(&pause, NULL);
	}
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? ERR_OK : store_err(to, rc, "backup step");
}

long long store_bytes(void)
{
	static const char *const tails[] = { "", "-wal" };
	char path[4096];
	struct stat st;
	long long n = 0;
	size_t i;

	for (i = 0; i < sizeof tails / sizeof tails[0]; i++)
		if ((size_t)snprintf(path, sizeof path, "%s/backdrop.db%s", conf_str("data_dir"), tails[i]) <
		    sizeof path && stat(path, &st) == 0)
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
