/* uid.c: signed cookie user ids (HMAC-SHA256) and API key identification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/sha.h>
#include "conf.h"
#include "log.h"
#include "resp.h"
#include "retain.h"
#include "store.h"
#include "str.h"
#include "uid.h"

/* HMAC-SHA256 of the n bytes at msg under key into out. A worker signs and checks many
 * cookies under one secret: it fetches the algorithm and prepares the keyed state once
 * (again only when the key changes) and copies that state for each message. */
static int hmac256(const unsigned char *key, size_t klen, const unsigned char *msg, size_t n,
                   unsigned char out[32])
{
	static EVP_MAC *mac;
	static EVP_MAC_CTX *keyed;
	static unsigned char kept[CONF_SECRET_MAX];
	static size_t kept_len;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		                OSSL_PARAM_construct_end() };
	EVP_MAC_CTX *c;
	size_t len = 0;
	int ok;

	if (klen > sizeof kept)
		return 0;
	if (!keyed || klen != kept_len || memcmp(kept, key, klen)) {
		EVP_MAC_CTX_free(keyed);
		keyed = NULL;
		if ((!mac && !(mac = EVP_MAC_fetch(NULL, "HMAC", NULL))) || !(keyed = EVP_MAC_CTX_new(mac)) ||
		    !EVP_MAC_init(keyed, key, klen, params)) {
			EVP_MAC_CTX_free(keyed);
			keyed = NULL;
			return 0;
		}
		memcpy(kept, key, klen);
		kept_len = klen;
	}
	if (!(c = EVP_MAC_CTX_dup(keyed)))
		return 0;
	ok = EVP_MAC_update(c, msg, n) && EVP_MAC_final(c, out, &len, 32) && len == 32;
	EVP_MAC_CTX_free(c);
	return ok;
}

int uid_sign(const char *id, const unsigned char *key, size_t klen, char out[UID_COOKIE_BYTES])
{
	unsigned char mac[32];

	if (!str_is_id(id) || !hmac256(key, klen, (const unsigned char *)id, 32, mac))
		return 0;
	memcpy(out, id, 32);
	out[32] = '.';
	str_hex(mac, 32, out + 33);
	return 1;
}

int uid_verify(const char *value, const unsigned char *key, size_t klen, char id_out[33])
{
	char id[33], want[UID_COOKIE_BYTES];

	if (!value || strnlen(value, UID_COOKIE_BYTES) != UID_COOKIE_BYTES - 1 || value[32] != '.')
		return 0;
	memcpy(id, value, 32);
	id[32] = '\0';
	if (!uid_sign(id, key, klen, want) || !str_equal_ct(want, value, UID_COOKIE_BYTES - 1))
		return 0;
	memcpy(id_out, id, 33);
	return 1;
}

void uid_key_hash(const char *key, char out[65])
{
	unsigned char h[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)key, strlen(key), h);
	str_hex(h, sizeof h, out);
}

int uid_key_new(char out[UID_KEY_BYTES])
{
	unsigned char raw[32];

	if (!str_random(raw, sizeof raw))
		return 0;
	memcpy(out, UID_KEY_PREFIX, 4);
	str_hex(raw, sizeof raw, out + 4);
	return 1;
}

/* Looks up an API key; ERR_AUTH when unknown or revoked. */
static enum err ident_key(struct req *r, struct db *db, const char *key, struct ident *out)
{
	static const char sql[] =
		"SELECT id, revoked_on IS NOT NULL, quota_month, rate_minute FROM api_keys WHERE key_hash = ?";
	struct db_stmt *st = NULL;
	char hash[65];
	enum err e = ERR_OK;
	int rc;

	if (strlen(key) != UID_KEY_BYTES - 1 || strncmp(key, UID_KEY_PREFIX, 4))
		return req_fail(r, ERR_AUTH, "the API key is malformed");
	uid_key_hash(key, hash);
	if ((rc = db_prepare(db, sql, &st)) != 0) {
		e = db_err(db, "api key lookup");
		goto out;
	}
	db_bind_text(st, 1, hash, -1);
	rc = db_step(st);
	if (rc == DB_DONE || (rc == DB_ROW && db_col_int(st, 1))) {
		e = req_fail(r, ERR_AUTH, rc == DB_DONE ? "unknown API key" : "the API key was revoked");
		goto out;
	}
	if (rc != DB_ROW) {
		e = db_err(db, "api key lookup");
		goto out;
	}
	snprintf(out->key_id, sizeof out->key_id, "%s", db_col_text(st, 0));
	snprintf(out->user_id, sizeof out->user_id, "key:%s", out->key_id);
	out->is_key = 1;
	out->quota_month = db_col_null(st, 2) ? -1 : db_col_int(st, 2);
	out->rate_minute = db_col_null(st, 3) ? -1 : db_col_int(st, 3);
out:
	db_finalize(st);
	return e;
}

/* ident_get() and ident_find(): issue says whether a caller without a valid cookie gets
 * a fresh id (and its Set-Cookie) or none (user_id ""). */
static enum err ident(struct req *r, struct db *db, struct ident *out, int issue)
{
	unsigned char secret[CONF_SECRET_MAX];
	char value[UID_COOKIE_BYTES + 1], id[33], signed_id[UID_COOKIE_BYTES];
	const char *key = req_api_key(r), *name = conf_str("cookie_name"), *pos = NULL;
	size_t sl = 0;
	enum err e;

	memset(out, 0, sizeof *out);
	out->quota_month = out->rate_minute = -1;
	if (!db && (e = store_db(&db)))
		return e;
	if (key)
		return ident_key(r, db, key, out);
	if ((e = conf_secret(secret, &sl)))
		return e;
	/* The first valid one among every cookie of that name: a stale or foreign duplicate
	 * (another path's, a subdomain's) sent first must not cost the visitor its records. */
	while (req_cookie_next(r, name, &pos, value, sizeof value))
		if (uid_verify(value, secret, sl, id)) {
			memcpy(out->user_id, id, 33);
			/* Last seen, for retention_days; a failure (a full disk) costs no request. */
			if ((e = retain_touch(db, id)))
				log_warn("uid: cannot note the identity as seen: %s", err_str(e));
			return ERR_OK;
		}
	if (!issue)
		return ERR_OK;
	if (!str_random_id(id) || !uid_sign(id, secret, sl, signed_id))
		return ERR_INTERNAL;
	memcpy(out->user_id, id, 33);
	out->is_new = 1;
	return resp_header(r, "Set-Cookie", "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
	                   name, signed_id, conf_int("cookie_max_age"), r->https ? "; Secure" : "");
}

enum err ident_get(struct req *r, struct db *db, struct ident *out)
{
	return ident(r, db, out, 1);
}

enum err ident_find(struct req *r, struct db *db, struct ident *out)
{
	return ident(r, db, out, 0);
}
