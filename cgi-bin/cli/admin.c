/* admin.c: `backdrop init`, `backdrop conf` and `backdrop version`. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "conf.h"
#include "store.h"

int cli_load_conf(void)
{
	char why[512];

	if (conf_load(why, sizeof why)) {
		fprintf(stderr, "backdrop: invalid configuration: %s\n", why);
		return 0;
	}
	return 1;
}

/* backdrop init: validates the config, creates the data folder, applies the migrations
 * and makes sure the secret exists. Prints the data folder on success (the launcher
 * reads it). */
int cmd_init(int argc, char **argv)
{
	char why[512], path[4096];
	unsigned char secret[CONF_SECRET_MAX];
	size_t len;
	struct db *db = NULL;
	enum err e;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: backdrop init\n  Checks the configuration, creates the data folder, "
		       "applies the migrations and creates the secret if none is configured.\n");
		return 0;
	}
	if (!cli_load_conf())
		return 1;
	if ((e = store_data_dir_ready(why, sizeof why))) {
		fprintf(stderr, "backdrop: %s\n", why);
		return 1;
	}
	if ((e = store_open(1, &db))) {
		fprintf(stderr, "backdrop: cannot open the database %s: %s\n",
		        store_path(path, sizeof path) ? "on PostgreSQL (database_url)" : path, err_str(e));
		return 1;
	}
	db_close(db);
	if ((e = conf_secret(secret, &len))) {
		fprintf(stderr, "backdrop: cannot read or create the secret in %s: %s\n",
		        conf_str("data_dir"), err_str(e));
		return 1;
	}
	printf("%s\n", conf_str("data_dir"));
	return 0;
}

/* backdrop conf: prints every setting as loaded. */
int cmd_conf(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!cli_load_conf())
		return 1;
	conf_dump();
	return 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("backdrop %s\n", BACKDROP_VERSION);
	return 0;
}
