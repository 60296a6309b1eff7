/* str.h: strict parsing of numbers and small string helpers. */
#ifndef BACKDROP_STR_H
#define BACKDROP_STR_H

#include <stddef.h>
#include <stdint.h>

/* Parses all of s as a base-10 integer in [min, max]: optional sign, digits, nothing
 * else (no spaces, no empty string). Returns 1 and sets *out, or 0. */
int str_to_long(const char *s, long min, long max, long *out);
/* Parses the n bytes at s the same way (s need not be NUL-terminated). */
int str_to_long_n(const char *s, size_t n, long min, long max, long *out);
/* Parses all of s as a finite decimal number in [min, max]. Returns 1 or 0. */
int str_to_double(const char *s, double min, double max, double *out);
/* Parses s as a boolean, ASCII case-insensitively: true/yes/on/1 or false/no/off/0.
 * Returns 1 and sets *out to 1 or 0, or returns 0. */
int str_to_bool(const char *s, int *out);
/* Fills p with n cryptographically random bytes. Returns 1, or 0 on failure. */
int str_random(void *p, size_t n);
/* Writes n bytes of p as 2n lowercase hex digits plus NUL into out. */
void str_hex(const void *p, size_t n, char *out);
/* A new random id of 128 bits as 32 hex digits into out[33]. Returns 1 or 0. */
int str_random_id(char out[33]);
/* 1 if s is exactly 32 lowercase hex digits (the shape of our ids), else 0. */
int str_is_id(const char *s);
/* Compares n bytes in constant time. Returns 1 when equal, else 0. */
int str_equal_ct(const void *a, const void *b, size_t n);
/* Strips leading and trailing ASCII white space in place; returns s. */
char *str_trim(char *s);
/* Case-insensitive ASCII prefix test: 1 if s starts with prefix. */
int str_prefix_ci(const char *s, const char *prefix);
/* A copy of the UTF-8 text s (caller frees) without what must not reach a name shown
 * outside our pages, as a download's file name: C0 and C1 controls and DEL, the
 * bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069: a right-to-left override makes "a<U+202E>gnp.exe" look like
 * "aexe.png"), the line and paragraph separators (U+2028, U+2029), and every byte that
 * is not part of valid UTF-8 (RFC 3629). NULL without memory. */
char *str_strip_unsafe(const char *s);

/* Decodes one UTF-8 sequence at s, a NUL-terminated string (RFC 3629): returns its
 * length with *cp set, or 0 when it is invalid (a stray or truncated byte, overlong, a
 * surrogate, above U+10FFFF). */
int str_utf8_decode(const unsigned char *s, unsigned long *cp);

#endif
