/* health.c: GET /health, the liveness and readiness check. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "conf.h"
#include "log.h"
#include "provider.h"
#include "req.h"
#include "resp.h"
#include "store.h"

/* The model check: the configured model's name when its file is readable and the
 * runtime opens (nothing is loaded: that costs seconds and a gigabyte), "none" when
 * cutout_model is none, else "unavailable", the reason logged once per process. A
 * worker answers from its last look for up to a second (opening the model file is a
 * good part of a check's cost, and what it finds only makes the answer Degraded). */
static const char *model_check(void)
{
	static int said;
	static const char *last;
	static struct timespec at;
	struct timespec now;
	char why[256];
	const char *model;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (last && now.tv_sec - at.tv_sec < 1)
		return last;
	at = now;
	provider_net_configure(NULL);
	model = img_net_model();
	if (!strcmp(model, "none") || img_net_check(why, sizeof why))
		return last = model;
	if (!said) {
		said = 1;
		log_warn("health: the cutout network is unavailable (%s); cutouts use the classical engine",
		         why);
	}
	return last = "unavailable";
}

/* The workers check. cgi-bin/launch.sh (make run) starts each FastCGI program as a
 * multiwatch supervisor that forks the workers and replaces any that dies, and lists
 * them in <data_dir>/run/programs, one line "NAME SUPERVISOR_PID SOCKET" each. A
 * program has a live worker when its supervisor runs and has a child that is not a
 * zombie. Why /proc and not the socket: the supervisor holds the listening socket, so a
 * connect() succeeds with every worker dead (the connection waits in the queue), and a
 * FastCGI request would wait behind busy workers (a long cutout) and take a worker from
 * real traffic. Reading /proc costs a few hundred microseconds for all the programs,
 * so a worker holds what it found (see struct held) and reads /proc again only where
 * that changed. Never blocks. */
#define PROGRAMS_FILE "run/programs"
#define PROGRAMS_BYTES 8192   /* the whole file; launch.sh writes a few hundred bytes */
#define PROGRAM_NAME 32       /* longest program name */

/* Reads up to n - 1 bytes of path into buf and NUL-terminates them. Returns the byte
 * count, or -1 with errno set when the file cannot be opened or read. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	ssize_t got, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)len < n - 1 && (got = read(fd, buf + len, n - 1 - (size_t)len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			len = -1;
			goto out;
		}
		len += got;
	}
	buf[len] = '\0';
out:
	close(fd);
	return len;
}

/* Parses a process id at s (decimal digits only, 1..INT_MAX) and sets *end past it.
 * Returns 1 on success, else 0. */
static int parse_pid(const char *s, const char **end, long *pid)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	*pid = strtol(s, &e, 10);
	if (errno || *pid < 1 || *pid > INT_MAX)
		return 0;
	*end = e;
	return 1;
}

/* The state letter of a /proc/PID/stat line and its parent pid (after the command
 * name, which may hold spaces and parentheses; 0 for a process without a parent).
 * Returns 1 when both parse, else 0. */
static int stat_fields(const char *line, char *state, long *ppid)
{
	const char *p = strrchr(line, ')'), *end;

	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return 0;
	*state = p[2];
	if (p[4] == '0' && p[5] == ' ') {
		*ppid = 0;
		return 1;
	}
	return parse_pid(p + 4, &end, ppid);
}

/* Returns 1 when process pid exists and is not a zombie (dead, not yet reaped), else 0;
 * sets *ppid to its parent. */
static int alive(long pid, long *ppid)
{
	char path[64], line[512], state;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (slurp(path, line, sizeof line) <= 0 || !stat_fields(line, &state, ppid))
		return 0;
	return !strchr("ZXx", state);
}

/* Returns 1 when process pid runs a command line with an argument whose last path
 * component is name (the supervisor of that program, not a process that took its pid
 * after it died), else 0. */
static int supervises(long pid, const char *name)
{
	char path[64], cmd[4096], *a, *base;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if ((n = slurp(path, cmd, sizeof cmd)) <= 0)
		return 0;
	for (a = cmd; a < cmd + n; a += strlen(a) + 1) {
		base = strrchr(a, '/');
		if (!strcmp(base ? base + 1 : a, name))
			return 1;
	}
	return 0;
}

/* Returns the pid of a live (not zombie) child of process pid, or 0 when it has none.
 * Reads /proc/PID/task/PID/children (multiwatch runs one thread); on kernels without
 * it, looks through /proc for a process whose parent is pid. */
static long live_child(long pid)
{
	char path[80], list[4096];
	const char *p, *end;
	long kid, ppid, found = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
	if (slurp(path, list, sizeof list) >= 0) {
		/* "PID PID ... ": a number cut off at the end of the buffer is not used. */
		for (p = list; parse_pid(p, &end, &kid) && *end == ' '; p = end + 1)
			if (alive(kid, &ppid) && ppid == pid)
				return kid;
		return 0;
	}
	if (!(d = opendir("/proc")))
		return 0;
	while (!found && (de = readdir(d)))
		if (parse_pid(de->d_name, &p, &kid) && !*p && alive(kid, &ppid) && ppid == pid)
			found = kid;
	closedir(d);
	return found;
}

/* What a worker holds between checks, for each program of run/programs (as long as
 * that file says the same): a pidfd (Linux 5.3) of its supervisor and of one live
 * worker. A pidfd refers to one process for good (a process that later gets the same
 * pid is not it) and polls readable once that process has ended, a zombie included, so
 * while none of them has ended, one poll(2) says what reading /proc would: each
 * supervisor runs and has a live worker. A held process is taken only after /proc said
 * it was the right one, and is checked again through its pidfd after that. A program
 * whose held worker ended is looked up in /proc again; one whose supervisor ended is
 * "no_supervisor" (launch.sh writes a new file when it starts new ones). Without
 * pidfds (an older kernel, a filter), every check reads /proc. */
#define HELD_PROGRAMS 32
static struct held {
	char text[PROGRAMS_BYTES];   /* the run/programs the fds below belong to */
	struct stat file;            /* and that file's identity, size and time */
	int sup[HELD_PROGRAMS], kid[HELD_PROGRAMS];   /* pidfds, -1 when none */
	char sup_ended[HELD_PROGRAMS], kid_ended[HELD_PROGRAMS];   /* by poll_held() */
	int n;                       /* programs with a slot (the first HELD_PROGRAMS) */
} held = { .n = 0 };

/* A pidfd of process pid, or -1 (no such process, or no pidfds here). */
static int pid_fd(long pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Returns 1 when the process of pidfd fd has ended, else 0. */
static int ended(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) != 0;
}

/* Closes every held pidfd and forgets which file they belong to. */
static void release_held(void)
{
	int i;

	for (i = 0; i < held.n; i++) {
		if (held.sup[i] >= 0)
			close(held.sup[i]);
		if (held.kid[i] >= 0)
			close(held.kid[i]);
	}
	held.n = 0;
	held.text[0] = '\0';
	memset(&held.file, 0, sizeof held.file);
}

/* Returns 1 when st is the file held.text was read from, unchanged (launch.sh writes a
 * new file and renames it over the old one), else 0. */
static int same_file(const struct stat *st)
{
	return held.file.st_ino && st->st_ino == held.file.st_ino && st->st_dev == held.file.st_dev &&
	       st->st_size == held.file.st_size && st->st_mtim.tv_sec == held.file.st_mtim.tv_sec &&
	       st->st_mtim.tv_nsec == held.file.st_mtim.tv_nsec;
}

/* Keeps text, read from the file st, as the one the held pidfds belong to (none held
 * yet), making a slot for each of its lines up to HELD_PROGRAMS. */
static void hold_file(const char *text, const struct stat *st)
{
	const char *p;
	int i;

	release_held();
	snprintf(held.text, sizeof held.text, "%s", text);
	held.file = *st;
	for (p = text; *p && held.n < HELD_PROGRAMS; p += strcspn(p, "\n"), p += *p == '\n')
		held.n++;
	for (i = 0; i < held.n; i++)
		held.sup[i] = held.kid[i] = -1;
}

/* Polls every held pidfd at once and notes which processes ended. When poll fails,
 * lets go of them all (this check reads /proc instead). */
static void poll_held(void)
{
	struct pollfd p[2 * HELD_PROGRAMS];
	int i;

	for (i = 0; i < held.n; i++) {
		p[2 * i] = (struct pollfd){ held.sup[i], POLLIN, 0 };   /* poll skips fd -1 */
		p[2 * i + 1] = (struct pollfd){ held.kid[i], POLLIN, 0 };
	}
	if (held.n && poll(p, (nfds_t)(2 * held.n), 0) < 0) {
		release_held();
		return;
	}
	for (i = 0; i < held.n; i++) {
		held.sup_ended[i] = p[2 * i].revents != 0;
		held.kid_ended[i] = p[2 * i + 1].revents != 0;
	}
}

/* Replaces *slot (a pidfd, or -1) with a pidfd of process pid when that is still the
 * process /proc just found: alive, and (want_ppid > 0) a child of want_ppid, or
 * (name) the supervisor of name. Keeps nothing when it is not. */
static void hold(int *slot, long pid, long want_ppid, const char *name)
{
	int fd = pid_fd(pid);
	long ppid;

	if (*slot >= 0)
		close(*slot);
	*slot = -1;
	if (fd < 0)
		return;
	if (alive(pid, &ppid) && (want_ppid <= 0 || ppid == want_ppid) && (!name || supervises(pid, name)) &&
	    !ended(fd))
		*slot = fd;
	else
		close(fd);
}

/* The state of one program (its supervisor pid and name): "ok", "no_worker" or
 * "no_supervisor" (see workers_check). i is its slot in held, or -1 for none. */
static const char *program_state(int i, const char *name, long pid)
{
	int *sup = i >= 0 ? &held.sup[i] : NULL, *kid = i >= 0 ? &held.kid[i] : NULL;
	long child, ppid;

	if (sup && *sup >= 0) {
		if (held.sup_ended[i])
			return "no_supervisor";
	} else {
		if (!alive(pid, &ppid) || !supervises(pid, name))
			return "no_supervisor";
		if (sup)
			hold(sup, pid, 0, name);
	}
	if (kid && *kid >= 0 && !held.kid_ended[i])
		return "ok";
	if (!(child = live_child(pid))) {
		if (kid && *kid >= 0) {
			close(*kid);
			*kid = -1;
		}
		return "no_worker";
	}
	if (kid && sup && *sup >= 0)
		hold(kid, child, pid, NULL);
	return "ok";
}

/* Adds to checks a "workers" object naming each program of <data_dir>/run/programs
 * with "ok" (it has a live worker), "no_worker" (its supervisor runs, but no worker:
 * one is being replaced, or the supervisor is stuck) or "no_supervisor" (nothing runs
 * or restarts its workers: multiwatch gave up on a program that kept dying at start, or
 * was killed), or the string "unreadable" when that file cannot be read or parsed.
 * Adds nothing when the file does not exist (not started by launch.sh). Returns the
 * number of failed programs (1 for an unreadable file); reasons go to the log. */
static int workers_check(struct json_object *checks)
{
	char path[PATH_MAX], text[PROGRAMS_BYTES], name[PROGRAM_NAME + 1];
	struct json_object *w = NULL;
	struct stat st;
	const char *line, *p, *state;
	long pid;
	size_t len;
	int failed = 0, i;

	if ((size_t)snprintf(path, sizeof path, "%s/" PROGRAMS_FILE, conf_str("data_dir")) >= sizeof path) {
		log_warn("health: the data folder's path is too long");
		goto bad;
	}
	/* The file is read again only when it changed (its stat first, so a change made
	 * while it is read shows at the next check). */
	if (stat(path, &st) != 0)
		memset(&st, 0, sizeof st);   /* read it every time then */
	if (!same_file(&st)) {
		if (slurp(path, text, sizeof text) < 0) {
			release_held();
			if (errno == ENOENT)
				return 0;
			log_warn("health: cannot read the run folder's program list %s: %s", path, strerror(errno));
			goto bad;
		}
		hold_file(text, &st);
	}
	poll_held();
	w = json_object_new_object();
	for (line = held.text, i = 0; *line; line = p + (*p == '\n'), i++) {
		/* NAME SUPERVISOR_PID SOCKET\n, NAME from launch.sh's list: [a-z0-9_-]. */
		len = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (!len || len > PROGRAM_NAME || line[len] != ' ' || !parse_pid(line + len + 1, &p, &pid) ||
		    *p != ' ') {
			log_warn("health: %s: a line is not \"NAME PID SOCKET\"", path);
			goto bad;
		}
		memcpy(name, line, len);
		name[len] = '\0';
		p += strcspn(p, "\n");
		state = program_state(i < held.n ? i : -1, name, pid);
		if (strcmp(state, "ok")) {
			failed++;
			log_warn("health: %s has no live worker (%s, supervisor pid %ld)", name, state, pid);
		}
		json_object_object_add(w, name, json_object_new_string(state));
	}
	json_object_object_add(checks, "workers", w);
	return failed;
bad:
	release_held();
	json_object_put(w);
	json_object_object_add(checks, "workers", json_object_new_string("unreadable"));
	return 1;
}

/* The disk check: "low" when the data folder's file system has less than min_free_mb
 * free (logged when it becomes so), else "ok". Low space is Degraded, not Unhealthy:
 * reads go on (the store opens without writing) and a write that does not fit fails
 * alone with 503, so taking the service out of a balancer would only lose the reads. */
static const char *disk_check(long long free_bytes)
{
	static int was_low;
	long long min = conf_int("min_free_mb") * 1048576LL;
	int low = free_bytes >= 0 && free_bytes < min;

	if (low && !was_low)
		log_warn("health: %lld bytes free on the data folder's disk, under min_free_mb (%ld)",
		         free_bytes, conf_int("min_free_mb"));
	was_low = low;
	return low ? "low" : "ok";
}

/* 200 {"status": "Healthy", "version", "checks": {...}} when the database answers a
 * query, the data folder is writable, its disk has min_free_mb free and the model could
 * load; 200 "Degraded" when only the model is unavailable (cutouts still work, with the
 * classical engine) or the disk is low on space (see disk_check); 503
 * {"status": "Unhealthy", ...} naming the failed check when the store is unusable or,
 * under make run (a FastCGI worker with a run folder), a program has no live worker.
 * Reasons go to the log, never to the client. */
static enum err health(struct req *r)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_object(), *storage;
	struct db *db = NULL;
	const char *model, *disk;
	long long free_bytes;
	int degraded, workers = 0;
	enum err dir, dbe;

	/* The store first: its first use creates the data folder. */
	dbe = store_db(&db);
	if (!dbe)
		dbe = store_check(db);
	dir = store_data_dir_writable() ? ERR_OK : ERR_STORE;
	model = model_check();
	free_bytes = store_free_bytes();
	disk = disk_check(free_bytes);
	degraded = !strcmp(model, "unavailable") || strcmp(disk, "ok");
	json_object_object_add(checks, "database", json_object_new_string(dbe ? err_code(dbe) : "ok"));
	json_object_object_add(checks, "data_dir", json_object_new_string(dir ? "not_writable" : "ok"));
	json_object_object_add(checks, "model", json_object_new_string(model));
	json_object_object_add(checks, "disk", json_object_new_string(disk));
	/* Workers exist only under FastCGI; plain CGI has none to check. */
	if (r->fcgx)
		workers = workers_check(checks);
	json_object_object_add(o, "status", json_object_new_string(dir || dbe || workers ? "Unhealthy" :
	                                                            degraded ? "Degraded" : "Healthy"));
	json_object_object_add(o, "version", json_object_new_string(BACKDROP_VERSION));
	json_object_object_add(o, "checks", checks);
	/* What the store occupies on disk (database and WAL), for watching retention work. */
	storage = json_object_new_object();
	json_object_object_add(storage, "database_bytes", json_object_new_int64(store_bytes(dbe ? NULL : db)));
	json_object_object_add(storage, "free_bytes", json_object_new_int64(free_bytes));
	json_object_object_add(o, "storage", storage);
	resp_header(r, "Cache-Control", "no-store");
	return resp_json(r, dir || dbe || workers ? 503 : 200, o);
}

static const struct route routes[] = {
	{ "GET", "/health", health },
};

int main(void)
{
	return app_main("health", routes, sizeof routes / sizeof routes[0]);
}
