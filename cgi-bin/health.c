/* health.c: GET /health, the liveness and readiness check. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conf.h"
#include "log.h"
#include "provider.h"
#include "req.h"
#include "resp.h"
#include "store.h"

/* The model check: the configured model's name when its file is readable and the
 * runtime opens (nothing is loaded: that costs seconds and a gigabyte), "none" when
 * cutout_model is none, else "unavailable", the reason logged once per process. */
static const char *model_check(void)
{
	static int said;
	char why[256];
	const char *model;

	provider_net_configure(NULL);
	model = img_net_model();
	if (!strcmp(model, "none") || img_net_check(why, sizeof why))
		return model;
	if (!said) {
		said = 1;
		log_warn("health: the cutout network is unavailable (%s); cutouts use the classical engine",
		         why);
	}
	return "unavailable";
}

/* The workers check. cgi-bin/launch.sh (make run) starts each FastCGI program as a
 * multiwatch supervisor that forks the workers and replaces any that dies, and lists
 * them in <data_dir>/run/programs, one line "NAME SUPERVISOR_PID SOCKET" each. A
 * program has a live worker when its supervisor runs and has a child that is not a
 * zombie. Why /proc and not the socket: the supervisor holds the listening socket, so a
 * connect() succeeds with every worker dead (the connection waits in the queue), and a
 * FastCGI request would wait behind busy workers (a long cutout) and take a worker from
 * real traffic. This costs a few small reads of /proc per program and never blocks. */
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

/* Returns 1 when process pid has at least one live (not zombie) child, else 0. Reads
 * /proc/PID/task/PID/children (multiwatch runs one thread); on kernels without it,
 * looks through /proc for a process whose parent is pid. */
static int has_live_child(long pid)
{
	char path[80], list[4096];
	const char *p, *end;
	long kid, ppid;
	struct dirent *de;
	DIR *d;
	int found = 0;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, pid);
	if (slurp(path, list, sizeof list) >= 0) {
		/* "PID PID ... ": a number cut off at the end of the buffer is not used. */
		for (p = list; parse_pid(p, &end, &kid) && *end == ' '; p = end + 1)
			if (alive(kid, &ppid) && ppid == pid)
				return 1;
		return 0;
	}
	if (!(d = opendir("/proc")))
		return 0;
	while (!found && (de = readdir(d)))
		if (parse_pid(de->d_name, &p, &kid) && !*p)
			found = alive(kid, &ppid) && ppid == pid;
	closedir(d);
	return found;
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
	const char *line, *p, *state;
	long pid, ppid;
	size_t len;
	int failed = 0;

	if ((size_t)snprintf(path, sizeof path, "%s/" PROGRAMS_FILE, conf_str("data_dir")) >= sizeof path) {
		log_warn("health: the data folder's path is too long");
		goto bad;
	}
	if (slurp(path, text, sizeof text) < 0) {
		if (errno == ENOENT)
			return 0;
		log_warn("health: cannot read the run folder's program list %s: %s", path, strerror(errno));
		goto bad;
	}
	w = json_object_new_object();
	for (line = text; *line; line = p + (*p == '\n')) {
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
		if (!alive(pid, &ppid) || !supervises(pid, name))
			state = "no_supervisor";
		else if (!has_live_child(pid))
			state = "no_worker";
		else
			state = "ok";
		if (strcmp(state, "ok")) {
			failed++;
			log_warn("health: %s has no live worker (%s, supervisor pid %ld)", name, state, pid);
		}
		json_object_object_add(w, name, json_object_new_string(state));
	}
	json_object_object_add(checks, "workers", w);
	return failed;
bad:
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
	sqlite3 *db = NULL;
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
	json_object_object_add(storage, "database_bytes", json_object_new_int64(store_bytes()));
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
