/* records.h: the records store: listing, counting, inserting under USER_LIMIT, renaming,
 * removing and reading images, all as prepared statements scoped to one user id. */
#ifndef BACKDROP_RECORDS_H
#define BACKDROP_RECORDS_H

#include <stddef.h>
#include <sqlite3.h>
#include "err.h"

enum rec_kind { REC_ORIGINAL, REC_PROCESSED, REC_THUMB, REC__MAX };

/* One record as listed: the row of records plus its image sizes. */
struct record {
	char id[33];
	char *name;                 /* malloc'd, valid UTF-8 */
	char created_on[20];        /* "YYYY-MM-DD HH:MM:SS", UTC */
	int width, height;          /* of the processed image */
	long bytes[REC__MAX];       /* byte size of each image (0 when absent) */
};

/* One image to store or served: type from our own detection, never the client's. */
struct rec_image {
	const char *type;           /* MIME type */
	const void *data;
	size_t len;
	int width, height;
	char etag[33];              /* served only: hex SHA-256 prefix of data */
	char type_buf[64];          /* served only: holds the type */
};

/* The name of a kind ("original", "processed", "thumb"); kind_from_name returns REC__MAX
 * for any other text. */
const char *rec_kind_name(enum rec_kind k);
enum rec_kind rec_kind_from_name(const char *s);

/*
 * Validates and normalises a record name in place: ASCII white space trimmed at both
 * ends; then 1..LIM_NAME_CHARS Unicode code points of valid UTF-8 (no overlongs, no
 * surrogates) with no control character (C0, DEL, C1). Returns ERR_OK or
 * ERR_BAD_FIELD with a client-safe reason in *why (static storage).
 */
enum err rec_name_check(char *s, const char **why);

/* The number of records of user into *n. */
enum err rec_count(sqlite3 *db, const char *user, long *n);
/* The user's records, newest first, limit and offset applied, into a malloc'd array
 * *out of *n entries; free with rec_list_free. */
enum err rec_list(sqlite3 *db, const char *user, long limit, long offset, struct record **out, int *n);
void rec_list_free(struct record *list, int n);
/* Frees the strings of one record (not the struct). */
void rec_free(struct record *rec);

/*
 * Stores a new record of user with its three images in one write transaction (BEGIN
 * IMMEDIATE): counts the user's records, refuses with ERR_USER_LIMIT when limit or more
 * are stored, else inserts the record and its images and commits. Nothing is stored on
 * any error. rec->id, name, created_on, width and height must be set and validated;
 * options_json is the processing options as JSON text. ERR_STORE_BUSY / ERR_STORE.
 */
enum err rec_insert(sqlite3 *db, const char *user, long limit, const struct record *rec,
                    const char *options_json, const struct rec_image img[REC__MAX]);
/* Renames the user's record id to name (validated). ERR_NOT_FOUND when the user has no
 * such record. */
enum err rec_rename(sqlite3 *db, const char *user, const char *id, const char *name);
/* Removes the user's record id and its images in one transaction. ERR_NOT_FOUND when
 * the user has no such record. */
enum err rec_remove(sqlite3 *db, const char *user, const char *id);
/* One record of the user into *out (free with rec_free); ERR_NOT_FOUND. */
enum err rec_get(sqlite3 *db, const char *user, const char *id, struct record *out);
/*
 * Reads image kind of the user's record id: *img gets the type, etag, size and a
 * malloc'd copy of the bytes in *data (caller frees; img->data points to it), and
 * *name (malloc'd, caller frees) the record name. ERR_NOT_FOUND when the user has no
 * such record or image.
 */
enum err rec_image(sqlite3 *db, const char *user, const char *id, enum rec_kind kind,
                   struct rec_image *img, void **data, char **name);

/* The current UTC time as "YYYY-MM-DD HH:MM:SS" into out[20]. */
void rec_now(char out[20]);

#endif
