/* db_sqlite.c: the SQLite backend of db.h (the embedded default: one file, WAL).
 *
 * A finished statement is reset and kept (up to CACHED per connection) and handed out
 * again for the same text, so a worker parses each query once rather than on every
 * request: parsing was the largest part of a light request's time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "conf.h"
#include "db_impl.h"
#include "db_sqlite.h"

#define CACHED 32

struct sq {
	struct db head;
	sqlite3 *h;
	sqlite3_stmt *cache[CACHED];  /* finished statements, reset, ready for their text */
	int ncache;
};
struct sq_stmt {
	struct db_stmt head;
	sqlite3_stmt *s;
};

#define SQ(db) ((struct sq *)(db))
#define SQS(st) ((struct sq_stmt *)(st))

/* Keeps SQLite's failure rc (with its message) on db. */
static void fail(struct db *db, int rc)
{
	enum err e;
	char why[512];

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		e = ERR_STORE_BUSY;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PERM:
		e = ERR_STORE;
		break;
	case SQLITE_NOMEM:
		e = ERR_NOMEM;
		break;
	default:
		e = ERR_INTERNAL;
	}
	snprintf(why, sizeof why, "%s (%d)", SQ(db)->h ? sqlite3_errmsg(SQ(db)->h) : sqlite3_errstr(rc), rc);
	db_fail(db, e, why);
}

static void sq_close(struct db *db)
{
	while (SQ(db)->ncache)
		sqlite3_finalize(SQ(db)->cache[--SQ(db)->ncache]);
	sqlite3_close(SQ(db)->h);
	free(db);
}

static enum err sq_usable(struct db *db)
{
	(void)db;
	return ERR_OK;
}

static enum err sq_exec(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(SQ(db)->h, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return ERR_OK;
	fail(db, rc);
	return db_err(db, sql);
}

static int sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(SQ(db)->h);
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct sq_stmt *st = calloc(1, sizeof *st);
	struct sq *c = SQ(db);
	int rc, i;

	if (!st) {
		db_fail(db, ERR_NOMEM, "out of memory");
		return DB_FAIL;
	}
	for (i = 0; i < c->ncache; i++)
		if (!strcmp(sqlite3_sql(c->cache[i]), sql)) {
			st->s = c->cache[i];
			c->cache[i] = c->cache[--c->ncache];
			st->head.db = db;
			*out = &st->head;
			return 0;
		}
	if ((rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL)) != SQLITE_OK) {
		fail(db, rc);
		sqlite3_finalize(st->s);
		free(st);
		return DB_FAIL;
	}
	st->head.db = db;
	*out = &st->head;
	return 0;
}

static void sq_bind(struct db_stmt *st, int i, int type, const void *p, size_t n, long long v)
{
	sqlite3_stmt *s = SQS(st)->s;

	switch (type) {
	case 't':
		sqlite3_bind_text64(s, i, p, n, SQLITE_STATIC, SQLITE_UTF8);
		break;
	case 'i':
		sqlite3_bind_int64(s, i, v);
		break;
	case 'b':
		sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(s, i);
	}
}

static int sq_step(struct db_stmt *st)
{
	int rc = sqlite3_step(SQS(st)->s);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	fail(st->db, rc);
	return DB_FAIL;
}

static const char *sq_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(SQS(st)->s, i);
}

static long long sq_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(SQS(st)->s, i);
}

static const void *sq_col_blob(struct db_stmt *st, int i)
{
	return sqlite3_column_blob(SQS(st)->s, i);
}

static size_t sq_col_bytes(struct db_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(SQS(st)->s, i);
}

static int sq_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(SQS(st)->s, i) == SQLITE_NULL;
}

static void sq_finalize(struct db_stmt *st)
{
	struct sq *c = SQ(st->db);

	/* Reset (its read ends, its bound pointers are dropped) and kept for its text. */
	if (SQS(st)->s && c->ncache < CACHED) {
		sqlite3_reset(SQS(st)->s);
		sqlite3_clear_bindings(SQS(st)->s);
		c->cache[c->ncache++] = SQS(st)->s;
	} else {
		sqlite3_finalize(SQS(st)->s);
	}
	free(st);
}

static long long sq_changes(struct db *db)
{
	return sqlite3_changes(SQ(db)->h);
}

static const struct db_ops ops = {
	sq_close, sq_usable, sq_exec, sq_in_transaction, sq_prepare, sq_bind, sq_step,
	sq_col_text, sq_col_int, sq_col_blob, sq_col_bytes, sq_col_null, sq_finalize, sq_changes,
};

enum err db_open_sqlite(const char *path, int mode, struct db **out)
{
	int flags = (mode == DB_READ_ONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	            (mode == 1 ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	struct sq *db = calloc(1, sizeof *db);
	char pragma[64];
	enum err e;
	int rc;

	*out = NULL;
	if (!db)
		return ERR_NOMEM;
	db->head.kind = DB_SQLITE;
	db->head.ops = &ops;
	if ((rc = sqlite3_open_v2(path, &db->h, flags, NULL)) != SQLITE_OK) {
		fail(&db->head, rc);
		e = db_err(&db->head, "open");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, (int)conf_int("busy_timeout_ms"));
	if (mode == DB_READ_ONLY) {
		*out = &db->head;
		return ERR_OK;
	}
	snprintf(pragma, sizeof pragma, "PRAGMA busy_timeout = %ld", conf_int("busy_timeout_ms"));
	if ((e = sq_exec(&db->head, "PRAGMA journal_mode = WAL")) ||
	    (e = sq_exec(&db->head, "PRAGMA foreign_keys = ON")) ||
	    (e = sq_exec(&db->head, "PRAGMA synchronous = NORMAL")) || (e = sq_exec(&db->head, pragma)))
		goto fail;
	*out = &db->head;
	return ERR_OK;
fail:
	sq_close(&db->head);
	return e;
}

sqlite3 *db_sqlite_handle(struct db *db)
{
	return db && db->kind == DB_SQLITE ? SQ(db)->h : NULL;
}
