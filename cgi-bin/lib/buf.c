/* buf.c: growable byte buffer with overflow-checked growth. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

static enum err grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (__builtin_add_overflow(b->len, extra, &need) || __builtin_add_overflow(need, 1, &need))
		return ERR_NOMEM;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		if (__builtin_mul_overflow(cap, 2, &cap))
			return ERR_NOMEM;
	if (!(p = realloc(b->data, cap)))
		return ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return ERR_OK;
}

enum err buf_add(struct buf *b, const void *p, size_t n)
{
	enum err e;

	if ((e = grow(b, n)))
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum err buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum err e;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_INTERNAL;
	if ((e = grow(b, (size_t)n)))
		return e;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ERR_OK;
}

char *buf_take(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
