/* test_conf.c: the settings table, conf file, .env, environment and their errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"
#include "tap.h"

static char dir[512];

static const char *write_file(const char *name, const char *text)
{
	static char paths[4][600];
	static int k;
	char *path = paths[k++ % 4];
	FILE *f;

	snprintf(path, 600, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static enum err load_with(const char *conf, const char *env, char *why, size_t n)
{
	setenv("BACKDROP_CONF", conf, 1);
	setenv("BACKDROP_ENV_FILE", env, 1);
	return conf_load(why, n);
}

int main(void)
{
	char why[512], line[512], key[128], val[256];
	size_t i, nkeys = 0, nfile = 0;
	FILE *f;

	/* Under the suite's temporary folder (inside the build tree) when run by it. */
	snprintf(dir, sizeof dir, "%s/conf.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	unsetenv("USER_LIMIT");
	unsetenv("APP_SECRET_KEY");
	unsetenv("BACKDROP_USER_LIMIT");
	unsetenv("BACKDROP_DATA_DIR");
	unsetenv("BACKDROP_DATABASE_URL");   /* STORE=postgres gives every test a database */
	unsetenv("BACKDROP_CUTOUT_MODEL");   /* tests/run.sh sets it for the whole suite */

	/* conf/backdrop.conf lists every setting with exactly its built-in default. */
	is_int(load_with("/dev/null", "/dev/null", why, sizeof why), ERR_OK, "defaults load");
	f = fopen("conf/backdrop.conf", "r");
	ok(f != NULL, "conf/backdrop.conf exists");
	while (f && fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		val[0] = '\0';
		if (sscanf(line, "%127s = %255[^\n]", key, val) >= 1) {
			nfile++;
			if (strcmp(conf_str(key), val))
				ok(0, "conf file default of %s is '%s', table says '%s'", key, val, conf_str(key));
		}
	}
	if (f)
		fclose(f);
	for (i = 0; conf_key(i); i++)
		nkeys++;
	is_int(nfile, nkeys, "conf file has one line per setting");
	is_int(conf_int("user_limit"), 10, "user_limit defaults to 10");
	is_str(conf_str("data_dir"), "var", "data_dir defaults to var");
	ok(conf_bool("provider_fallback"), "booleans parse");

	/* Errors name the file, the line and the key. */
	ok(load_with(write_file("a.conf", "# c\nuser_limit = 3\nbogus = 1\n"), "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "unknown key refuses to load");
	ok(strstr(why, ":3:") && strstr(why, "bogus"), "reason names line 3 and the key: %s", why);
	ok(load_with(write_file("b.conf", "user_limit = 12abc\n"), "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "non-numeric integer refuses to load");
	ok(strstr(why, ":1:") && strstr(why, "user_limit"), "reason names the key: %s", why);
	ok(load_with(write_file("c.conf", "user_limit = 0\n"), "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "integer below its minimum refuses to load");
	ok(load_with(write_file("d.conf", "provider_fallback = maybe\n"), "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "bad boolean refuses to load");
	ok(load_with(write_file("e.conf", "just words\n"), "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "a line without '=' refuses to load");
	ok(load_with("/nonexistent/backdrop.conf", "/dev/null", why, sizeof why) == ERR_CONFIG,
	   "a named conf file that is missing refuses to load");

	/* Precedence: file < .env < environment; the original names are accepted. */
	is_int(load_with(write_file("f.conf", "user_limit = 3\ncookie_name = \"quoted\"\n"), "/dev/null", why, sizeof why),
	       ERR_OK, "a valid file loads");
	is_int(conf_int("user_limit"), 3, "file overrides default");
	is_str(conf_str("cookie_name"), "quoted", "quotes are stripped");
	is_int(load_with(write_file("g.conf", "user_limit = 3\n"),
	                 write_file("g.env", "# env\nexport USER_LIMIT=4\nOTHER_APP_SETTING=x\nAPP_SECRET_KEY='s3cret'\n"),
	                 why, sizeof why), ERR_OK, ".env loads and ignores foreign names");
	is_int(conf_int("user_limit"), 4, ".env USER_LIMIT overrides the file");
	is_str(conf_str("secret"), "s3cret", ".env APP_SECRET_KEY sets the secret");
	setenv("BACKDROP_USER_LIMIT", "5", 1);
	is_int(load_with(write_file("g.conf", "user_limit = 3\n"), write_file("g.env", "USER_LIMIT=4\n"), why, sizeof why),
	       ERR_OK, "environment loads");
	is_int(conf_int("user_limit"), 5, "environment overrides .env");
	setenv("BACKDROP_USER_LIMIT", "x", 1);
	ok(load_with("/dev/null", "/dev/null", why, sizeof why) == ERR_CONFIG && strstr(why, "BACKDROP_USER_LIMIT"),
	   "a bad environment value refuses to load, naming it");
	unsetenv("BACKDROP_USER_LIMIT");
	setenv("BACKDROP_NO_SUCH_SETTING", "1", 1);
	ok(load_with("/dev/null", "/dev/null", why, sizeof why) == ERR_CONFIG && strstr(why, "BACKDROP_NO_SUCH_SETTING"),
	   "an unknown BACKDROP_ variable refuses to load, naming it");
	unsetenv("BACKDROP_NO_SUCH_SETTING");

	/* The generated secret: 64 hex digits, mode 0600, stable across calls. */
	{
		unsigned char s1[64], s2[64];
		size_t l1 = 0, l2 = 0;
		char data[600], path[700];
		struct stat st;

		snprintf(data, sizeof data, "%s/data", dir);
		mkdir(data, 0700);
		setenv("BACKDROP_DATA_DIR", data, 1);
		load_with("/dev/null", "/dev/null", why, sizeof why);
		is_int(conf_secret(s1, &l1), ERR_OK, "secret is generated");
		is_int(conf_secret(s2, &l2), ERR_OK, "secret is read back");
		ok(l1 == 64 && l1 == l2 && !memcmp(s1, s2, l1), "the same secret both times");
		snprintf(path, sizeof path, "%s/secret", data);
		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "secret file has mode 0600");
		unsetenv("BACKDROP_DATA_DIR");
	unsetenv("BACKDROP_DATABASE_URL");   /* STORE=postgres gives every test a database */
	}
	tap_done();
}
