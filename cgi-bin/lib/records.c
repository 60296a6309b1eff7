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

static const char *const kinds[REC__MAX] = { "original", "processed", "thumb" };

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
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
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

/* Prepares sql on db; maps failure through store_err. */
static enum err prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? ERR_OK : store_err(db, rc, "prepare");
}

enum err rec_count(sqlite3 *db, const char *user, long *n)
{
	sqlite3_stmt *st = NULL;
	enum err e;
	int rc;

	if ((e = prep(db, "SELECT count(*) FROM records WHERE user_id = ?", &st)))
		return e;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(st, 0);
	else
		e = store_err(db, rc, "count records");
	sqlite3_finalize(st);
	return e;
}

void rec_free(struct record *rec)
{
	if (rec) {
		free(rec->name);
		rec->name = NULL;
	}
}

void rec_list_free(struct record *list, int n)
{
	int i;

	for (i = 0; list && i < n; i++)
		rec_free(&list[i]);
	free(list);
}

/* The columns every record query selects, in this order. */
#define REC_COLS "r.id, r.image_name, r.created_on, r.width, r.height, " \
	"(SELECT bytes FROM images WHERE record_id = r.id AND kind = 'original'), " \
	"(SELECT bytes FROM images WHERE record_id = r.id AND kind = 'processed'), " \
	"(SELECT bytes FROM images WHERE record_id = r.id AND kind = 'thumb')"

/* Fills rec from a row of REC_COLS. */
static enum err row(sqlite3_stmt *st, struct record *rec)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *created = (const char *)sqlite3_column_text(st, 2);
	int k;

	memset(rec, 0, sizeof *rec);
	snprintf(rec->id, sizeof rec->id, "%s", id ? id : "");
	snprintf(rec->created_on, sizeof rec->created_on, "%s", created ? created : "");
	rec->width = sqlite3_column_int(st, 3);
	rec->height = sqlite3_column_int(st, 4);
	for (k = 0; k < REC__MAX; k++)
		rec->bytes[k] = (long)sqlite3_column_int64(st, 5 + k);
	return (rec->name = strdup(name ? name : "")) ? ERR_OK : ERR_NOMEM;
}

enum err rec_list(sqlite3 *db, const char *user, long limit, long offset, struct record **out, int *n)
{
	sqlite3_stmt *st = NULL;
	struct record *list = NULL;
	int cnt = 0, rc;
	enum err e;

	*out = NULL;
	*n = 0;
	if ((e = prep(db, "SELECT " REC_COLS " FROM records r WHERE r.user_id = ? "
	              "ORDER BY r.created_on DESC, r.rowid DESC LIMIT ? OFFSET ?", &st)))
		return e;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	if (limit > 0 && !(list = calloc((size_t)limit < 1024 ? (size_t)limit : 1024, sizeof *list))) {
		e = ERR_NOMEM;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt >= 1024 || cnt >= limit)
			break;
		if ((e = row(st, &list[cnt])))
			goto out;
		cnt++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = store_err(db, rc, "list records");
out:
	sqlite3_finalize(st);
	if (e) {
		rec_list_free(list, cnt);
		return e;
	}
	*out = list;
	*n = cnt;
	return ERR_OK;
}

enum err rec_get(sqlite3 *db, const char *user, const char *id, struct record *out)
{
	sqlite3_stmt *st = NULL;
	enum err e;
	int rc;

	memset(out, 0, sizeof *out);
	if ((e = prep(db, "SELECT " REC_COLS " FROM records r WHERE r.id = ? AND r.user_id = ?", &st)))
		return e;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = row(st, out);
	else
		e = rc == SQLITE_DONE ? ERR_NOT_FOUND : store_err(db, rc, "get record");
	sqlite3_finalize(st);
	return e;
}

/* Steps a statement that returns no rows. */
static enum err exec_step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? ERR_OK : store_err(db, rc, what);
}

enum err rec_insert(sqlite3 *db, const char *user, long limit, const struct record *rec,
                    const char *options_json, const struct rec_image img[REC__MAX])
{
	sqlite3_stmt *rs = NULL, *is = NULL;
	unsigned char h[SHA256_DIGEST_LENGTH];
	char etag[65];
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
	              "VALUES (?, ?, ?, ?, ?, ?, ?)", &rs)) ||
	    (e = prep(db, "INSERT INTO images (record_id, kind, type, bytes, width, height, etag, data) "
	              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &is)))
		goto out;
	sqlite3_bind_text(rs, 1, rec->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(rs, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(rs, 3, rec->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(rs, 4, rec->created_on, -1, SQLITE_STATIC);
	sqlite3_bind_int(rs, 5, rec->width);
	sqlite3_bind_int(rs, 6, rec->height);
	sqlite3_bind_text(rs, 7, options_json ? options_json : "{}", -1, SQLITE_STATIC);
	if ((e = exec_step(db, rs, "insert record")))
		goto out;
	for (k = 0; k < REC__MAX; k++) {
		SHA256(img[k].data, img[k].len, h);
		str_hex(h, 16, etag);
		sqlite3_reset(is);
		sqlite3_clear_bindings(is);
		sqlite3_bind_text(is, 1, rec->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 2, kinds[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 3, img[k].type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(is, 4, (sqlite3_int64)img[k].len);
		sqlite3_bind_int(is, 5, img[k].width);
		sqlite3_bind_int(is, 6, img[k].height);
		sqlite3_bind_text(is, 7, etag, -1, SQLITE_STATIC);
		sqlite3_bind_blob64(is, 8, img[k].data, (sqlite3_uint64)img[k].len, SQLITE_STATIC);
		if ((e = exec_step(db, is, "insert image")))
			goto out;
	}
	e = store_commit(db);
out:
	sqlite3_finalize(rs);
	sqlite3_finalize(is);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_rename(sqlite3 *db, const char *user, const char *id, const char *name)
{
	sqlite3_stmt *st = NULL;
	enum err e;

	if ((e = prep(db, "UPDATE records SET image_name = ? WHERE id = ? AND user_id = ?", &st)))
		return e;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	if (!(e = exec_step(db, st, "rename record")) && sqlite3_changes(db) == 0)
		e = ERR_NOT_FOUND;
	sqlite3_finalize(st);
	return e;
}

enum err rec_remove(sqlite3 *db, const char *user, const char *id)
{
	sqlite3_stmt *st = NULL, *im = NULL;
	enum err e;

	if ((e = store_begin(db, 1)))
		return e;
	if ((e = prep(db, "DELETE FROM images WHERE record_id = "
	              "(SELECT id FROM records WHERE id = ? AND user_id = ?)", &im)) ||
	    (e = prep(db, "DELETE FROM records WHERE id = ? AND user_id = ?", &st)))
		goto out;
	sqlite3_bind_text(im, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(im, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	if ((e = exec_step(db, im, "remove images")) || (e = exec_step(db, st, "remove record")))
		goto out;
	if (sqlite3_changes(db) == 0) {
		e = ERR_NOT_FOUND;
		goto out;
	}
	e = store_commit(db);
out:
	sqlite3_finalize(im);
	sqlite3_finalize(st);
	if (e)
		store_rollback(db);
	return e;
}

enum err rec_image(sqlite3 *db, const char *user, const char *id, enum rec_kind kind,
                   struct rec_image *img, void **data, char **name)
{
	sqlite3_stmt *st = NULL;
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
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kinds[kind], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		e = rc == SQLITE_DONE ? ERR_NOT_FOUND : store_err(db, rc, "read image");
		goto out;
	}
	snprintf(img->type_buf, sizeof img->type_buf, "%s", (const char *)sqlite3_column_text(st, 0));
	img->type = img->type_buf;
	snprintf(img->etag, sizeof img->etag, "%s", (const char *)sqlite3_column_text(st, 1));
	img->width = sqlite3_column_int(st, 2);
	img->height = sqlite3_column_int(st, 3);
	blob = sqlite3_column_blob(st, 4);
	img->len = (size_t)sqlite3_column_bytes(st, 4);
	if (!(*data = malloc(img->len ? img->len : 1)) ||
	    !(*name = strdup((const char *)sqlite3_column_text(st, 5)))) {
		free(*data);
		*data = NULL;
		e = ERR_NOMEM;
		goto out;
	}
	if (img->len)
		memcpy(*data, blob, img->len);
	img->data = *data;
out:
	sqlite3_finalize(st);
	return e;
}
