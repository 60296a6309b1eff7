/* conf.h: settings from conf/backdrop.conf, a .env file and the environment.
 *
 * Precedence, lowest first: built-in defaults (the table in conf.c, which
 * conf/backdrop.conf mirrors line for line), the conf file, the .env file, the process
 * environment. The conf file is $BACKDROP_CONF, else conf/backdrop.conf under the
 * working directory if it exists. The .env file is $BACKDROP_ENV_FILE, else .env in the
 * working directory if it exists. In .env and the environment a setting is spelled
 * BACKDROP_<KEY> (e.g. BACKDROP_USER_LIMIT); the original app's USER_LIMIT and
 * APP_SECRET_KEY are accepted too. Relative paths are taken from the working directory.
 * Settings are process-wide and read-only after conf_load().
 */
#ifndef BACKDROP_CONF_H
#define BACKDROP_CONF_H

#include <stddef.h>
#include "err.h"

/* Loads every setting. On failure returns ERR_CONFIG and writes a reason naming the
 * file, line and key into why[n]; the caller must refuse to start. May be called again
 * (tests do); each call starts from the defaults. */
enum err conf_load(char *why, size_t n);

/* The value of a setting. key must be a name from the table (a misspelt key is a
 * programming error: it logs and returns "" or 0). Strings are never NULL. */
const char *conf_str(const char *key);
long conf_int(const char *key);
int conf_bool(const char *key);

/* The name of setting i (0-based, in table order), or NULL past the last one. */
const char *conf_key(size_t i);

/* The conf file that was read, or "(defaults)". */
const char *conf_file(void);

/* The longest server secret, in bytes: conf_secret's out holds this many. */
#define CONF_SECRET_MAX 64
/* Writes the server secret (at least 32 bytes) into out[*len] (at most CONF_SECRET_MAX). Uses the
 * `secret` setting when set; otherwise reads <data_dir>/secret, creating it with 32
 * random bytes (hex, mode 0600) on first use, race-free between processes. A process
 * reads that file once (until conf_load): a replaced secret takes a restart. */
enum err conf_secret(unsigned char *out, size_t *len);

/* Prints every setting as `key = value` (the secret masked) to stdout: `backdrop conf`. */
void conf_dump(void);

#endif
