/* db.c: the database interface, forwarding each call to the connection's backend
 * (db_sqlite.c, db_pg.c), and the error path they share. */
#include <stdio.h>
#include <string.h>
#include "db_impl.h"
#include "log.h"

void db_fail(struct db *db, enum err mapped, const char *why)
{
	db->failure = mapped ? mapped : ERR_INTERNAL;
	snprintf(db->why, sizeof db->why, "%s", why ? why : "unknown error");
}

enum err db_err(struct db *db, const char *what)
{
	enum err e;

	if (!db) {
		log_error("store: %s: no connection", what);
		return ERR_STORE;
	}
	if (!db->failure) {
		log_error("store: %s: unexpected result", what);
		return ERR_INTERNAL;
	}
	log_error("store: %s: %s", what, db->why);
	e = db->failure;
	db->failure = ERR_OK;
	return e;
}

const char *db_message(struct db *db)
{
	return db && db->failure ? db->why : "";
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->kind;
}

const char *db_pick(const struct db *db, const char *sqlite_sql, const char *postgres_sql)
{
	return db->kind == DB_POSTGRES ? postgres_sql : sqlite_sql;
}

enum err db_usable(struct db *db)
{
	return db->ops->usable(db);
}

enum err db_exec(struct db *db, const char *sql)
{
	db->failure = ERR_OK;
	return db->ops->exec(db, sql);
}

int db_in_transaction(struct db *db)
{
	return db && db->ops->in_transaction(db);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **st)
{
	*st = NULL;
	db->failure = ERR_OK;
	return db->ops->prepare(db, sql, st);
}

void db_bind_text(struct db_stmt *st, int i, const char *s, int n)
{
	if (!s)
		st->db->ops->bind(st, i, 'n', NULL, 0, 0);
	else
		st->db->ops->bind(st, i, 't', s, n < 0 ? strlen(s) : (size_t)n, 0);
}

void db_bind_int(struct db_stmt *st, int i, long long v)
{
	st->db->ops->bind(st, i, 'i', NULL, 0, v);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	st->db->ops->bind(st, i, p ? 'b' : 'n', p, n, 0);
}

void db_bind_null(struct db_stmt *st, int i)
{
	st->db->ops->bind(st, i, 'n', NULL, 0, 0);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

const char *db_col_text(struct db_stmt *st, int i)
{
	return st->db->ops->col_text(st, i);
}

long long db_col_int(struct db_stmt *st, int i)
{
	return st->db->ops->col_int(st, i);
}

const void *db_col_blob(struct db_stmt *st, int i)
{
	return st->db->ops->col_blob(st, i);
}

size_t db_col_bytes(struct db_stmt *st, int i)
{
	return st->db->ops->col_bytes(st, i);
}

int db_col_null(struct db_stmt *st, int i)
{
	return st->db->ops->col_null(st, i);
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}

long long db_changes(struct db *db)
{
	return db->ops->changes(db);
}
