/* str.c: strict number parsing, random ids, constant-time compare, safe display text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include "str.h"

int str_to_long_n(const char *s, size_t n, long min, long max, long *out)
{
	char tmp[32];

	if (!s || n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return str_to_long(tmp, min, max, out);
}

int str_to_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	const char *p = s;

	if (!s || !*s)
		return 0;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

int str_to_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;
	const char *p = s;

	if (!s || !*s)
		return 0;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p) && *p != '.')
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

int str_to_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; s && i < sizeof yes / sizeof yes[0]; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 1;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 1;
	}
	return 0;
}

int str_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n > 0) {
		ssize_t r = getrandom(c, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		c += r;
		n -= (size_t)r;
	}
	return 1;
}

void str_hex(const void *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[c[i] >> 4];
		out[2 * i + 1] = hex[c[i] & 15];
	}
	out[2 * n] = '\0';
}

int str_random_id(char out[33])
{
	unsigned char raw[16];

	if (!str_random(raw, sizeof raw))
		return 0;
	str_hex(raw, sizeof raw, out);
	return 1;
}

int str_is_id(const char *s)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return 0;
	return s[32] == '\0';
}

int str_equal_ct(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

char *str_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

int str_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int str_utf8_decode(const unsigned char *s, unsigned long *cp)
{
	unsigned long c = s[0], min;
	int n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		n = 2, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 3, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* 1 for the characters str_strip_unsafe() drops, else 0. */
static int unsafe_cp(unsigned long c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) ||              /* Cc: C0, DEL, C1 */
	       c == 0x061c || c == 0x200e || c == 0x200f ||          /* Bidi_Control */
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x2028 || c == 0x2029;                           /* line, paragraph */
}

char *str_strip_unsafe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	char *out = malloc(strlen(s) + 1), *o = out;
	int k;

	if (!out)
		return NULL;
	for (; *p; p += k) {
		if (!(k = str_utf8_decode(p, &cp))) {
			k = 1;    /* one invalid byte dropped; decoding resumes at the next */
			continue;
		}
		if (!unsafe_cp(cp)) {
			memcpy(o, p, (size_t)k);
			o += k;
		}
	}
	*o = '\0';
	return out;
}
