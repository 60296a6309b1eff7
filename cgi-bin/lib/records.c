/* records.c: the records store (records and images tables), prepared statements only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/sha.h>
#include "lim.h"
#include "records.h"
#include "store.h"
#include "str.h"

static const char *const kinds[REC__MAX] = {
	"original", "processed", "thumb", "original_thumb", "cutout", "background", "opinion"
};

const char *rec_kind_name(enum rec_kind k)
{
	return k < REC__MAX ? kinds[k] : "";
}

enum rec_kind rec_kind_from_name(const char *s)
{
	int k;

	for (k = 0; k < REC__MAX; k++)
		if (!strcmp(s, kinds[k]))
			return (enum rec_kind)k;
	return REC__MAX;
}

void rec_now(char out[20])
{
	store_stamp(time(NULL), out);
}

enum err rec_name_check(char *s, const char **why)
{
	const unsigned char *p;
	unsigned long cp;
	long chars = 0;
	int k;

	str_trim(s);
	if (!*s) {
		*why = "name: must not be empty";
		return ERR_BAD_FIELD;
	}
	for (p = (const unsigned char *)s; *p; p += k) {
		if (!(k = str_utf8_decode(p, &cp))) {
			*why = "name: not valid UTF-8";
			return ERR_BAD_FIELD;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			*why = "name: control characters are not allowed";
			return ERR_BAD_FIELD;
		}
		if (++chars > LIM_NAME_CHARS) {
			*why = "name: at most 200 characters";
			return ERR_BAD_FIELD;
		}
	}
	return ERR_OK;
}

/* Prepares sql on db; maps failure through db_err. */
static enum err prep(struct db *db, const char *sql, struct db_stmt **st)
{
	return db_prepare(db, sql, st) ? db_err(db, "prepare") : ERR_OK;
}

enum err rec_count(struct db *db, const char *user, long *n)
{
	struct db_stmt *st = NULL;
	enum err e;
	int rc;

	if ((e = prep(db, "SELECT count(*) FROM records WHERE user_id = ?", &st)))
		return e;
	db_bind_text(st, 1, user, -1);
	if ((rc = db_step(st)) == DB_ROW)
		*n = (long)db_col_int(st, 0);
	else
		e = db_err(db, "count records");
	db_finalize(st);
	return e;
}

void rec_free(struct record *rec)
{
	if (rec) {
		free(rec->name);
		free(rec->options);
		rec->name = NULL;
		rec->options = NULL;
	}
}

void rec_list_free(struct record *list, int n)
{
	int i;

	for (i = 0; list && i < n; i++)
		rec_free(&list[i]);
	free(list);
}

/* A record with its images' sizes and version: one row per image (LEFT JOIN: a record
 * without images gives one row of NULLs), a record's rows together. The list reads the
 * records in the order of the index records_user_recent and each one's images from the
 * index images_meta, never the rows that hold the image bytes (sql/, 008_list_indexes). */
#define REC_COLS "r.id, r.image_name, r.created_on, r.width, r.height, r.options, i.kind, i.bytes, i.etag"
#define REC_IMAGES "LEFT JOIN images i ON i.record_id = r.id"

/* Reads the rows of st (REC_COLS): skips the first skip records, then fills up to max
 * records at list, one per record id; sets *n to the number filled. */
static enum err rows(struct db *db, struct db_stmt *st, long skip, struct record *list, int max, int *n)
{
	struct record *rec = NULL;
	const char *id, *text;
	char last[33] = "";
	enum rec_kind k;
	int rc;

	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		id = db_col_text(st, 0);
		if (!id)
			continue;
		if (strcmp(last, id)) {
			snprintf(last, sizeof last, "%s", id);
			rec = NULL;
			if (skip > 0) {
				skip--;
				continue;
			}
			if (*n >= max)
				return ERR_OK;
			rec = &list[(*n)++];
			memset(rec, 0, sizeof *rec);
			memcpy(rec->id, last, sizeof rec->id);
			text = db_col_text(st, 2);
			snprintf(rec->created_on, sizeof rec->created_on, "%s", text ? text : "");
			rec->width = db_col_int(st, 3);
			rec->height = db_col_int(st, 4);
			text = db_col_text(st, 1);
			rec->name = strdup(text ? text : "");
			text = db_col_text(st, 5);
			rec->options = strdup(text ? text : "{}");
			if (!rec->name || !rec->options)
				return ERR_NOMEM;
		}
		if (!rec || db_col_null(st, 6) || (k = rec_kind_from_name(db_col_text(st, 6))) == REC__MAX)
			continue;
		rec->bytes[k] = (long)db_col_int(st, 7);
		if (k == REC_PROCESSED && (text = db_col_text(st, 8)))
			snprintf(rec->version, sizeof rec->version, "%.12s", text);
	}
	return rc == DB_DONE ? ERR_OK : db_err(db, "read records");
}

/* The page is counted in records, not rows, so OFFSET and LIMIT are applied in rows():
 * reading past the records skipped costs what SQL's OFFSET would. A record has one to
 * REC__MAX rows, so the rows of the first offset + limit records are within that many
 * times REC__MAX: the SQL limit keeps a long list from being sent whole (PostgreSQL
 * sends a result at once; SQLite reads only what is stepped through). */
enum err rec_list(struct db *db, const char *user, long limit, long offset, struct record **out, int *n)
{
	struct db_stmt *st = NULL;
	struct record *list = NULL;
	int max = limit < 1024 ? (int)limit : 1024, cnt = 0;
	enum err e;

	*out = NULL;
	*n = 0;
	if (max <= 0)
		return ERR_OK;
	if ((e = prep(db, "SELECT " REC_COLS " FROM records r " REC_IMAGES " WHERE r.user_id = ? "
	              "ORDER BY r.created_on DESC, r.rowid DESC LIMIT ?", &st)))
		return e;
	db_bind_text(st, 1, user, -1);
	db_bind_int(st, 2, (offset + max) * REC__MAX);
	if (!(list = calloc((size_t)max, sizeof *list)))
		e = ERR_NOMEM;
	else
		e = rows(db, st, offset, list, max, &cnt);
	db_finalize(st);
	if (e) {
		rec_list_free(list, cnt);
		return e;
	}
	*out = list;
	*n = cnt;
	return ERR_OK;
}

enum err rec_get(struct db *db, const char *user, const char *id, struct record *out)
{
	struct db_stmt *st = NULL;
	enum err e;
	int n = 0;

	memset(out, 0, sizeof *out);
	if ((e = prep(db, "SELECT " REC_COLS " FROM records r " REC_IMAGES " WHERE r.id = ? AND r.user_id = ?",
	              &st)))
		return e;
	db_bind_text(st, 1, id, -1);
	db_bind_text(st, 2, user, -1);
	e = rows(db, st, 0, out, 1, &n);
	db_finalize(st);
	if (e) {
		rec_free(out);
		return e;
	}
	return n ? ERR_OK : ERR_NOT_FOUND;
}

/* Steps a statement that returns no rows. */
static enum err exec_step(struct db *db, struct db_stmt *st, const char *what)
{
	int rc = db_step(st);

	return rc == DB_DONE ? ERR_OK : db_err(db, what);
}

void rec_etag(const void *data, size_t len, char out[33])
{
	unsigned char h[SHA256_DIGEST_LENGTH];

	SHA256(data, len, h);
	str_hex(h, 16, out);
}

/* Inserts image kind k of record id (or, with or_ignore, keeps one already there). */
static enum err put_image(struct db *db, const char *id, int k, const struct rec_image *img, int or_ignore)
{
	struct db_stmt *is = NULL;
	char etag[33];
	enum err e;

	if ((e = prep(db, or_ignore ?
	              "INSERT INTO images (record_id, kind, type, bytes, width, height, etag, data) "
	              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING" :
	              "INSERT INTO images (record_id, kind, type, bytes, width, height, etag, data) "
	              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &is)))
		return e;
	rec_etag(img->data, img->len, etag);
	db_bind_text(is, 1, id, -1);
	db_bind_text(is, 2, kinds[k], -1);
	db_bind_text(is, 3, img->type, -1);
	db_bind_int(is, 4, (long long)img->len);
	db_bind_int(is, 5, img->width);
	db_bind_int(is, 6, img->height);
	db_bind_text(is, 7, etag, -1);
	db_bind_blob(is, 8, img->data, img->len);
	e = exec_step(db, is, "insert image");
	db_finalize(is);
	return e;
}

enum err rec_insert(struct db *db, const char *user, long limit, const struct record *rec,
                    const char *options_json, const struct rec_image img[REC__MAX])
{
	struct db_stmt *rs = NULL;
	long n = 0;
	enum err e;
	int k;

	if ((e = store_begin(db, 1)))
		return e;
	if ((e = rec_count(db, user, &n)))
		goto out;
	if (n >= limit) {
		e = ERR_USER_LIMIT;
		goto out;
	}
	if ((e = prep(db, "INSERT INTO records (id, user_id, image_name, created_on, width, height, options) "
	              "VALUES (?, ?, ?, ?, ?, ?, ?)", &rs)))
		goto out;
	db_bind_text(rs, 1, rec->id, -1);
	db_bind_text(rs, 2, user, -1);
	db_bind_text(rs, 3, rec->name, -1);
	db_bind_text(rs, 4, rec->created_on, -1);
	db_bind_int(rs, 5, rec->width);
	db_bind_int(rs, 6, rec->height);
	db_bind_text(rs, 7, options_json ? options_json : "{}", -1);
	if ((e = exec_step(db, rs, "insert record")))
		goto out;
	for (k = 0; k < REC__MAX; k++)
		if (img[k].data && (e = put_image(db, rec->id, k, &img[k], 0)))
			goto out;
	e = store_commit(db);
out:
	db_finalize(rs);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_replace(struct db *db, const char *user, const struct record *rec,
                     const char *options_json, const struct rec_image img[REC__MAX])
{
	struct db_stmt *rs = NULL, *ds = NULL;
	enum err e;
	int k;

	if ((e = store_begin(db, 1)))
		return e;
	if ((e = prep(db, "UPDATE records SET image_name = ?, width = ?, height = ?, options = ? "
	              "WHERE id = ? AND user_id = ?", &rs)))
		goto out;
	db_bind_text(rs, 1, rec->name, -1);
	db_bind_int(rs, 2, rec->width);
	db_bind_int(rs, 3, rec->height);
	db_bind_text(rs, 4, options_json ? options_json : "{}", -1);
	db_bind_text(rs, 5, rec->id, -1);
	db_bind_text(rs, 6, user, -1);
	if ((e = exec_step(db, rs, "update record")))
		goto out;
	if (db_changes(db) == 0) {
		e = ERR_NOT_FOUND;
		goto out;
	}
	if ((e = prep(db, "DELETE FROM images WHERE record_id = ? "
	              "AND kind NOT IN ('original', 'original_thumb')", &ds)))
		goto out;
	db_bind_text(ds, 1, rec->id, -1);
	if ((e = exec_step(db, ds, "replace images")))
		goto out;
	for (k = 0; k < REC__MAX; k++)
		if (k != REC_ORIGINAL && k != REC_ORIGINAL_THUMB && img[k].data &&
		    (e = put_image(db, rec->id, k, &img[k], 0)))
			goto out;
	e = store_commit(db);
out:
	db_finalize(rs);
	db_finalize(ds);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_image_add(struct db *db, const char *user, const char *id, enum rec_kind kind,
                       const struct rec_image *img)
{
	struct record rec;
	enum err e;

	if (kind >= REC__MAX)
		return ERR_NOT_FOUND;
	if ((e = store_begin(db, 1)))
		return e;
	if (!(e = rec_get(db, user, id, &rec)))
		e = put_image(db, id, kind, img, 1);
	rec_free(&rec);
	if (!e)
		e = store_commit(db);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_rename(struct db *db, const char *user, const char *id, const char *name)
{
	struct db_stmt *st = NULL;
	enum err e;

	if ((e = prep(db, "UPDATE records SET image_name = ? WHERE id = ? AND user_id = ?", &st)))
		return e;
	db_bind_text(st, 1, name, -1);
	db_bind_text(st, 2, id, -1);
	db_bind_text(st, 3, user, -1);
	if (!(e = exec_step(db, st, "rename record")) && db_changes(db) == 0)
		e = ERR_NOT_FOUND;
	db_finalize(st);
	return e;
}

enum err rec_remove(struct db *db, const char *user, const char *id)
{
	struct db_stmt *st = NULL, *im = NULL;
	enum err e;

	if ((e = store_begin(db, 1)))
		return e;
	if ((e = prep(db, "DELETE FROM images WHERE record_id = "
	              "(SELECT id FROM records WHERE id = ? AND user_id = ?)", &im)) ||
	    (e = prep(db, "DELETE FROM records WHERE id = ? AND user_id = ?", &st)))
		goto out;
	db_bind_text(im, 1, id, -1);
	db_bind_text(im, 2, user, -1);
	db_bind_text(st, 1, id, -1);
	db_bind_text(st, 2, user, -1);
	if ((e = exec_step(db, im, "remove images")) || (e = exec_step(db, st, "remove record")))
		goto out;
	if (db_changes(db) == 0) {
		e = ERR_NOT_FOUND;
		goto out;
	}
	e = store_commit(db);
out:
	db_finalize(im);
	db_finalize(st);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_image(struct db *db, const char *user, const char *id, enum rec_kind kind,
                   struct rec_image *img, void **data, char **name)
{
	struct db_stmt *st = NULL;
	const void *blob;
	enum err e;
	int rc;

	*data = NULL;
	*name = NULL;
	memset(img, 0, sizeof *img);
	if (kind >= REC__MAX)
		return ERR_NOT_FOUND;
	if ((e = prep(db, "SELECT i.type, i.etag, i.width, i.height, i.data, r.image_name "
	              "FROM images i JOIN records r ON r.id = i.record_id "
	              "WHERE r.id = ? AND r.user_id = ? AND i.kind = ?", &st)))
		return e;
	db_bind_text(st, 1, id, -1);
	db_bind_text(st, 2, user, -1);
	db_bind_text(st, 3, kinds[kind], -1);
	rc = db_step(st);
	if (rc != DB_ROW) {
		e = rc == DB_DONE ? ERR_NOT_FOUND : db_err(db, "read image");
		goto out;
	}
	snprintf(img->type_buf, sizeof img->type_buf, "%s", db_col_text(st, 0));
	img->type = img->type_buf;
	snprintf(img->etag, sizeof img->etag, "%s", db_col_text(st, 1));
	img->width = db_col_int(st, 2);
	img->height = db_col_int(st, 3);
	blob = db_col_blob(st, 4);
	img->len = (size_t)db_col_bytes(st, 4);
	if (!(*data = malloc(img->len ? img->len : 1)) ||
	    !(*name = strdup(db_col_text(st, 5)))) {
		free(*data);
		*data = NULL;
		e = ERR_NOMEM;
		goto out;
	}
	if (img->len)
		memcpy(*data, blob, img->len);
	img->data = *data;
out:
	db_finalize(st);
	return e;
}

int rec_claim_owner(const char *token, char owner[REC_CLAIM_OWNER_BYTES])
{
	unsigned char h[SHA256_DIGEST_LENGTH];

	if (!str_is_id(token))
		return 0;
	SHA256((const unsigned char *)token, 32, h);
	memcpy(owner, "claim:", 6);
	str_hex(h, 16, owner + 6);
	return 1;
}

/* Claim owners sort between "claim:" and "claim;", so the (user_id, created_on) index
 * finds the expired ones. */
#define CLAIMS_BEFORE "SELECT id FROM records WHERE user_id >= 'claim:' AND user_id < 'claim;' AND created_on < ?"

enum err rec_claim_purge(struct db *db, long max_age)
{
	struct db_stmt *im = NULL, *st = NULL;
	char cutoff[20];
	enum err e;

	store_stamp(time(NULL) - max_age, cutoff);
	if ((e = prep(db, "DELETE FROM images WHERE record_id IN (" CLAIMS_BEFORE ")", &im)) ||
	    (e = prep(db, "DELETE FROM records WHERE id IN (" CLAIMS_BEFORE ")", &st)))
		goto out;
	db_bind_text(im, 1, cutoff, -1);
	db_bind_text(st, 1, cutoff, -1);
	if (!(e = exec_step(db, im, "purge claims")))
		e = exec_step(db, st, "purge claims");
out:
	db_finalize(im);
	db_finalize(st);
	return e;
}

enum err rec_claim(struct db *db, const char *token, const char *user, long limit, long max_age)
{
	struct db_stmt *st = NULL;
	char owner[REC_CLAIM_OWNER_BYTES];
	long n = 0;
	enum err e, purged;

	if (!rec_claim_owner(token, owner))
		return ERR_NOT_FOUND;
	if ((e = store_begin(db, 1)))
		return e;
	if ((e = rec_claim_purge(db, max_age)) || (e = rec_count(db, owner, &n)))
		goto out;
	if (n == 0) {
		e = ERR_NOT_FOUND;
		goto out;
	}
	if ((e = rec_count(db, user, &n)))
		goto out;
	if (n >= limit) {
		/* Over the limit: the upload is refused as if it had carried the cookie. */
		if ((e = prep(db, "DELETE FROM images WHERE record_id IN "
		              "(SELECT id FROM records WHERE user_id = ?1)", &st)))
			goto out;
		db_bind_text(st, 1, owner, -1);
		if ((e = exec_step(db, st, "drop claim")))
			goto out;
		db_finalize(st);
		st = NULL;
		if ((e = prep(db, "DELETE FROM records WHERE user_id = ?1", &st)))
			goto out;
		db_bind_text(st, 1, owner, -1);
		if (!(e = exec_step(db, st, "drop claim")))
			e = ERR_USER_LIMIT;
		goto out;
	}
	if ((e = prep(db, "UPDATE records SET user_id = ?1 WHERE user_id = ?2", &st)))
		goto out;
	db_bind_text(st, 1, user, -1);
	db_bind_text(st, 2, owner, -1);
	e = exec_step(db, st, "claim record");
out:
	db_finalize(st);
	/* The purge (and a refused claim's deletion) stands even when the claim fails. */
	if (!e || e == ERR_NOT_FOUND || e == ERR_USER_LIMIT) {
		if ((purged = store_commit(db)))
			e = purged;
	} else {
		store_rollback(db);
	}
	return e;
}
