/* log.c: sanitised one-line log records on stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

static char prog[32] = "backdrop";
static char reqid[40];

static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void log_init(const char *name)
{
	snprintf(prog, sizeof prog, "%s", name);
	clean(prog);
}

void log_set_request(const char *id)
{
	snprintf(reqid, sizeof reqid, "%s", id ? id : "");
	clean(reqid);
}

/* Records that could not be written (the disk under the log file is full) wait here,
 * oldest first, and go out before the next record once writing works again; records
 * that do not fit are counted, and that count is written then. Per process, like the
 * log itself; what a worker holds when it ends is lost. */
static char pending[16384];
static size_t npending;
static unsigned long lost;
static int lost_errno;

/* Writes buf[n] to stderr. Returns the bytes written (fewer on an error). */
static size_t put(const char *buf, size_t n)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		if ((w = write(STDERR_FILENO, buf + done, n - done)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	return done;
}

/* Keeps line[n] for later, or counts it lost when it does not fit. */
static void keep(const char *line, size_t n, int err)
{
	if (n <= sizeof pending - npending) {
		memcpy(pending + npending, line, n);
		npending += n;
	} else {
		lost++;
	}
	lost_errno = err;
}

/* Writes what waits, then the count of lost records. Returns 1 when nothing waits. */
static int flush(void)
{
	char note[200];
	size_t w;
	int n;

	if (npending) {
		w = put(pending, npending);
		memmove(pending, pending + w, npending - w);
		if ((npending -= w))
			return 0;
	}
	if (lost) {
		n = snprintf(note, sizeof note, "%s[%ld] warn: %lu log records were lost: %s\n", prog,
		             (long)getpid(), lost, strerror(lost_errno));
		if (!put(note, n > (int)sizeof note - 1 ? sizeof note - 1 : (size_t)n))
			return 0;
		lost = 0;
	}
	return 1;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], line[1200];
	int n, saved = errno;
	size_t w;

	vsnprintf(msg, sizeof msg, fmt, ap);
	clean(msg);
	n = snprintf(line, sizeof line, "%s[%ld]%s%s %s: %s\n", prog, (long)getpid(),
	             *reqid ? " req=" : "", reqid, level, msg);
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	/* One write() per record so concurrent workers do not interleave lines. */
	if (!flush())
		keep(line, (size_t)n, errno);
	else if ((w = put(line, (size_t)n)) < (size_t)n)
		keep(line + w, (size_t)n - w, errno);
	errno = saved;
}

#define LOG_FN(name, level) \
	void name(const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		emit(level, fmt, ap); \
		va_end(ap); \
	}

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_error, "error")
