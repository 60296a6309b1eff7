/* lim.c: each worker's own resource limits (setrlimit): address space and CPU time per
 * request, from conf worker_memory_mb and worker_cpu_seconds. */
#include <signal.h>
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
