/* db_sqlite.h: the SQLite handle behind a connection, for the few operations that exist
 * only for a database file (the online backup of `backdrop backup` and restore). */
#ifndef BACKDROP_DB_SQLITE_H
#define BACKDROP_DB_SQLITE_H

#include <sqlite3.h>
#include "db.h"

/* The handle of an SQLite connection; NULL for another backend. */
sqlite3 *db_sqlite_handle(struct db *db);

#endif
