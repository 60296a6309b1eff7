/* worker.c: `backdrop worker [--once]`: renders queued Background Change jobs and
 * delivers them to their callbacks (job.h). Without --once it polls until SIGTERM, and
 * purges what is kept too long once an hour (retain.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "conf.h"
#include "fetch.h"
#include "job.h"
#include "lim.h"
#include "log.h"
#include "retain.h"
#include "store.h"

static volatile sig_atomic_t stopping;

/* Seconds between the purges a running worker makes (see retain.h). */
#define PURGE_EVERY 3600

/* Deletes what the retention settings say is kept too long, at most every PURGE_EVERY
 * seconds; `backdrop purge` does the same on demand or from cron. */
static void purge_now_and_then(struct db *db)
{
	static time_t last;
	struct retain_counts n = { 0, 0, 0 };
	time_t now = time(NULL);
	enum err e;

	if (last && now - last < PURGE_EVERY)
		return;
	last = now;
	if ((e = retain_purge(db, conf_int("retention_days"), conf_int("job_retention_days"), &n)))
		log_warn("purge: %s", err_str(e));
	else if (n.records || n.jobs)
		log_info("purge: %ld records of %ld identities, %ld jobs", n.records, n.identities, n.jobs);
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

int cmd_worker(int argc, char **argv)
{
	struct db *db;
	char why[512];
	int once = 0, did, i, n = 0;
	enum err e;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else {
			fprintf(stderr, "usage: backdrop worker [--once]\n"
			        "  renders queued jobs and delivers their webhooks; --once handles\n"
			        "  every job that is ready now and exits (for cron)\n");
			return 2;
		}
	}
	log_init("worker");
	if (conf_load(why, sizeof why)) {
		log_error("refusing to start: %s", why);
		return 1;
	}
	fetch_global_init();
	/* The image workers' limits, per job: a render past them ends this worker, and
	 * the job, begun again by the next, is given up after a few such tries. */
	lim_worker_init();
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	signal(SIGPIPE, SIG_IGN);
	while (!stopping) {
		if ((e = store_db(&db))) {
			log_error("the store is unusable: %s", err_str(e));
			if (once)
				return 1;
			sleep(2);
			continue;
		}
		if (!once)
			purge_now_and_then(db);
		lim_request_begin();
		e = job_run_one(db, &did);
		lim_request_end();
		if (e) {
			log_warn("job run: %s", err_str(e));
			if (once)
				return 1;
			sleep(1);
			continue;
		}
		n += did;
		if (!did) {
			if (once)
				break;
			sleep(1);
		}
	}
	store_close();
	if (once)
		printf("%d job%s handled\n", n, n == 1 ? "" : "s");
	return 0;
}
