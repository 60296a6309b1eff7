/* log.h: one-line log records on stderr (which nginx or the launcher keeps). */
#ifndef BACKDROP_LOG_H
#define BACKDROP_LOG_H

/* Sets the program name shown in every record. Call once at start. */
void log_init(const char *prog);
/* Sets the request id shown in records until the next call (NULL clears it). The id
 * is copied; it may come from the client and is sanitised like the message. */
void log_set_request(const char *id);
/* Writes "prog[pid] req=ID LEVEL: message\n" to stderr, with every control byte of the
 * message replaced by '?', so that request data cannot forge log lines. A record that
 * cannot be written (the log's disk is full) waits in memory (16 KiB) and goes out
 * before the next one once writing works; those that do not fit are counted and the
 * count is written then ("N log records were lost"). errno is left as it was. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
