/* db_impl.h: what the two database backends share with the dispatcher in db.c; no
 * caller outside db*.c includes it. */
#ifndef BACKDROP_DB_IMPL_H
#define BACKDROP_DB_IMPL_H

#include "db.h"

struct db_ops {
	void (*close)(struct db *db);
	enum err (*usable)(struct db *db);
	enum err (*exec)(struct db *db, const char *sql);
	int (*in_transaction)(struct db *db);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **st);
	/* type: 't' text, 'i' integer, 'b' blob, 'n' null. */
	void (*bind)(struct db_stmt *st, int i, int type, const void *p, size_t n, long long v);
	int (*step)(struct db_stmt *st);
	const char *(*col_text)(struct db_stmt *st, int i);
	long long (*col_int)(struct db_stmt *st, int i);
	const void *(*col_blob)(struct db_stmt *st, int i);
	size_t (*col_bytes)(struct db_stmt *st, int i);
	int (*col_null)(struct db_stmt *st, int i);
	void (*finalize)(struct db_stmt *st);
	long long (*changes)(struct db *db);
};

/* The head of every backend's connection and statement. */
struct db {
	enum db_kind kind;
	const struct db_ops *ops;
	enum err failure;        /* the mapped last failure, ERR_OK when none is pending */
	char why[512];           /* its message, for the log */
};
struct db_stmt {
	struct db *db;
};

/* Records a failure on db (the message is copied and truncated). */
void db_fail(struct db *db, enum err mapped, const char *why);

#endif
