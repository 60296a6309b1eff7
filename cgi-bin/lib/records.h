/* records.h: the records store: listing, counting, inserting under USER_LIMIT, renaming,
 * removing and reading images, all as prepared statements scoped to one user id. */
#ifndef BACKDROP_RECORDS_H
#define BACKDROP_RECORDS_H

#include <stddef.h>
#include "db.h"
#include "err.h"

/* The images of a record. original, processed and thumb always exist; original_thumb is
 * made at upload (lazily by the image program for older records); cutout (the subject
 * on transparency the result was composed over) exists for cut-out results, background
 * when the result has an uploaded or fetched background image, opinion (the
 * segmentation network's, kept for refining; never served) when the network cut it. */
enum rec_kind { REC_ORIGINAL, REC_PROCESSED, REC_THUMB, REC_ORIGINAL_THUMB, REC_CUTOUT,
                REC_BACKGROUND, REC_OPINION, REC__MAX };

/* One record as listed: the row of records plus its image sizes. */
struct record {
	char id[33];
	char *name;                 /* malloc'd, valid UTF-8 */
	char created_on[20];        /* "YYYY-MM-DD HH:MM:SS", UTC */
	int width, height;          /* of the processed image */
	long bytes[REC__MAX];       /* byte size of each image (0 when absent) */
	char *options;              /* malloc'd: the processing options as JSON text */
	char version[13];           /* changes when the result is re-rendered (hex) */
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

/* The name of a kind ("original", "processed", "thumb", "original_thumb", "cutout",
 * "background", "opinion"); kind_from_name returns REC__MAX
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
enum err rec_count(struct db *db, const char *user, long *n);
/* The user's records, newest first, limit and offset applied, into a malloc'd array
 * *out of *n entries; free with rec_list_free. */
enum err rec_list(struct db *db, const char *user, long limit, long offset, struct record **out, int *n);
void rec_list_free(struct record *list, int n);
/* Frees the strings of one record (not the struct). */
void rec_free(struct record *rec);

/*
 * Stores a new record of user with its images in one write transaction (BEGIN
 * IMMEDIATE): counts the user's records, refuses with ERR_USER_LIMIT when limit or more
 * are stored, else inserts the record and its images (every kind whose data is set:
 * original, processed and thumb must be) and commits. Nothing is stored on any error. rec->id, name, created_on, width and height must be set and validated;
 * options_json is the processing options as JSON text. ERR_STORE_BUSY / ERR_STORE.
 */
enum err rec_insert(struct db *db, const char *user, long limit, const struct record *rec,
                    const char *options_json, const struct rec_image img[REC__MAX]);
/*
 * Replaces the result of the user's record rec->id in one write transaction: its name,
 * width, height and options, and every image but the original and original_thumb (each
 * kind whose data is set in img is stored, the others deleted). Nothing changes on any
 * error: the previous version stays until the commit. ERR_NOT_FOUND when the user has
 * no such record (any more).
 */
enum err rec_replace(struct db *db, const char *user, const struct record *rec,
                     const char *options_json, const struct rec_image img[REC__MAX]);
/* Stores one more image of kind for the user's record id unless it has one already (a
 * lazily made original_thumb; two makers at once store one). ERR_NOT_FOUND when the
 * user has no such record. */
enum err rec_image_add(struct db *db, const char *user, const char *id, enum rec_kind kind,
                       const struct rec_image *img);
/* Renames the user's record id to name (validated). ERR_NOT_FOUND when the user has no
 * such record. */
enum err rec_rename(struct db *db, const char *user, const char *id, const char *name);
/* Removes the user's record id and its images in one transaction. ERR_NOT_FOUND when
 * the user has no such record. */
enum err rec_remove(struct db *db, const char *user, const char *id);
/* One record of the user into *out (free with rec_free); ERR_NOT_FOUND. */
enum err rec_get(struct db *db, const char *user, const char *id, struct record *out);
/*
 * Reads image kind of the user's record id: *img gets the type, etag, size and a
 * malloc'd copy of the bytes in *data (caller frees; img->data points to it), and
 * *name (malloc'd, caller frees) the record name. ERR_NOT_FOUND when the user has no
 * such record or image.
 */
enum err rec_image(struct db *db, const char *user, const char *id, enum rec_kind kind,
                   struct rec_image *img, void **data, char **name);

/*
 * Claims: a form posted from another site carries no SameSite=Lax cookie, so its
 * record is stored under a claim owner, "claim:" + 32 hex of the SHA-256 of a random
 * token that only the 303's Location holds; the redirect's GET (which does carry the
 * cookie) moves it to the visitor's own records. A claim is single-use and lives
 * max_age seconds (conf claim_seconds); older ones are deleted.
 */
#define REC_CLAIM_OWNER_BYTES (6 + 32 + 1)
/* The claim owner of token (32 hex) into owner. Returns 1, or 0 when token is not an id. */
int rec_claim_owner(const char *token, char owner[REC_CLAIM_OWNER_BYTES]);
/* Deletes the records of claims older than max_age seconds, with their images. */
enum err rec_claim_purge(struct db *db, long max_age);
/*
 * Moves the record waiting under token's claim (younger than max_age seconds) to user,
 * in one write transaction with the USER_LIMIT count: ERR_NOT_FOUND when there is no
 * such claim (unknown, used or expired), ERR_USER_LIMIT when user already has limit
 * records (the claimed record is then deleted). Expired claims are purged either way.
 */
enum err rec_claim(struct db *db, const char *token, const char *user, long limit, long max_age);

/* The ETag of image bytes (the hex of the first 128 bits of their SHA-256) into out[33];
 * a record's version is its processed image's, cut to 12 digits. */
void rec_etag(const void *data, size_t len, char out[33]);

/* The current UTC time as "YYYY-MM-DD HH:MM:SS" into out[20]. */
void rec_now(char out[20]);

#endif
