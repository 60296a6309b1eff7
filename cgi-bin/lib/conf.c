/* conf.c: the settings table, and the parsers of conf files, .env and environment. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"
#include "lim.h"
#include "log.h"
#include "str.h"

enum type { T_STR, T_INT, T_BOOL, T_ONEOF };

/* The values of the T_ONEOF settings, each list NULL-terminated. */
static const char *const models[] = { "isnet-medium", "isnet-small", "none", NULL };

/* Every setting: name, type, default, bounds for integers, values of a T_ONEOF.
 * conf/backdrop.conf documents each one; tests/unit/test_conf.c checks that the two
 * agree. */
static const struct def {
	const char *key;
	enum type type;
	const char *def;
	long min, max;
	const char *const *oneof;
} defs[] = {
	{ "data_dir",              T_STR,  "var", 0, 0, NULL },
	{ "database_url",          T_STR,  "", 0, 0, NULL },
	{ "secret",                T_STR,  "", 0, 0, NULL },
	{ "user_limit",            T_INT,  "10", 1, 1000000, NULL },
	{ "max_upload_bytes",      T_INT,  "26214400", 1024, 1L << 30, NULL },
	{ "max_width",             T_INT,  "16384", 1, 65535, NULL },
	{ "max_height",            T_INT,  "16384", 1, 65535, NULL },
	{ "max_pixels",            T_INT,  "50000000", 1, 1L << 31, NULL },
	{ "png_level",             T_INT,  "1", 0, 9, NULL },
	{ "jpeg_quality",          T_INT,  "90", 1, 100, NULL },
	{ "webp_quality",          T_INT,  "90", 1, 100, NULL },
	{ "thumb_size",            T_INT,  "256", 16, 1024, NULL },
	{ "workers",               T_INT,  "0", 0, 64, NULL },
	{ "light_workers",         T_INT,  "2", 1, 64, NULL },
	{ "worker_memory_mb",      T_INT,  "4096", 0, 1L << 20, NULL },
	{ "worker_cpu_seconds",    T_INT,  "120", 0, 86400, NULL },
	{ "low_priority_pixels",   T_INT,  "4000000", 0, 1L << 31, NULL },
	{ "busy_timeout_ms",       T_INT,  "5000", 0, 600000, NULL },
	{ "min_free_mb",           T_INT,  "100", 0, 1L << 30, NULL },
	{ "cookie_name",           T_STR,  "backdrop_uid", 0, 0, NULL },
	{ "cookie_max_age",        T_INT,  "31536000", 60, 1L << 31, NULL },
	{ "claim_seconds",         T_INT,  "600", 10, 86400, NULL },
	{ "cutout_provider",       T_STR,  "local", 0, 0, NULL },
	{ "cutout_model",          T_ONEOF, "isnet-medium", 0, 0, models },
	{ "cutout_threads",        T_INT,  "2", 1, 64, NULL },
	{ "model_dir",             T_STR,  "model", 0, 0, NULL },
	{ "onnxruntime_lib",       T_STR,  "", 0, 0, NULL },
	{ "provider_url",          T_STR,  "", 0, 0, NULL },
	{ "provider_key",          T_STR,  "", 0, 0, NULL },
	{ "provider_timeout",      T_INT,  "30", 1, 600, NULL },
	{ "provider_fallback",     T_BOOL, "true", 0, 0, NULL },
	{ "fetch_allow",           T_STR,  "", 0, 0, NULL },
	{ "fetch_timeout",         T_INT,  "20", 1, 600, NULL },
	{ "fetch_connect_timeout", T_INT,  "5", 1, 120, NULL },
	{ "fetch_max_redirects",   T_INT,  "5", 0, 20, NULL },
	{ "cors_origins",          T_STR,  "*", 0, 0, NULL },
	{ "source_url",            T_STR,  "/source.tar.gz", 0, 0, NULL },
	{ "key_quota_month",       T_INT,  "1000", 0, 1L << 31, NULL },
	{ "key_rate_minute",       T_INT,  "60", 0, 1000000, NULL },
	{ "webhook_attempts",      T_INT,  "5", 1, 50, NULL },
	{ "webhook_backoff",       T_INT,  "2", 1, 3600, NULL },
	{ "job_lease",             T_INT,  "300", 1, 86400, NULL },
	{ "retention_days",        T_INT,  "90", 0, 36500, NULL },
	{ "job_retention_days",    T_INT,  "7", 0, 36500, NULL },
};

#define NDEFS (sizeof defs / sizeof defs[0])

static char *vals[NDEFS];
static long ints[NDEFS];
static char file_used[512] = "(defaults)";
/* The secret read from <data_dir>/secret, once per process and settings (conf_secret). */
static unsigned char file_secret[CONF_SECRET_MAX];
static size_t file_secret_len;

static int find(const char *key)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (!strcmp(defs[i].key, key))
			return (int)i;
	return -1;
}

/* Validates and stores one value. Returns 1, or 0 with a reason in why. */
static int set(int i, const char *val, char *why, size_t n)
{
	const struct def *d = &defs[i];
	long v = 0;
	int b = 0;
	char *copy;

	if (strlen(val) > 4096)
		return snprintf(why, n, "value of '%s' is too long", d->key), 0;
	if (d->type == T_INT && !str_to_long(val, d->min, d->max, &v))
		return snprintf(why, n, "'%s' must be an integer from %ld to %ld, not '%s'",
		                d->key, d->min, d->max, val), 0;
	if (d->type == T_BOOL && !str_to_bool(val, &b))
		return snprintf(why, n, "'%s' must be true or false, not '%s'", d->key, val), 0;
	if (d->type == T_BOOL)
		v = b;
	if (d->type == T_ONEOF) {
		const char *const *o;
		char list[256] = "";
		for (o = d->oneof; *o && strcmp(*o, val); o++)
			;
		if (!*o) {
			for (o = d->oneof; *o; o++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				         o == d->oneof ? "" : ", ", *o);
			return snprintf(why, n, "'%s' must be one of %s, not '%s'", d->key, list, val), 0;
		}
	}
	if (!(copy = strdup(val)))
		return snprintf(why, n, "out of memory"), 0;
	free(vals[i]);
	vals[i] = copy;
	ints[i] = v;
	return 1;
}

/* Maps an environment-style name to a table index: BACKDROP_<KEY> and the original
 * app's names. Returns -1 for names that are not ours, -2 for BACKDROP_ names that
 * name no setting. */
static int env_index(const char *name)
{
	char key[64];
	size_t i;

	if (!strcmp(name, "USER_LIMIT"))
		return find("user_limit");
	if (!strcmp(name, "APP_SECRET_KEY"))
		return find("secret");
	if (strncmp(name, "BACKDROP_", 9) || !strcmp(name, "BACKDROP_CONF") ||
	    !strcmp(name, "BACKDROP_ENV_FILE"))
		return -1;
	for (i = 0; name[9 + i] && i < sizeof key - 1; i++)
		key[i] = (char)tolower((unsigned char)name[9 + i]);
	key[i] = '\0';
	return find(key) >= 0 ? find(key) : -2;
}

/* Reads a `key = value` file (conf) or a `KEY=value` file (.env, is_env). Blank lines
 * and lines starting with # are skipped; values may be wrapped in matching quotes. */
static int read_file(const char *path, int is_env, char *why, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[4200], *k, *v, *eq, sub[256];
	int lineno = 0, i, ok = 0;
	size_t len;

	if (!f)
		return snprintf(why, n, "%s: %s", path, strerror(errno)), 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			snprintf(why, n, "%s:%d: line too long", path, lineno);
			goto out;
		}
		k = str_trim(line);
		if (!*k || *k == '#')
			continue;
		if (is_env && !strncmp(k, "export ", 7))
			k = str_trim(k + 7);
		if (!(eq = strchr(k, '='))) {
			snprintf(why, n, "%s:%d: expected 'key = value'", path, lineno);
			goto out;
		}
		*eq = '\0';
		k = str_trim(k);
		v = str_trim(eq + 1);
		len = strlen(v);
		if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
			v[len - 1] = '\0';
			v++;
		}
		i = is_env ? env_index(k) : find(k);
		if (i == -1 && is_env)
			continue;
		if (i < 0) {
			snprintf(why, n, "%s:%d: unknown key '%.64s'", path, lineno, k);
			goto out;
		}
		if (!set(i, v, sub, sizeof sub)) {
			snprintf(why, n, "%s:%d: %s", path, lineno, sub);
			goto out;
		}
	}
	ok = 1;
out:
	fclose(f);
	return ok;
}

enum err conf_load(char *why, size_t n)
{
	extern char **environ;
	const char *path;
	char sub[256], name[128], **e;
	size_t i, klen;
	int idx;

	snprintf(why, n, "ok");
	file_secret_len = 0;
	for (i = 0; i < NDEFS; i++)
		if (!set((int)i, defs[i].def, why, n))
			return ERR_CONFIG;
	snprintf(file_used, sizeof file_used, "(defaults)");
	path = getenv("BACKDROP_CONF");
	if (path || access((path = "conf/backdrop.conf"), F_OK) == 0) {
		if (!read_file(path, 0, why, n))
			return ERR_CONFIG;
		snprintf(file_used, sizeof file_used, "%s", path);
	}
	path = getenv("BACKDROP_ENV_FILE");
	if (path || access((path = ".env"), F_OK) == 0)
		if (!read_file(path, 1, why, n))
			return ERR_CONFIG;
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || (klen = (size_t)(eq - *e)) >= sizeof name)
			continue;
		memcpy(name, *e, klen);
		name[klen] = '\0';
		if ((idx = env_index(name)) == -1)
			continue;
		if (idx == -2) {
			snprintf(why, n, "environment: unknown setting '%s'", name);
			return ERR_CONFIG;
		}
		if (!set(idx, eq + 1, sub, sizeof sub)) {
			snprintf(why, n, "environment %s: %s", name, sub);
			return ERR_CONFIG;
		}
	}
	if (!*conf_str("data_dir")) {
		snprintf(why, n, "'data_dir' must not be empty");
		return ERR_CONFIG;
	}
	return ERR_OK;
}

static int lookup(const char *key)
{
	int i = find(key);

	if (i < 0 || !vals[i])
		log_error("conf: no setting named '%s'", key);
	return i;
}

const char *conf_str(const char *key)
{
	int i = lookup(key);

	return i >= 0 && vals[i] ? vals[i] : "";
}

long conf_int(const char *key)
{
	int i = lookup(key);

	return i >= 0 ? ints[i] : 0;
}

int conf_bool(const char *key)
{
	return conf_int(key) != 0;
}

const char *conf_key(size_t i)
{
	return i < NDEFS ? defs[i].key : NULL;
}

const char *conf_file(void)
{
	return file_used;
}

enum err conf_secret(unsigned char *out, size_t *len)
{
	const char *s = conf_str("secret");
	char path[4096], hex[65];
	unsigned char raw[32];
	ssize_t r;
	int fd;

	if (*s) {
		*len = strlen(s) > CONF_SECRET_MAX ? CONF_SECRET_MAX : strlen(s);
		memcpy(out, s, *len);
		return ERR_OK;
	}
	/* Read once: every request that checks a cookie needs it. */
	if (file_secret_len) {
		memcpy(out, file_secret, file_secret_len);
		*len = file_secret_len;
		return ERR_OK;
	}
	if (snprintf(path, sizeof path, "%s/secret", conf_str("data_dir")) >= (int)sizeof path)
		return ERR_CONFIG;
	/* O_EXCL makes the first process to get here the one that writes the secret. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		if (!str_random(raw, sizeof raw)) {
			close(fd);
			unlink(path);
			return ERR_INTERNAL;
		}
		str_hex(raw, sizeof raw, hex);
		if (write(fd, hex, 64) != 64 || fsync(fd) || close(fd)) {
			unlink(path);
			return ERR_IO;
		}
	} else if (errno != EEXIST) {
		log_error("conf: cannot create %s: %s", path, strerror(errno));
		return ERR_STORE;
	}
	/* Read back (a concurrent creator may still be writing: retry briefly). */
	for (int tries = 0; tries < 50; tries++) {
		if ((fd = open(path, O_RDONLY)) < 0)
			return ERR_STORE;
		r = read(fd, hex, 64);
		close(fd);
		if (r == 64) {
			memcpy(out, hex, 64);
			*len = 64;
			memcpy(file_secret, hex, 64);
			file_secret_len = 64;
			return ERR_OK;
		}
		usleep(10000);
	}
	log_error("conf: %s is shorter than 64 bytes", path);
	return ERR_STORE;
}

void conf_dump(void)
{
	size_t i;

	printf("# settings as loaded from %s\n", file_used);
	/* The secret, and a database URL that may carry a password, are not shown. */
	for (i = 0; i < NDEFS; i++)
		printf("%s = %s\n", defs[i].key,
		       (!strcmp(defs[i].key, "secret") && *vals[i]) ||
		       (!strcmp(defs[i].key, "database_url") && (strchr(vals[i], '@') || strstr(vals[i], "password")))
		       ? "(set)" : vals[i]);
}
