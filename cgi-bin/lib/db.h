/* db.h: the one interface to the database, whichever backend holds it: SQLite (a file,
 * the embedded default) or PostgreSQL (libpq, for several hosts on one store).
 *
 * Callers write one SQL text for both backends, with parameters as ? or ?N (numbered,
 * usable several times): PostgreSQL gets them as $N. Every statement is prepared
 * (PostgreSQL: once per connection and parameter types, then reused by name); values
 * are always bound, never pasted into the text. A text or blob bound to a statement is
 * referenced, not copied: it must stay valid until the statement's next db_step(). */
#ifndef BACKDROP_DB_H
#define BACKDROP_DB_H

#include <stddef.h>
#include "err.h"

enum db_kind { DB_SQLITE, DB_POSTGRES };

/* What db_step() returns. */
enum { DB_FAIL = -1, DB_DONE = 0, DB_ROW = 1 };

struct db;
struct db_stmt;

/* Opens SQLite at path (creating the file when mode is 1) with WAL, busy_timeout_ms
 * from the conf and foreign keys on; mode DB_READ_ONLY opens an existing file without
 * changing it (no journal mode set). The caller closes it. */
#define DB_READ_ONLY (-1)
enum err db_open_sqlite(const char *path, int mode, struct db **out);
/* Connects to PostgreSQL with a libpq connection string or URI. */
enum err db_open_postgres(const char *conninfo, struct db **out);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* sqlite_sql or postgres_sql, for the rare statement whose text must differ. */
const char *db_pick(const struct db *db, const char *sqlite_sql, const char *postgres_sql);
/* For a connection that was lost (PostgreSQL): reconnects, returning ERR_OK when the
 * connection is usable. SQLite: ERR_OK. */
enum err db_usable(struct db *db);

/* Runs SQL without parameters (one or more statements: transactions, migrations). */
enum err db_exec(struct db *db, const char *sql);
/* 1 while a transaction is open. */
int db_in_transaction(struct db *db);

/* 0, or DB_FAIL with the error kept for db_err(). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **st);
/* Parameters count from 1. */
void db_bind_text(struct db_stmt *st, int i, const char *s, int n);
void db_bind_int(struct db_stmt *st, int i, long long v);
void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
void db_bind_null(struct db_stmt *st, int i);
/* DB_ROW (a row is ready), DB_DONE, or DB_FAIL (the error kept for db_err()). */
int db_step(struct db_stmt *st);
/* Columns of the current row, counted from 0; valid until the next step. A NULL
 * column is NULL text, 0, a NULL blob of 0 bytes. */
const char *db_col_text(struct db_stmt *st, int i);
long long db_col_int(struct db_stmt *st, int i);
const void *db_col_blob(struct db_stmt *st, int i);
size_t db_col_bytes(struct db_stmt *st, int i);
int db_col_null(struct db_stmt *st, int i);
/* Accepts NULL. */
void db_finalize(struct db_stmt *st);
/* Rows changed by the connection's last finished INSERT, UPDATE or DELETE. */
long long db_changes(struct db *db);

/* Logs the last failure with what (never shown to clients) and maps it: a lock or
 * serialization conflict -> ERR_STORE_BUSY; a store that cannot be opened, reached,
 * written (full, read-only) or read -> ERR_STORE; out of memory -> ERR_NOMEM; else
 * (also when no failure is pending: an unexpected row) ERR_INTERNAL. */
enum err db_err(struct db *db, const char *what);
/* The pending failure's message for a person at a terminal ("" when none). */
const char *db_message(struct db *db);

#endif
