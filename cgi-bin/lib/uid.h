/* uid.h: who is calling: the signed cookie user id, or an API key (X-Api-Key). */
#ifndef BACKDROP_UID_H
#define BACKDROP_UID_H

#include <stddef.h>
#include "db.h"
#include "err.h"
#include "req.h"

/* A cookie value: 32 hex id, '.', 64 hex HMAC-SHA256, NUL. */
#define UID_COOKIE_BYTES (32 + 1 + 64 + 1)
/* API keys: "bdk_" and 64 hex digits (256 random bits). */
#define UID_KEY_PREFIX "bdk_"
#define UID_KEY_BYTES (4 + 64 + 1)

/* The caller of a request, as ident_get() found it. */
struct ident {
	char user_id[40];       /* records.user_id: 32 hex (cookie) or "key:" + key id */
	int is_key;             /* 1 when identified by X-Api-Key */
	char key_id[33];        /* the key's id when is_key, else "" */
	long quota_month;       /* the key's override, or -1 for the conf default */
	long rate_minute;       /* the key's override, or -1 for the conf default */
	int is_new;             /* 1 when a fresh cookie id was issued by this request */
};

/*
 * Identifies the caller of r; call it before composing the response.
 *
 * - With an X-Api-Key header (or Authorization: Bearer, see req_api_key()): the key is
 *   hashed (SHA-256) and looked up in api_keys.
 *   A known, unrevoked key gives user_id "key:" + its id, is_key 1 and its overrides.
 *   An unknown, malformed or revoked key is ERR_AUTH (403 auth_failed) with a detail
 *   set on r; it never falls back to the cookie.
 * - Otherwise the first valid cookie named by conf cookie_name (of any number sent): a
 *   signed id ("ID.MAC", the MAC an HMAC-SHA256 of ID under conf_secret) gives that id. A missing, malformed or
 *   tampered cookie gives a fresh random id, and a Set-Cookie header (HttpOnly,
 *   SameSite=Lax, Path=/, Max-Age=cookie_max_age, Secure when r->https) is added to r's
 *   response; is_new is then 1. The header survives redirects and JSON answers but not
 *   resp_error() (an error response drops headers), which is harmless: the next request
 *   issues another id.
 *
 * db may be NULL, then store_db() is used (the key lookup needs it; a cookie does not,
 * but the secret lives in the data folder, so the store is made ready either way).
 * Returns ERR_OK, ERR_AUTH, ERR_STORE / ERR_STORE_BUSY, ERR_INTERNAL or ERR_NOMEM.
 */
enum err ident_get(struct req *r, struct db *db, struct ident *out);
/* As ident_get(), but a caller without a valid cookie gets no id: user_id is "" and no
 * Set-Cookie is added. For a request that could not have carried the SameSite=Lax
 * cookie (a form posted from another site), where issuing an id would replace the
 * visitor's own. */
enum err ident_find(struct req *r, struct db *db, struct ident *out);

/* Signs id (32 hex digits) with key[klen] into out as "ID.MAC" (hex). Returns 1 or 0. */
int uid_sign(const char *id, const unsigned char *key, size_t klen, char out[UID_COOKIE_BYTES]);
/* 1 when value is exactly "ID.MAC" with a well-formed id and its correct MAC under key
 * (compared in constant time); then id_out gets the id. Else 0. Never reads past the
 * NUL of value. */
int uid_verify(const char *value, const unsigned char *key, size_t klen, char id_out[33]);
/* The hex SHA-256 of an API key (what api_keys.key_hash holds) into out[65]. */
void uid_key_hash(const char *key, char out[65]);
/* A new API key "bdk_" + 64 hex into out. Returns 1, or 0 without randomness. */
int uid_key_new(char out[UID_KEY_BYTES]);

#endif
