/* store.h: the store behind db.h: which backend the conf names (database_url: SQLite by
 * default, or PostgreSQL), the process-wide connection, numbered migrations per backend
 * (compiled in from sql/sqlite/ and sql/postgres/), transactions, and the data folder. */
#ifndef BACKDROP_STORE_H
#define BACKDROP_STORE_H

#include <stddef.h>
#include <time.h>
#include "db.h"
#include "err.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration migrations_sqlite[], migrations_postgres[];
extern const int nmigrations_sqlite, nmigrations_postgres;

/* The process-wide connection to the configured store, opened (the data folder and
 * migrations made ready) on first use; a failed open is retried on the next call, a
 * lost PostgreSQL connection is re-made. Nothing is written when the folder and an
 * up-to-date database exist (a full disk still serves reads).
 * The connection belongs to the store: do not close it. ERR_STORE when unusable. */
enum err store_db(struct db **db);
/* Closes the process-wide connection (accepts none being open). */
void store_close(void);
/* A new connection to url (NULL: the conf's database_url; "" or "sqlite:PATH" or a
 * postgresql:// URI), creating an SQLite file when create is 1, applying the
 * migrations when migrate is 1. The caller closes it with db_close(). */
enum err store_open_url(const char *url, int create, int migrate, struct db **db);
/* store_open_url(NULL, create, 1, db): the configured store, migrated. */
enum err store_open(int create, struct db **db);
/* 1 when url (NULL: the conf's) names PostgreSQL, 0 for SQLite. */
int store_is_postgres(const char *url);
/* Applies every migration of db's backend newer than the database's, each in its own
 * write transaction, and records it in schema_migrations. A database whose schema is
 * newer than the newest compiled-in migration is refused (ERR_STORE, the versions
 * logged). Concurrent starters apply each migration exactly once. */
enum err store_migrate(struct db *db);
/* The database's schema version (the highest applied migration; 0 for a database
 * without schema_migrations), or -1 when it cannot be read. */
int store_version(struct db *db);
/* The migrations these programs carry for db's backend (*n of them), and the newest. */
const struct migration *store_migrations(struct db *db, int *n);
int store_newest(struct db *db);
/* SQLite only: copies every page of from's main database over to's (the online backup
 * API) as one consistent state, waiting up to busy_timeout_ms for locks. */
enum err store_copy(struct db *from, struct db *to);
/* Bytes the database occupies now (SQLite: the file and its WAL; PostgreSQL: the
 * database's size), 0 when unknown. */
long long store_bytes(struct db *db);
/* Bytes an unprivileged writer may still use on the data folder's file system, or -1
 * when it cannot be told. */
long long store_free_bytes(void);
/* A write transaction (one writer at a time: SQLite's BEGIN IMMEDIATE; on PostgreSQL a
 * transaction-wide advisory lock that every write transaction takes), or a read one. */
enum err store_begin(struct db *db, int write);
enum err store_commit(struct db *db);
/* Rolls back if a transaction is open; safe to call on any path. */
void store_rollback(struct db *db);
/* t as the store writes times, "YYYY-MM-DD HH:MM:SS" (UTC), into out[20]; a day is
 * its first 10 characters. */
void store_stamp(time_t t, char out[20]);
/* The day of t as the store writes days, "YYYY-MM-DD" (UTC), into out[11]. */
void store_day(time_t t, char out[11]);
/* Checks that the database answers a query. Returns ERR_OK or the mapped error. */
enum err store_check(struct db *db);
/* Path of the SQLite file the conf names into out[n]; ERR_CONFIG when the conf names
 * PostgreSQL (or the path does not fit). */
enum err store_path(char *out, size_t n);
/* Makes sure the data folder exists and is writable: creates it (mode 0700) if
 * missing, then creates and removes a probe file. On failure, a reason with the path
 * goes into why[n]. */
enum err store_data_dir_ready(char *why, size_t n);
/* The cheap check for every health probe: 1 if the data folder is a directory this
 * process may create files in (access(2) also reports a read-only file system), else 0. */
int store_data_dir_writable(void);

#endif
