/* lim.c: each worker's own resource limits (setrlimit): address space and CPU time per
 * request, from conf worker_memory_mb and worker_cpu_seconds; and the lower CPU
 * priority of large requests (low_priority_pixels). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>
#include "conf.h"
#include "lim.h"
#include "log.h"

/* AddressSanitizer reserves terabytes of address space for its shadow memory: no
 * address-space limit can hold under it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* SIGXCPU: the request in progress used up its CPU time. Nothing can be answered from
 * here (the worker may be inside malloc or a library), so the worker says why and ends;
 * nginx answers 503 for this request alone and the supervisor starts a new worker.
 * Only async-signal-safe calls. */
static void on_xcpu(int sig)
{
	static const char msg[] = "worker: a request used up worker_cpu_seconds of CPU time; "
	                          "this worker ends and is replaced\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		_exit(1);
	_exit(1);
}

int lim_worker_init(void)
{
	long mb = conf_int("worker_memory_mb");
	struct rlimit rl;
	struct sigaction sa;

	if (conf_int("worker_cpu_seconds") > 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_xcpu;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGXCPU, &sa, NULL) != 0) {
			log_error("limits: cannot handle SIGXCPU");
			return 0;
		}
	}
	if (mb <= 0)
		return 1;
	if (UNDER_ASAN) {
		log_info("limits: worker_memory_mb is not applied under AddressSanitizer");
		return 1;
	}
	if (getrlimit(RLIMIT_AS, &rl) != 0)
		return 0;
	rl.rlim_cur = (rlim_t)mb << 20;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_AS, &rl) != 0) {
		log_error("limits: cannot set the address-space limit of %ld MiB", mb);
		return 0;
	}
	return 1;
}

void lim_request_begin(void)
{
	static rlim_t set;   /* the soft limit this process set last, 0 for none */
	long secs = conf_int("worker_cpu_seconds");
	struct rusage ru;
	struct rlimit rl;
	rlim_t want;

	if (secs <= 0 || getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	/* RLIMIT_CPU counts the whole process's time: the request gets what it has used
	 * so far plus its allowance (rounded up to whole seconds by the kernel). Light
	 * requests use far less than a second each: the limit changes only once the
	 * process's time reaches its next second. */
	want = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1 + (rlim_t)secs;
	if (want == set || getrlimit(RLIMIT_CPU, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_CPU, &rl) != 0)
		log_warn("limits: cannot set the CPU time limit");
	else
		set = want;
}

/* ---- large requests yield ---- */

#define LOW_NICE  19        /* the lowest priority: a weight of 15 against 1024 */
#define CAP_NICE  23        /* CAP_SYS_NICE's bit in /proc/self/status's CapEff */

static struct {
	int may;            /* 1: this worker can raise its priority again, so may lower it;
	                       0: it cannot; -1: not asked yet */
	int lowered;
} pri = { -1, 0 };

/* 1 when a priority lowered now can be raised again: RLIMIT_NICE allows nice 0, or the
 * process has CAP_SYS_NICE (root, unless a container took it away). */
static int may_raise(void)
{
	struct rlimit rl;
	char line[256];
	unsigned long long caps;
	FILE *f;
	int ok = 0;

	if (getrlimit(RLIMIT_NICE, &rl) == 0 && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 20))
		return 1;
	if (!(f = fopen("/proc/self/status", "r")))
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			ok = (caps >> CAP_NICE) & 1;
			break;
		}
	fclose(f);
	return ok;
}

/* Every thread of the process at nice (threads made later inherit it from the thread
 * that makes them), and the session's scheduling group when the process leads its own
 * session (with autogroups, the kernel shares the CPU between sessions first: a nice
 * value counts only against the same session's threads). 0, or -1 when one failed. */
static int renice(int nice)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	FILE *f;
	int bad = 0;

	if (!d)
		return setpriority(PRIO_PROCESS, 0, nice) ? -1 : 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && setpriority(PRIO_PROCESS, (id_t)atol(e->d_name), nice) &&
		    errno != ESRCH)
			bad = -1;
	closedir(d);
	if (getsid(0) == getpid() && (f = fopen("/proc/self/autogroup", "w"))) {
		fprintf(f, "%d", nice);
		if (fclose(f))
			bad = -1;
	}
	return bad;
}

void lim_worker_session(void)
{
	/* A worker forked by its supervisor leads no process group, so this succeeds;
	 * a process that leads one (started by hand) keeps the session it has. */
	(void)setsid();
}

void lim_pixels(long pixels)
{
	long cap = conf_int("low_priority_pixels");

	if (pri.lowered || cap <= 0 || pixels <= cap)
		return;
	if (pri.may < 0)
		pri.may = may_raise();
	if (!pri.may)
		return;
	pri.lowered = 1;      /* even when only some threads could be lowered */
	if (renice(LOW_NICE))
		log_warn("limits: cannot lower the priority of a large request");
}

int lim_lowered(void)
{
	return pri.lowered;
}

void lim_request_end(void)
{
	if (!pri.lowered)
		return;
	pri.lowered = 0;
	if (renice(0)) {
		/* Not expected once may_raise() said yes (a capability dropped meanwhile?):
		 * said once, and no request is lowered again by this worker. */
		log_error("limits: cannot give this worker its priority back");
		pri.may = 0;
	}
}
