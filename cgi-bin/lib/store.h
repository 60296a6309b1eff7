/* store.h: the SQLite store: opening with WAL, busy timeout and foreign keys, numbered
 * migrations (compiled in from sql/), transactions, and mapping SQLite errors. */
#ifndef BACKDROP_STORE_H
#define BACKDROP_STORE_H

#include <stddef.h>
#include <sqlite3.h>
#include "err.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration migrations[];
extern const int nmigrations;

/* The process-wide connection to <data_dir>/backdrop.db, opened (and the data folder
 * and migrations made ready) on first use; a failed open is retried on the next call.
 * Nothing is written when the folder and an up-to-date database exist (a full disk
 * still serves reads).
 * The connection belongs to the store: do not close it. ERR_STORE when unusable. */
enum err store_db(sqlite3 **db);
/* Closes the process-wide connection (accepts none being open). */
void store_close(void);
/* Opens a new connection to path with WAL, busy_timeout and foreign keys, creating the
 * file when create is 1, and applies the migrations. The caller closes it. */
enum err store_open(const char *path, int create, sqlite3 **db);
/* Opens path as store_open does (WAL, busy timeout, foreign keys) but applies no
 * migration: for the tools that inspect, back up or restore a database. */
enum err store_connect(const char *path, int create, sqlite3 **db);
/* Applies every migration newer than the database's, each in its own transaction, and
 * records it in schema_migrations. A database whose schema is newer than the newest
 * compiled-in migration is refused (ERR_STORE, the versions logged). */
enum err store_migrate(sqlite3 *db);
/* The database's schema version (the highest applied migration; 0 for a database
 * without schema_migrations), or -1 when it cannot be read. */
int store_version(sqlite3 *db);
/* Copies every page of from's main database over to's (SQLite's online backup API) as
 * one consistent state, waiting up to busy_timeout_ms for locks. Writers of from go on
 * meanwhile (WAL). Returns ERR_OK or the mapped error. */
enum err store_copy(sqlite3 *from, sqlite3 *to);
/* Bytes the database occupies on disk now (the file and its WAL), 0 when absent. */
long long store_bytes(void);
/* Bytes an unprivileged writer may still use on the data folder's file system, or -1
 * when it cannot be told. */
long long store_free_bytes(void);
/* BEGIN IMMEDIATE (write) or BEGIN (read). */
enum err store_begin(sqlite3 *db, int write);
enum err store_commit(sqlite3 *db);
/* Rolls back if a transaction is open; safe to call on any path. */
void store_rollback(sqlite3 *db);
/* Maps an SQLite result code to our error (busy/locked -> ERR_STORE_BUSY; cannot open,
 * read-only, full, I/O -> ERR_STORE; others -> ERR_INTERNAL) and logs the SQLite
 * message with what (never shown to clients). */
enum err store_err(sqlite3 *db, int rc, const char *what);
/* Checks that the database answers a query. Returns ERR_OK or the mapped error. */
enum err store_check(sqlite3 *db);
/* Path of the database file for the current config into out[n]. */
enum err store_path(char *out, size_t n);
/* Makes sure the data folder exists and is writable: creates it (mode 0700) if
 * missing, then creates and removes a probe file. On failure, a reason with the path
 * goes into why[n]. */
enum err store_data_dir_ready(char *why, size_t n);
/* The cheap check for every health probe: 1 if the data folder is a directory this
 * process may create files in (access(2) also reports a read-only file system), else 0. */
int store_data_dir_writable(void);

#endif
