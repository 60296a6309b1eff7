/* backdrop.c: the command line tool. Dispatches to the subcommands in cli/. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{ "init",    cmd_init,    "check the configuration, create the data folder, apply migrations" },
	{ "conf",    cmd_conf,    "print every setting as loaded" },
	{ "version", cmd_version, "print the version" },
	{ "cutout",  cmd_cutout,  "remove the background of image files and folders" },
	{ "score",   cmd_score,   "score cutouts against ground-truth masks (IoU, MAE)" },
	{ "info",    cmd_info,    "print format, size and orientation of image files" },
	{ "filter",  cmd_filter,  "apply a color filter to image files" },
	{ "change",  cmd_change,  "composite image files onto a new background" },
	{ "bench",   cmd_bench,   "time the image engine's stages (used by make bench)" },
	{ "key",     cmd_key,     "manage API keys: add NAME, list, revoke ID" },
	{ "worker",  cmd_worker,  "render queued jobs and deliver their webhooks (--once: for cron)" },
	{ "backup",  cmd_backup,  "copy the database while serving (FILE [--with-secret])" },
	{ "restore", cmd_restore, "check a backup and restore it (stop the service first)" },
	{ "migrate", cmd_migrate, "apply the schema migrations the database lacks (--dry-run)" },
	{ "migrate-store", cmd_migrate_store, "copy the whole store into another, empty one (--to URL)" },
	{ "purge",   cmd_purge,   "delete what the retention settings say is kept too long" },
	{ "stats",   cmd_stats,   "records, users, keys, bytes by kind, jobs by state" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: backdrop COMMAND [OPTIONS] [FILES]\n\ncommands:\n");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n`backdrop COMMAND --help` describes each command's options.\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	size_t i;

	log_init("backdrop");
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "backdrop: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
