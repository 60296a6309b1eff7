/* tap.h: a minimal TAP producer for the C unit tests. Each test binary prints
 * "ok N - what" or "not ok N - what" per assertion; tests/run.sh adds them up. */
#ifndef BACKDROP_TAP_H
#define BACKDROP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

/* ok(condition, "printf-style description", ...) */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* is_int(got, want, description): integer equality, printing both on failure. */
#define is_int(got, want, ...) do { long long g_ = (got), w_ = (want); \
	if (!ok(g_ == w_, __VA_ARGS__)) printf("#   got %lld, want %lld\n", g_, w_); } while (0)
/* is_str(got, want, description): string equality (NULL-safe). */
#define is_str(got, want, ...) do { const char *g_ = (got), *w_ = (want); \
	int e_ = (g_ && w_) ? !strcmp(g_, w_) : g_ == w_; \
	if (!ok(e_, __VA_ARGS__)) printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)
/* Ends main(): exit status 1 if anything failed. */
#define tap_done() return tap_failed ? 1 : 0

#endif
