/* db_pg.c: the PostgreSQL backend of db.h (libpq), for several hosts sharing one store.
 *
 * Each statement text is translated once (?N and ? become $N) and prepared on the
 * connection under a name the first time it runs with a given set of parameter types,
 * then reused. Values travel as parameters (integers as decimal text typed bigint,
 * blobs in binary as bytea, texts untyped so the server gives them the column's type);
 * results come back in binary and are decoded by column type. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include "conf.h"
#include "db_impl.h"

#define MAX_PARAMS 32
#define MAX_COLS 32

/* The few type OIDs the queries return (fixed in PostgreSQL's catalog). */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_FLOAT8 = 701 };

struct prepared {
	char *key;                   /* parameter types, ':', the translated text */
	char name[16];
	struct prepared *next;
};

struct pg {
	struct db head;
	PGconn *c;
	struct prepared *cache;      /* what this connection has prepared */
	int nprepared;
	long long changes;
};

struct pg_stmt {
	struct db_stmt head;
	char *sql;                   /* with $N parameters */
	int nparams;
	unsigned long used;          /* bit i: the text names parameter i + 1 */
	char types[MAX_PARAMS + 1];  /* per parameter: t, i, b or n */
	const char *values[MAX_PARAMS];
	int lengths[MAX_PARAMS];
	char ints[MAX_PARAMS][24];
	char *texts[MAX_PARAMS];     /* copies of bound texts, ended by a 0 byte */
	PGresult *res;
	int row, rows;
	int oom;                     /* a bound text could not be copied */
	char text[MAX_COLS][24];     /* integers asked for as text */
};

#define PG(db) ((struct pg *)(db))
#define PGS(st) ((struct pg_stmt *)(st))

/* Keeps a failure on db: mapped from res's SQLSTATE, else from the connection. */
static void fail(struct db *db, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	char why[512];
	enum err e = ERR_INTERNAL;

	if (!msg || !*msg)
		msg = PQerrorMessage(PG(db)->c);
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")))
		e = ERR_STORE_BUSY;     /* serialization failure, deadlock, lock_timeout */
	else if (state && !strcmp(state, "53200"))
		e = ERR_NOMEM;
	else if ((state && (!strncmp(state, "53", 2) || !strncmp(state, "08", 2) || !strncmp(state, "57", 2) ||
	                    !strncmp(state, "58", 2) || !strcmp(state, "25006"))) ||
	         PQstatus(PG(db)->c) != CONNECTION_OK)
		e = ERR_STORE;          /* full, too many connections, gone, shut down, I/O, read-only */
	snprintf(why, sizeof why, "%s%s%s [%s]", what ? what : "", what ? ": " : "", msg,
	         state ? state : "no state");
	why[strcspn(why, "\n")] = '\0';
	db_fail(db, e, why);
}

static void forget_prepared(struct pg *db)
{
	struct prepared *p, *next;

	for (p = db->cache; p; p = next) {
		next = p->next;
		free(p->key);
		free(p);
	}
	db->cache = NULL;
	db->nprepared = 0;
}

static void pg_close(struct db *db)
{
	PQfinish(PG(db)->c);
	forget_prepared(PG(db));
	free(db);
}

static enum err pg_usable(struct db *db)
{
	if (PQstatus(PG(db)->c) == CONNECTION_OK)
		return ERR_OK;
	/* The server restarted or the network broke: what was prepared is gone too. */
	forget_prepared(PG(db));
	PQreset(PG(db)->c);
	if (PQstatus(PG(db)->c) == CONNECTION_OK)
		return ERR_OK;
	fail(db, NULL, "reconnect");
	return db_err(db, "connect");
}

static enum err pg_exec(struct db *db, const char *sql)
{
	PGresult *res = PQexec(PG(db)->c, sql);
	ExecStatusType s = PQresultStatus(res);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		PQclear(res);
		return ERR_OK;
	}
	fail(db, res, NULL);
	PQclear(res);
	return db_err(db, sql);
}

static int pg_in_transaction(struct db *db)
{
	return PQtransactionStatus(PG(db)->c) != PQTRANS_IDLE;
}

/* sql with SQLite's parameters (?N, and ? for one past the largest so far) as $N, left
 * alone inside quotes and comments; *n gets the largest number. NULL when out of memory
 * or a number is out of range. */
static char *translate(const char *sql, int *n, unsigned long *used)
{
	size_t len = strlen(sql);
	char *out = malloc(len * 3 + 1), *o = out, quote = 0;
	const char *p;
	long k;

	*n = 0;
	*used = 0;
	if (!out)
		return NULL;
	for (p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (p[0] == '-' && p[1] == '-') {
			while (p[1] && p[1] != '\n')
				*o++ = *p++;
		} else if (*p == '?') {
			if (p[1] >= '0' && p[1] <= '9') {
				k = strtol(p + 1, (char **)&p, 10);
				p--;
			} else {
				k = *n + 1;
			}
			if (k < 1 || k > MAX_PARAMS) {
				free(out);
				return NULL;
			}
			if (k > *n)
				*n = (int)k;
			*used |= 1UL << (k - 1);
			o += sprintf(o, "$%ld", k);
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct pg_stmt *st = calloc(1, sizeof *st);
	int i;

	if (!st || !(st->sql = translate(sql, &st->nparams, &st->used))) {
		free(st);
		db_fail(db, ERR_INTERNAL, "statement: out of memory or a parameter number past 32");
		return DB_FAIL;
	}
	for (i = 0; i < st->nparams; i++)
		st->types[i] = 'n';
	st->head.db = db;
	*out = &st->head;
	return 0;
}

static void pg_bind(struct db_stmt *s, int i, int type, const void *p, size_t n, long long v)
{
	struct pg_stmt *st = PGS(s);

	if (i < 1 || i > st->nparams)
		return;
	i--;
	st->types[i] = (char)type;
	st->lengths[i] = n > INT32_MAX ? INT32_MAX : (int)n;
	free(st->texts[i]);
	st->texts[i] = NULL;
	if (type == 'i') {
		snprintf(st->ints[i], sizeof st->ints[i], "%lld", v);
		st->values[i] = st->ints[i];
	} else if (type == 't') {
		/* Text parameters travel 0-terminated: a text given with a length is copied. */
		if ((st->texts[i] = malloc(n + 1))) {
			memcpy(st->texts[i], p, n);
			st->texts[i][n] = '\0';
		}
		st->values[i] = st->texts[i];
		st->oom |= !st->texts[i];
	} else {
		st->values[i] = p;
	}
}

/* The name under which this connection prepared st's text with st's parameter types,
 * preparing it now if it has not. NULL on failure (kept on the connection). */
static const char *prepared(struct pg_stmt *st)
{
	struct pg *db = PG(st->head.db);
	Oid oids[MAX_PARAMS];
	struct prepared *p;
	PGresult *res;
	size_t n = strlen(st->sql);
	int i;

	for (p = db->cache; p; p = p->next)
		if (!strncmp(p->key, st->types, (size_t)st->nparams) && p->key[st->nparams] == ':' &&
		    !strcmp(p->key + st->nparams + 1, st->sql))
			return p->name;
	if (!(p = calloc(1, sizeof *p)) || !(p->key = malloc((size_t)st->nparams + n + 2))) {
		free(p);
		db_fail(&db->head, ERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(p->key, st->types, (size_t)st->nparams);
	p->key[st->nparams] = ':';
	memcpy(p->key + st->nparams + 1, st->sql, n + 1);
	snprintf(p->name, sizeof p->name, "s%d", db->nprepared + 1);
	/* A parameter the text never names (a statement may skip some of ?1..?N) cannot
	 * get its type from the server: it is declared text. */
	for (i = 0; i < st->nparams; i++)
		oids[i] = st->types[i] == 'i' ? OID_INT8 : st->types[i] == 'b' ? OID_BYTEA :
		          st->used & (1UL << i) ? 0 : OID_TEXT;
	res = PQprepare(db->c, p->name, st->sql, st->nparams, oids);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(&db->head, res, st->sql);
		PQclear(res);
		free(p->key);
		free(p);
		return NULL;
	}
	PQclear(res);
	db->nprepared++;
	p->next = db->cache;
	db->cache = p;
	return p->name;
}

static int pg_step(struct db_stmt *s)
{
	struct pg_stmt *st = PGS(s);
	int formats[MAX_PARAMS], i;
	const char *name, *tuples;
	ExecStatusType rs;

	if (st->res)
		return ++st->row < st->rows ? DB_ROW : DB_DONE;
	if (st->oom) {
		db_fail(s->db, ERR_NOMEM, "out of memory binding a text");
		return DB_FAIL;
	}
	if (!(name = prepared(st)))
		return DB_FAIL;
	for (i = 0; i < st->nparams; i++)
		formats[i] = st->types[i] == 'b';
	for (i = 0; i < st->nparams; i++)
		if (st->types[i] == 'n')
			st->values[i] = NULL;
	st->res = PQexecPrepared(PG(s->db)->c, name, st->nparams, st->values, st->lengths, formats, 1);
	rs = PQresultStatus(st->res);
	if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
		fail(s->db, st->res, NULL);
		PQclear(st->res);
		st->res = NULL;
		return DB_FAIL;
	}
	tuples = PQcmdTuples(st->res);
	if (*tuples)
		PG(s->db)->changes = strtoll(tuples, NULL, 10);
	st->rows = PQntuples(st->res);
	st->row = 0;
	return st->rows > 0 ? DB_ROW : DB_DONE;
}

static int have(struct pg_stmt *st, int i)
{
	return st->res && st->row < st->rows && i >= 0 && i < PQnfields(st->res) &&
	       !PQgetisnull(st->res, st->row, i);
}

/* A big-endian signed integer of n bytes. */
static long long be(const unsigned char *p, int n)
{
	unsigned long long v = 0;
	int k;

	for (k = 0; k < n; k++)
		v = v << 8 | p[k];
	if (n < 8 && n > 0 && (p[0] & 0x80))
		v |= ~0ULL << (8 * n);
	return (long long)v;
}

static long long pg_col_int(struct db_stmt *s, int i)
{
	struct pg_stmt *st = PGS(s);
	const unsigned char *p;
	Oid t;
	int n;

	if (!have(st, i))
		return 0;
	p = (const unsigned char *)PQgetvalue(st->res, st->row, i);
	n = PQgetlength(st->res, st->row, i);
	t = PQftype(st->res, i);
	if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2 || t == OID_BOOL)
		return n >= 1 && n <= 8 ? be(p, n) : 0;
	if (t == OID_FLOAT8 && n == 8) {
		unsigned long long u = (unsigned long long)be(p, 8);
		double d;

		memcpy(&d, &u, sizeof d);
		return d >= -9.2e18 && d <= 9.2e18 ? (long long)d : 0;
	}
	return strtoll((const char *)p, NULL, 10);   /* a text column holding a number */
}

static const char *pg_col_text(struct db_stmt *s, int i)
{
	struct pg_stmt *st = PGS(s);
	Oid t;

	if (!have(st, i))
		return NULL;
	t = PQftype(st->res, i);
	if ((t == OID_INT8 || t == OID_INT4 || t == OID_INT2 || t == OID_BOOL || t == OID_FLOAT8) && i < MAX_COLS) {
		snprintf(st->text[i], sizeof st->text[i], "%lld", pg_col_int(s, i));
		return st->text[i];
	}
	return PQgetvalue(st->res, st->row, i);   /* libpq ends every value with a 0 byte */
}

static const void *pg_col_blob(struct db_stmt *s, int i)
{
	return have(PGS(s), i) ? PQgetvalue(PGS(s)->res, PGS(s)->row, i) : NULL;
}

static size_t pg_col_bytes(struct db_stmt *s, int i)
{
	return have(PGS(s), i) ? (size_t)PQgetlength(PGS(s)->res, PGS(s)->row, i) : 0;
}

static int pg_col_null(struct db_stmt *s, int i)
{
	return !have(PGS(s), i);
}

static void pg_finalize(struct db_stmt *s)
{
	int i;

	for (i = 0; i < MAX_PARAMS; i++)
		free(PGS(s)->texts[i]);
	PQclear(PGS(s)->res);
	free(PGS(s)->sql);
	free(s);
}

static long long pg_changes(struct db *db)
{
	return PG(db)->changes;
}

static const struct db_ops ops = {
	pg_close, pg_usable, pg_exec, pg_in_transaction, pg_prepare, pg_bind, pg_step,
	pg_col_text, pg_col_int, pg_col_blob, pg_col_bytes, pg_col_null, pg_finalize, pg_changes,
};

/* Notices ("relation already exists, skipping") are not errors: not logged. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

enum err db_open_postgres(const char *conninfo, struct db **out)
{
	struct pg *db = calloc(1, sizeof *db);
	char set[96];
	enum err e;

	*out = NULL;
	if (!db)
		return ERR_NOMEM;
	db->head.kind = DB_POSTGRES;
	db->head.ops = &ops;
	db->c = PQconnectdb(conninfo);
	if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
		fail(&db->head, NULL, "connect");
		e = db_err(&db->head, "open");
		pg_close(&db->head);
		return e == ERR_INTERNAL ? ERR_STORE : e;
	}
	PQsetNoticeProcessor(db->c, quiet, NULL);
	/* A lock held too long answers "busy", as busy_timeout_ms does on SQLite. */
	snprintf(set, sizeof set, "SET lock_timeout = %ld; SET client_encoding = 'UTF8'",
	         conf_int("busy_timeout_ms"));
	if ((e = pg_exec(&db->head, set))) {
		pg_close(&db->head);
		return e;
	}
	*out = &db->head;
	return ERR_OK;
}
