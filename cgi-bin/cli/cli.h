/* cli.h: the subcommands of the `backdrop` command line tool. Each lives in its own
 * file under cgi-bin/cli/ and is listed in the table in cgi-bin/backdrop.c. */
#ifndef BACKDROP_CLI_H
#define BACKDROP_CLI_H

/* Loads the settings (cli/admin.c); prints why and returns 0 when they are invalid. */
int cli_load_conf(void);

/* Each returns the process exit status: 0 success, 1 some input failed, 2 usage. */
int cmd_init(int argc, char **argv);     /* cli/admin.c: check conf, data folder, migrate */
int cmd_conf(int argc, char **argv);     /* cli/admin.c: print the settings */
int cmd_version(int argc, char **argv);  /* cli/admin.c */
int cmd_cutout(int argc, char **argv);   /* cli/cutout.c: batch background removal */
int cmd_score(int argc, char **argv);    /* cli/score.c: cutout quality against masks */
int cmd_info(int argc, char **argv);     /* cli/image.c: probe image files */
int cmd_filter(int argc, char **argv);   /* cli/image.c: color filters */
int cmd_change(int argc, char **argv);   /* cli/image.c: composite onto a new background */
int cmd_bench(int argc, char **argv);    /* cli/image.c: time the engine's stages */
int cmd_key(int argc, char **argv);      /* cli/key.c: API keys add, list, revoke */
int cmd_worker(int argc, char **argv);   /* cli/worker.c: render jobs, deliver webhooks */
int cmd_backup(int argc, char **argv);   /* cli/ops.c: online backup of the database */
int cmd_restore(int argc, char **argv);  /* cli/ops.c: checked restore of a backup */
int cmd_migrate(int argc, char **argv);  /* cli/ops.c: apply or list pending migrations */
int cmd_migrate_store(int argc, char **argv); /* cli/move.c: copy the store to another */
int cmd_purge(int argc, char **argv);    /* cli/ops.c: retention of records and jobs */
int cmd_stats(int argc, char **argv);    /* cli/ops.c: what the store holds */

#endif
