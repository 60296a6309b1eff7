/* buf.h: a growable byte buffer, the one way Backdrop builds strings and bodies. */
#ifndef BACKDROP_BUF_H
#define BACKDROP_BUF_H

#include <stddef.h>
#include "err.h"

/* data is always NUL-terminated once anything was appended (len excludes the NUL).
 * A zeroed struct is an empty buffer; buf_free() returns it to that state. */
struct buf {
	char *data;
	size_t len, cap;
};

/* Appends n bytes; ERR_NOMEM (buffer unchanged) if growth overflows or fails. */
enum err buf_add(struct buf *b, const void *p, size_t n);
/* Appends a C string. */
enum err buf_adds(struct buf *b, const char *s);
/* Appends printf-formatted text. */
enum err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the bytes to the caller (who frees them) and empties the buffer. */
char *buf_take(struct buf *b, size_t *len);
void buf_free(struct buf *b);

#endif
