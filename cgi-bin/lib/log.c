/* log.c: sanitised one-line log records on stderr. */
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

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], line[1200];
	int n;

	vsnprintf(msg, sizeof msg, fmt, ap);
	clean(msg);
	n = snprintf(line, sizeof line, "%s[%ld]%s%s %s: %s\n", prog, (long)getpid(),
	             *reqid ? " req=" : "", reqid, level, msg);
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	/* One write() per record so concurrent workers do not interleave lines. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
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
